"""The villages app's API: read-only divisions and villages, with the pages' FilterSets."""

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import ScopedReadOnlyViewSet
from portal.months import next_month
from portal.roles import Perm
from villages import selectors, services
from villages.filtersets import (
    ActivityPlanFilterSet,
    ActivityRecordFilterSet,
    DivisionFilterSet,
    VillageFilterSet,
)
from villages.models import ActivityPlan, ActivityPlanItem, ActivityRecord, Division, Village


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class VillageSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Village
        fields = [
            "code",
            "name",
            "township",
            "township_name",
            "kind",
            "households",
            "population",
            "party_org_type",
            "party_members",
            "secretary_name",
            "version",
            "updated_at",
        ]


class VillageUpdateSerializer(serializers.ModelSerializer):
    """What an organizer may change, plus the version the change was based on."""

    version = serializers.IntegerField()

    class Meta:
        model = Village
        fields = [
            "version",
            "households",
            "population",
            "party_org_type",
            "party_members",
            "secretary_name",
        ]
        extra_kwargs = {name: {"required": False} for name in fields if name != "version"}


class DivisionViewSet(ScopedReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    lookup_field = "code"


class VillageViewSet(ScopedReadOnlyViewSet):
    """Villages in scope; PATCH changes basic facts (409 if `version` is stale)."""

    queryset = Village.objects.select_related("township")
    serializer_class = VillageSerializer
    filterset_class = VillageFilterSet
    lookup_field = "code"
    permission = Perm.VILLAGE_CHANGE

    @extend_schema(request=VillageUpdateSerializer, responses=VillageSerializer)
    def partial_update(self, request, code=None):
        village = self.get_object()
        update = VillageUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        data = dict(update.validated_data)
        village = services.village_update(
            village=village, acting_user=request.user, version=data.pop("version"), **data
        )
        return Response(VillageSerializer(village).data)


class ActivityItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityPlanItem
        fields = ["date", "kind", "topic", "place", "instructor_attends"]


class ActivityPlanSerializer(serializers.ModelSerializer):
    items = ActivityItemSerializer(many=True)
    version = serializers.IntegerField()

    class Meta:
        model = ActivityPlan
        fields = [
            "id",
            "village",
            "month",
            "items",
            "no_activity",
            "no_activity_reason",
            "version",
            "submitted_at",
            "late",
        ]
        read_only_fields = ["submitted_at", "late"]
        validators: list = []


class ActivityRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityRecord
        fields = [
            "id",
            "village",
            "planned",
            "held_on",
            "kind",
            "topic",
            "attendance",
            "absentees",
            "instructor_present",
            "minutes",
            "county_sat_in",
        ]
        read_only_fields = ["county_sat_in"]


class TimelinessSerializer(serializers.Serializer):
    township = serializers.CharField()
    month = serializers.DateField()
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ActivityPlanViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    """A village's monthly plans; POST saves one (a draft), POST …/submit/ reports it."""

    queryset = ActivityPlan.objects.prefetch_related("items")
    serializer_class = ActivityPlanSerializer
    permission = Perm.ACTIVITY_WRITE
    filterset_class = ActivityPlanFilterSet

    def create(self, request):
        data = ActivityPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        village = Village.objects.visible_to(request.scope).filter(pk=fields["village"].pk).first()
        if village is None:
            raise Http404
        plan = services.activity_plan_save(
            acting_user=request.user,
            village=village,
            month=fields["month"],
            version=fields["version"],
            items=[dict(item) for item in fields["items"]],
            no_activity=fields.get("no_activity", False),
            no_activity_reason=fields.get("no_activity_reason", ""),
        )
        return Response(ActivityPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ActivityPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = services.activity_plan_submit(acting_user=request.user, plan=self.get_object())
        return Response(ActivityPlanSerializer(plan).data)


class ActivityRecordViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = ActivityRecord.objects.select_related("village")
    serializer_class = ActivityRecordSerializer
    filterset_class = ActivityRecordFilterSet
    permission = Perm.ACTIVITY_WRITE
    action_permissions = {"sit_in": Perm.ACTIVITY_SIT_IN}

    def create(self, request):
        data = ActivityRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.activity_record_save(acting_user=request.user, **data.validated_data)
        return Response(ActivityRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ActivityRecordSerializer)
    @action(detail=True, methods=["post"], url_path="sit-in")
    def sit_in(self, request, pk=None):
        record = self.get_object()
        services.activity_record_sit_in(acting_user=request.user, record=record)
        record.refresh_from_db()
        return Response(ActivityRecordSerializer(record).data)


class TimelinessView(APIView):
    """Timeliness per township and month (YYYY-MM in `month`, repeatable) in the caller's scope."""

    @extend_schema(responses=TimelinessSerializer(many=True))
    def get(self, request):
        months = []
        for value in request.query_params.getlist("month") or [
            next_month(timezone.localdate()).strftime("%Y-%m")
        ]:
            try:
                months.append(datetime.strptime(value, "%Y-%m").date())
            except ValueError:
                raise serializers.ValidationError({"month": [_("Use YYYY-MM.")]}) from None
        figures = selectors.timeliness(scope=request.scope, months=months[:24])
        rows = [
            {
                "township": township,
                "month": month,
                "expected": t.expected,
                "on_time": t.on_time,
                "late": t.late,
                "missing": t.missing,
                "rate": t.rate,
                "on_time_rate": t.on_time_rate,
            }
            for (township, month), t in sorted(figures.items())
        ]
        return Response(TimelinessSerializer(rows, many=True).data)
