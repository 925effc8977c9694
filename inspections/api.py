"""The inspections API: rounds (+ move, draw), visits, findings (+ answer, verify),
circulars (+ publish, acknowledge). Every write is the page's service."""

from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inspections import selectors, services
from inspections.choices import FINDING_ACTIONS, RoundStatus
from inspections.filtersets import FindingFilterSet, RoundFilterSet, VisitFilterSet
from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from portal.api import ScopedReadOnlyViewSet
from portal.api_fields import AvailableActionsField
from portal.roles import Perm


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionRound
        fields = [
            "id",
            "county",
            "year",
            "quarter",
            "kind",
            "starts_on",
            "ends_on",
            "status",
            "draw_seed",
        ]
        read_only_fields = ["status", "draw_seed"]

    def to_representation(self, instance):
        # The seed reproduces the draw: only who may know the whole plan reads it.
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not selectors.plan_known(scope=request.scope, inspection=instance):
            data["draw_seed"] = ""
        return data


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[RoundStatus.ACTIVE, RoundStatus.CLOSED])


class DrawSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)
    seed = serializers.CharField(required=False, allow_blank=True, default="")


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "round", "team", "village", "visited_on", "unannounced", "summary", "score"]
        read_only_fields = ["round"]


class FindingSerializer(serializers.ModelSerializer):
    available_actions = AvailableActionsField(
        lambda user, finding: services.finding_actions(user=user, finding=finding),
        FINDING_ACTIONS,
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "category",
            "description",
            "severity",
            "township",
            "deadline",
            "case",
            "status",
            "response",
            "verified_at",
            "available_actions",
        ]
        read_only_fields = ["township", "case", "status", "response", "verified_at"]


class AnswerSerializer(serializers.Serializer):
    response = serializers.CharField()


class VerdictSerializer(serializers.Serializer):
    """The inspector's comment on a verdict: optional when verifying, required (the
    service says so in Chinese) when sending the rectification back."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CircularSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Circular
        fields = ["id", "round", "reference", "title", "body", "published_at"]


class RoundViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = InspectionRound.objects.select_related("county")
    serializer_class = RoundSerializer
    filterset_class = RoundFilterSet
    permission = Perm.ROUND_MANAGE

    def get_queryset(self):
        # The rounds the user may know of, with whether they may know the plan.
        return selectors.round_list(scope=self.request.scope)

    def create(self, request):
        data = RoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.round_create(acting_user=request.user, **data.validated_data)
        return Response(
            RoundSerializer(inspection, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=MoveSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """planned → active → closed."""
        inspection = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.round_move(
            acting_user=request.user, inspection=inspection, to=data.validated_data["to"]
        )
        return Response(RoundSerializer(inspection, context=self.get_serializer_context()).data)

    @extend_schema(
        request=DrawSerializer,
        # The codes of the villages drawn.
        responses={200: build_array_type(build_basic_type(OpenApiTypes.STR) or {})},
    )
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        """Draw villages at random; the same seed draws the same villages."""
        inspection = self.get_object()
        data = DrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drawn = services.draw_villages(
            acting_user=request.user, inspection=inspection, **data.validated_data
        )
        return Response([village.code for village in drawn])


class VisitViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = Visit.objects.select_related("village", "team")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    permission = Perm.INSPECT

    def create(self, request):
        data = VisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team = Team.objects.visible_to(request.scope).filter(pk=fields.pop("team").pk).first()
        if team is None:
            raise serializers.ValidationError({"team": ["—"]})
        visit = services.visit_record(acting_user=request.user, team=team, **fields)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class FindingViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    permission = Perm.INSPECT
    action_permissions = {"answer": Perm.FINDING_ANSWER}

    def get_queryset(self):
        findings = selectors.finding_list(scope=self.request.scope).order_by("deadline", "pk")
        if self.request.user.has_role_perm(Perm.INSPECT):
            # Each finding's available_actions asks whether the reader is on its round's
            # teams: prefetched once for the page.
            findings = findings.prefetch_related("visit__round__teams__members")
        return findings

    def create(self, request):
        data = FindingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        visit = Visit.objects.visible_to(request.scope).filter(pk=fields.pop("visit").pk).first()
        if visit is None:
            raise serializers.ValidationError({"visit": ["—"]})
        finding = services.finding_add(acting_user=request.user, visit=visit, **fields)
        return Response(self.get_serializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The township reports its rectification (→ being rectified)."""
        finding = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_answer(
            acting_user=request.user, finding=finding, **data.validated_data
        )
        return Response(self.get_serializer(finding).data)

    @extend_schema(request=VerdictSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """An inspector of the round verifies the rectification (→ verified), with an
        optional comment kept among the finding's reviews."""
        return self._verdict(request, services.finding_verify)

    @extend_schema(request=VerdictSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """An inspector of the round sends the rectification back (退回重新整改, → open),
        saying why; the township's organizers are told."""
        return self._verdict(request, services.finding_send_back)

    def _verdict(self, request, service):
        data = VerdictSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = service(
            acting_user=request.user, finding=self.get_object(), **data.validated_data
        )
        return Response(self.get_serializer(finding).data)


class CircularViewSet(ScopedReadOnlyViewSet):
    queryset = Circular.objects.select_related("round", "county")
    serializer_class = CircularSerializer
    permission = Perm.ROUND_MANAGE
    action_permissions = {"acknowledge": Perm.FINDING_ANSWER}

    @extend_schema(request=None, responses=CircularSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        circular = services.circular_publish(acting_user=request.user, circular=self.get_object())
        return Response(CircularSerializer(circular).data)

    @extend_schema(request=None, responses=CircularSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        circular = self.get_object()
        services.circular_acknowledge(acting_user=request.user, circular=circular)
        return Response(CircularSerializer(circular).data)
