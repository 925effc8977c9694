"""The ledger's API: cases with every transition, the plan, tasks, ratings, categories.

Each write calls the same service as the page; a refused transition is 409 and a stale
version 409 (portal.drf.exception_handler).
"""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from portal import bulk
from portal.api import BulkJobSerializer, ScopedReadOnlyViewSet, ScopedViewSetMixin
from portal.api_fields import AvailableActionsField, FieldsBuiltOnce
from portal.roles import Perm
from portal.scoping import Scope
from rectification import batches, ledger, selectors, services
from rectification.choices import CASE_ACTIONS, CaseStatus
from rectification.filtersets import CaseFilterSet
from rectification.models import (
    LEADER_MAX_LENGTH,
    Acceptance,
    AcceptanceCriterion,
    Campaign,
    Case,
    CaseEvent,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)
from villages.models import Division, Village


class CampaignSerializer(serializers.ModelSerializer):
    """Opening a campaign: for a county of the caller's, or for his own area (a province's
    or city's campaign is shared by the counties under it; the page's rule)."""

    class Meta:
        model = Campaign
        fields = ["id", "division", "year", "name", "started_on"]
        # One campaign per county and year is the service's rule, with a message in Chinese.
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = _scope(self.context)
        self.fields["division"].queryset = Division.objects.visible_to(scope).filter(
            level__in=services.CAMPAIGN_LEVELS
        )


class CampaignUpdateSerializer(serializers.ModelSerializer):
    """What may change once opened: the name and the start; county and year stay."""

    class Meta:
        model = Campaign
        fields = ["name", "started_on"]
        extra_kwargs = {name: {"required": False} for name in fields}


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceCriterion
        # `division`: null for the national checklist, else the area that set it.
        fields = ["id", "name", "points", "order", "active", "division"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        # `division`: null for a national category, else the area that set it.
        fields = ["id", "name", "group", "order", "active", "division"]


def _scope(context):
    """The caller's scope; nothing when there is no request (schema generation)."""
    request = context.get("request")
    return request.scope if request is not None else Scope.nothing()


def _leader_field(name, **kwargs):
    """A ledger leader column: kept as a support link of the five ones (Case.LEADERS)."""
    return serializers.CharField(label=ledger.field(name).label, allow_blank=True, **kwargs)


class CaseSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.CharField(source="village.township_id", read_only=True)
    is_relapse = serializers.BooleanField(read_only=True)
    township_leader = _leader_field("township_leader", read_only=True)
    county_leader = _leader_field("county_leader", read_only=True)
    available_actions = AvailableActionsField(
        lambda user, case: services.case_actions(user=user, case=case), CASE_ACTIONS
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "campaign",
            "village",
            "village_name",
            "township",
            "status",
            *ledger.names(ledger.ENTERED),
            *ledger.names(ledger.RECORDED),
            "is_relapse",
            "version",
            "updated_at",
            "available_actions",
        ]
        read_only_fields = ["status", *ledger.names(ledger.RECORDED), "version", "updated_at"]


class CaseCreateSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Listing a village: choices are narrowed to the caller's scope."""

    township_leader = _leader_field("township_leader", required=False, max_length=LEADER_MAX_LENGTH)
    county_leader = _leader_field("county_leader", required=False, max_length=LEADER_MAX_LENGTH)

    class Meta:
        model = Case
        fields = ["campaign", "village", *ledger.names(ledger.ENTERED)]
        # A date left out is today (the service's rule); the leaders are declared above.
        extra_kwargs = {
            field.name: {"required": False}
            for field in ledger.ENTERED
            if not field.required and field.kind != ledger.LEADER
        }
        # Uniqueness is the service's rule, with a message in Chinese.
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = _scope(self.context)
        self.fields["campaign"].queryset = selectors.campaigns_for(scope=scope)
        self.fields["village"].queryset = Village.objects.visible_to(scope)
        self.fields["categories"].child_relation.queryset = Category.objects.visible_to(
            scope
        ).filter(active=True)


class CaseUpdateSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    version = serializers.IntegerField()
    township_leader = _leader_field("township_leader", required=False, max_length=LEADER_MAX_LENGTH)
    county_leader = _leader_field("county_leader", required=False, max_length=LEADER_MAX_LENGTH)

    class Meta:
        model = Case
        fields = ["version", *ledger.names(ledger.EDITABLE)]
        extra_kwargs = {name: {"required": False} for name in fields if name != "version"}


class TransitionSerializer(FieldsBuiltOnce, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None)


class EventSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField = serializers.StringRelatedField()
    # The event's `label` field shadows Field.label (the serializer's own caption, unused).
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = CaseEvent
        fields = ["action", "label", "from_status", "to_status", "actor", "at", "comment"]


class TaskSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "measure",
            "owner",
            "assignee",
            "due_on",
            "progress",
            "completed_on",
            "note",
        ]
        read_only_fields = ["progress", "completed_on", "note"]


class PlanSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True)
    version = serializers.IntegerField()

    class Meta:
        model = Plan
        fields = [
            "status",
            "goal",
            "tasks",
            "version",
            "submitted_at",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = ["status", "submitted_at", "reviewed_at", "review_comment"]


class PlanReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptanceSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=0))

    class Meta:
        model = Acceptance
        fields = [
            "reviewed_on",
            "scores",
            "satisfaction",
            "conclusion",
            "total",
            "pass_mark",
            "passed",
        ]
        read_only_fields = ["total", "pass_mark", "passed"]


class EvidenceSerializer(serializers.Serializer):
    file = serializers.FileField()
    task = serializers.IntegerField(required=False, allow_null=True, default=None)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class TaskProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageRating
        fields = ["id", "village", "year", "stars", "grade"]
        read_only_fields = ["grade"]


class CaseBatchSerializer(serializers.Serializer):
    """One transition on many cases: the action, the case ids, and the action's fields
    (the same as its single call's). Beyond BULK_SYNC_MAX_ITEMS ids, or with
    `background`, it runs in a worker and the answer is a job to poll."""

    action = serializers.ChoiceField(choices=list(batches.ACTIONS))
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=settings.BULK_MAX_ITEMS,
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reviewed_on = serializers.DateField(required=False, allow_null=True, default=None)
    total = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=1000
    )
    satisfaction = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
    )
    conclusion = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    background = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        missing = batches.missing(attrs["action"], attrs)
        if missing:
            raise serializers.ValidationError(missing)
        return attrs

    def action_fields(self):
        data = self.validated_data
        return batches.fields_of(data["action"], data)


class BatchItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.ChoiceField(choices=CaseStatus.choices, allow_null=True)
    error = serializers.CharField(allow_blank=True)


class CaseBatchResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    done = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BatchItemSerializer(many=True)


class CampaignViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The campaigns of the caller's area; the county opens and renames them (the page's
    service, campaign_create / campaign_update)."""

    queryset = Campaign.objects.select_related("division")
    serializer_class = CampaignSerializer
    permission = Perm.CAMPAIGN_MANAGE

    def create(self, request):
        data = CampaignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(acting_user=request.user, **data.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CampaignUpdateSerializer, responses=CampaignSerializer)
    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        data = CampaignUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {"name": campaign.name, "started_on": campaign.started_on}
        fields.update(data.validated_data)
        campaign = services.campaign_update(acting_user=request.user, campaign=campaign, **fields)
        return Response(CampaignSerializer(campaign).data)


class CriterionViewSet(ScopedReadOnlyViewSet):
    """The acceptance checklists (考核验收) the caller sees: the national one, those set
    above his area and his area's own. The ids are the keys of an acceptance's `scores`;
    a case is scored on the checklist in force where its village is (its county's own if
    it has one, else its city's, else its province's, else the national one), every active
    item of it, up to its points."""

    queryset = AcceptanceCriterion.objects.all()
    serializer_class = CriterionSerializer


class CategoryViewSet(ScopedReadOnlyViewSet):
    """The national problem categories, those set above the caller's area (inherited) and
    his area's own."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer


class CaseViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The ledger; every transition is a POST on the case."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    permission = Perm.CASE_CHANGE
    action_permissions = {
        "apply": Perm.CASE_APPLY,
        "withdraw": Perm.CASE_APPLY,
        "close": Perm.CASE_ACCEPT,
        "acceptance": Perm.CASE_ACCEPT,
        "plan_review": Perm.PLAN_APPROVE,
        "evidence": Perm.TASK_UPDATE,
        # Each batch action asks its own permission (portal.bulk); this is the least of them.
        "batch": Perm.CASE_APPLY,
    }

    # Their services read the case, locked, in the caller's scope (404 otherwise) with what
    # they need (_lock_case): the view names it (`_named_case`) and reads nothing itself.
    LOCKED_BY_THE_SERVICE = {"apply", "withdraw", "close", "acceptance"}

    def get_queryset(self):
        if self.action == "list":
            # Each row's available actions read its plan's tasks: fetched at once.
            return selectors.case_list(scope=self.request.scope).prefetch_related("plan__tasks")
        if self.action in self.LOCKED_BY_THE_SERVICE:
            return Case.objects.visible_to(self.request.scope)
        return self._detail()

    def _detail(self):
        return selectors.case_detail(scope=self.request.scope).prefetch_related("categories")

    def _case_response(self, case, code=status.HTTP_200_OK):
        case = self._detail().get(pk=case.pk)
        return Response(self.get_serializer(case).data, status=code)

    def _named_case(self, data):
        """The case of the URL for a service that locks it itself, once `data` (the body's
        serializer) is valid: a bare reference, read by the service. As when the view read
        it first, a case out of scope is 404 before a bad body is 400."""
        if not data.is_valid():
            self.get_object()
            raise serializers.ValidationError(data.errors)
        try:
            return Case(pk=int(self.kwargs["pk"]))
        except ValueError:
            raise Http404 from None

    def _transitioned_response(self, case):
        """The answer of a transition: the service's own case (locked and read with its
        village and township, then changed), with what the answer adds to it - its
        supporters, categories and plan - rather than the whole detail read again."""
        prefetch_related_objects([case], "support", "categories", "plan__tasks")
        return Response(self.get_serializer(case).data)

    @extend_schema(request=CaseCreateSerializer, responses=CaseSerializer)
    def create(self, request):
        data = CaseCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        case = services.case_create(acting_user=request.user, **data.validated_data)
        return self._case_response(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request, pk=None):
        case = self.get_object()
        data = CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        case = services.case_update(
            case=case, acting_user=request.user, version=fields.pop("version"), **fields
        )
        return self._case_response(case)

    def _transition(self, request, name):
        data = TransitionSerializer(data=request.data)
        case = services.case_transition(
            case=self._named_case(data),
            action=name,
            acting_user=request.user,
            **data.validated_data,
        )
        return self._transitioned_response(case)

    @extend_schema(request=TransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """The township applies for acceptance (rectifying → acceptance requested)."""
        return self._transition(request, "request_acceptance")

    @extend_schema(request=TransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The township withdraws its application (back to rectifying)."""
        return self._transition(request, "withdraw_request")

    @extend_schema(request=TransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The county closes a transformed case after consolidation (销号)."""
        return self._transition(request, "close")

    @extend_schema(request=AcceptanceSerializer, responses={201: AcceptanceSerializer})
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        """The county records the acceptance review: pass ⇒ transformed, fail ⇒ rectifying."""
        data = AcceptanceSerializer(data=request.data)
        acceptance = services.acceptance_record(
            case=self._named_case(data), acting_user=request.user, **data.validated_data
        )
        return Response(AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": EvidenceSerializer}, responses={201: AttachmentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        """Add an evidence file (PDF, JPEG, PNG, .docx, .xlsx) to the case or one task."""
        case = self.get_object()
        data = EvidenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = None
        if data.validated_data["task"] is not None:
            task = (
                PlanTask.objects.visible_to(request.scope)
                .filter(pk=data.validated_data["task"])
                .first()
            )
            if task is None:
                raise serializers.ValidationError(
                    {"task": _("This task is not part of the case's plan.")}
                )
        attachment = services.evidence_add(
            case=case, acting_user=request.user, upload=data.validated_data["file"], task=task
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CaseBatchSerializer,
        responses={200: CaseBatchResultSerializer, 202: BulkJobSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def batch(self, request):
        """One transition on many cases, each through its own service in its own savepoint,
        with a result per id ({id, ok, status, error}; an id outside the caller's area is
        "not found"). Up to BULK_SYNC_MAX_ITEMS ids in the request; more, or `background`,
        answer 202 with a job to poll at /api/v1/batch-jobs/{id}/."""
        data = CaseBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name, ids = data.validated_data["action"], data.validated_data["ids"]
        fields = data.action_fields()
        if data.validated_data["background"] or len(ids) > settings.BULK_SYNC_MAX_ITEMS:
            job = bulk.batch_job_start(
                kind=batches.KIND,
                action=name,
                ids=ids,
                params=batches.dump(fields),
                acting_user=request.user,
                scope=request.scope,
            )
            return Response(BulkJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        results = bulk.batch_apply(
            kind=batches.KIND,
            action=name,
            ids=ids,
            fields=fields,
            acting_user=request.user,
            scope=request.scope,
        )
        done = sum(result.ok for result in results)
        return Response(
            CaseBatchResultSerializer(
                {
                    "action": name,
                    "done": done,
                    "refused": len(results) - done,
                    "results": [result.as_dict() for result in results],
                }
            ).data
        )

    @extend_schema(responses=EventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        """The case's full history."""
        case = self.get_object()
        return Response(EventSerializer(selectors.case_events(case), many=True).data)

    @extend_schema(request=PlanSerializer, responses=PlanSerializer)
    # serializer_class: the browsable API's PUT form is built from it (with the case's
    # serializer it read a Plan as a case, and the page was a server error).
    @action(detail=True, methods=["get", "put"], serializer_class=PlanSerializer)
    def plan(self, request, pk=None):
        """The plan and its tasks; PUT replaces the task list of a draft or returned plan."""
        case = self.get_object()
        if request.method == "PUT":
            data = PlanSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.plan_save(
                case=case,
                acting_user=request.user,
                version=data.validated_data["version"],
                goal=data.validated_data.get("goal", ""),
                tasks=data.validated_data["tasks"],
            )
        plan, _created = Plan.objects.get_or_create(case=case)
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"], url_path="plan/submit")
    def plan_submit(self, request, pk=None):
        """The township submits the plan to the county."""
        plan = services.plan_submit(case=self.get_object(), acting_user=request.user)
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=PlanReviewSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"], url_path="plan/review")
    def plan_review(self, request, pk=None):
        """The county approves (the case starts rectifying) or returns the plan."""
        case = self.get_object()
        data = PlanReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_review(case=case, acting_user=request.user, **data.validated_data)
        return Response(PlanSerializer(plan).data)


class TaskViewSet(ScopedReadOnlyViewSet):
    queryset = PlanTask.objects.select_related("plan")
    serializer_class = TaskSerializer
    permission = Perm.TASK_UPDATE

    @extend_schema(request=TaskProgressSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Record a task's progress (a first secretary: only on their own tasks)."""
        task = self.get_object()
        data = TaskProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_progress(task=task, acting_user=request.user, **data.validated_data)
        return Response(TaskSerializer(task).data)


class RatingViewSet(ScopedReadOnlyViewSet, mixins.CreateModelMixin):
    queryset = VillageRating.objects.select_related("village")
    serializer_class = RatingSerializer
    permission = Perm.CASE_CHANGE

    def create(self, request):
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_set(acting_user=request.user, **data.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
