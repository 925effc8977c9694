"""The first-secretary API: units, the roster, postings, work logs, evaluations, supporters."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from firstsecretary import selectors, services
from firstsecretary.choices import SUPPORT_LINK_ACTIONS
from firstsecretary.filtersets import (
    FirstSecretaryFilterSet,
    SupportLinkFilterSet,
    WorkLogFilterSet,
)
from firstsecretary.models import Assignment, DispatchUnit, FirstSecretary, SupportLink, WorkLog
from portal.api import ScopedReadOnlyViewSet
from portal.api_fields import AvailableActionsField
from portal.roles import Perm
from rectification.models import Case


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = DispatchUnit
        fields = ["id", "county", "name", "level", "kind"]


class SecretarySerializer(serializers.ModelSerializer):
    is_posted = serializers.BooleanField(read_only=True)

    class Meta:
        model = FirstSecretary
        fields = [
            "id",
            "county",
            "name",
            "gender",
            "birth_year",
            "education",
            "unit",
            "position",
            "phone",
            "user",
            "is_posted",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "secretary",
            "village",
            "started_on",
            "planned_end",
            "actual_end",
            "end_reason",
        ]
        read_only_fields = ["actual_end", "end_reason"]
        validators: list = []  # the service explains the two-postings rules in words


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField()


class WorkLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkLog
        fields = ["id", "assignment", "date", "on_site", "households_visited", "kind", "summary"]
        read_only_fields = ["assignment"]
        # Presence is counted from on_site: a log must say it, never assume absence.
        extra_kwargs = {"on_site": {"required": True}, "households_visited": {"default": 0}}
        validators: list = []


class SupportSerializer(serializers.ModelSerializer):
    available_actions = AvailableActionsField(
        lambda user, link: services.support_link_actions(user=user, link=link),
        SUPPORT_LINK_ACTIONS,
    )

    class Meta:
        model = SupportLink
        fields = [
            "id",
            "case",
            "kind",
            "name",
            "contact",
            "amount",
            "project_status",
            "mentor_village",
            "available_actions",
        ]


class UnitViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = DispatchUnit.objects.select_related("county")
    serializer_class = UnitSerializer
    permission = Perm.SECRETARY_MANAGE

    def create(self, request):
        data = UnitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = services.unit_save(acting_user=request.user, **data.validated_data)
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class SecretaryViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = FirstSecretary.objects.all()
    serializer_class = SecretarySerializer
    filterset_class = FirstSecretaryFilterSet
    permission = Perm.SECRETARY_MANAGE

    def get_queryset(self):
        return selectors.secretary_list(scope=self.request.scope).order_by("name", "pk")

    def create(self, request):
        data = SecretarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        secretary = services.secretary_save(
            acting_user=request.user,
            county=fields.pop("county"),
            user=fields.pop("user", None),
            **fields,
        )
        # Read back through the list's queryset: is_posted is its annotation.
        secretary = self.get_queryset().get(pk=secretary.pk)
        return Response(SecretarySerializer(secretary).data, status=status.HTTP_201_CREATED)


class AssignmentViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = Assignment.objects.select_related("secretary", "village")
    serializer_class = AssignmentSerializer
    permission = Perm.SECRETARY_MANAGE

    def create(self, request):
        data = AssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_start(acting_user=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Recall the secretary (or close the posting at its term); kept as history."""
        assignment = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_end(
            acting_user=request.user, assignment=assignment, **data.validated_data
        )
        return Response(AssignmentSerializer(assignment).data)


class WorkLogViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    """Work logs in scope; a first secretary posts their own day."""

    queryset = WorkLog.objects.select_related("assignment")
    serializer_class = WorkLogSerializer
    filterset_class = WorkLogFilterSet
    permission = Perm.WORKLOG_WRITE

    def create(self, request):
        data = WorkLogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = services.worklog_save(acting_user=request.user, **data.validated_data)
        return Response(WorkLogSerializer(log).data, status=status.HTTP_201_CREATED)


class SupportViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin, mixins.DestroyModelMixin):
    queryset = SupportLink.objects.select_related("case")
    serializer_class = SupportSerializer
    filterset_class = SupportLinkFilterSet
    permission = Perm.SUPPORT_MANAGE

    def create(self, request):
        data = SupportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        case = Case.objects.visible_to(request.scope).filter(pk=fields.pop("case").pk).first()
        if case is None:
            raise serializers.ValidationError({"case": ["—"]})
        link = services.support_add(acting_user=request.user, case=case, **fields)
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.support_remove(acting_user=request.user, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
