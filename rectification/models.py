"""The ledger (台账): campaigns, cases and their history, plans, ratings, acceptance reviews."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.fields import long_text
from portal.scoping import ScopedQuerySet, SharedDownQuerySet, checked
from rectification.choices import EVENT_LABELS, CaseStatus, CategoryGroup, Grade, PlanStatus


class InheritedQuerySet(SharedDownQuerySet):
    """Settings a province, a city or a county sets (campaigns, categories, checklists):
    each area sees its own, those of the areas above it (inherited) and those below it;
    it edits only its own and those below it, never those it inherits."""

    def editable_by(self, scope):
        if checked(scope).is_nothing:
            return self.none()
        if scope.is_everything:
            return self
        return self.filter(scope.q(self.model.scope_path))


class Campaign(models.Model):
    """A yearly batch of rectification (e.g. 2026 年度整顿): a county's own, or a province's
    or city's that the counties under it share."""

    division = models.ForeignKey(
        "villages.Division",
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=100)
    started_on = models.DateField(_("started on"))

    objects = InheritedQuerySet.as_manager()
    scope_path = "division__code"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "division"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year"],
                name="one_campaign_per_county_year",
                violation_error_message=_("This county already has a campaign for this year."),
            )
        ]

    def __str__(self):
        return self.name


class NationalOrInheritedQuerySet(InheritedQuerySet):
    def visible_to(self, scope):
        """The national ones (no division), those of the areas above the scope (a
        province's, a city's: inherited) and the scope's own."""
        if checked(scope).is_nothing:
            return self.none()
        return self.filter(Q(division__isnull=True) | Q(pk__in=super().visible_to(scope)))


class Category(models.Model):
    """A kind of weakness (软弱涣散的情形): national (seeded), or a province's, a city's or a
    county's own, inherited by the areas under it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    division = models.ForeignKey(
        "villages.Division",
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
        help_text=_("Empty for the national categories."),
    )
    group = models.CharField(
        _("group"), max_length=20, choices=CategoryGroup.choices, default=CategoryGroup.LOCAL
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = NationalOrInheritedQuerySet.as_manager()
    scope_path = "division__code"

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["group", "order", "name"]

    def __str__(self):
        return self.name


class VillageRating(models.Model):
    """A village's yearly star rating (十星级) and grade (一二三类) from screening."""

    village = models.ForeignKey(
        "villages.Village",
        verbose_name=_("village"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("village rating")
        verbose_name_plural = _("village ratings")
        ordering = ["-year", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="one_rating_per_village_year",
                violation_error_message=_("This village already has a rating for this year."),
            ),
            models.CheckConstraint(condition=Q(stars__lte=10), name="rating_stars_at_most_10"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"


# The ledger's two leader columns and the kind of supporter (firstsecretary.SupportKind) that
# keeps each: the ledger form, the import, the API, the export and the case page read and fill
# these support links, and the dashboard's "five ones" counts them.
LEADERS = {
    "county_leader": ("county_leader", _("county-level contact leader")),
    "township_leader": ("township_contact", _("township leader in charge")),
}
LEADER_MAX_LENGTH = 50


class Case(models.Model):
    """One village on one campaign's ledger: the row of the paper ledger and its status."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="cases"
    )
    village = models.ForeignKey(
        "villages.Village",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    categories = models.ManyToManyField(Category, verbose_name=_("problem categories"))
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.IDENTIFIED
    )
    basic_situation = long_text(_("basic situation"), blank=True)
    problems = long_text(_("problems"))
    measures = long_text(_("rectification measures"), blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=50)
    # The county-level contact leader and the township leader in charge are not kept here:
    # they are supporters of the "five ones" (firstsecretary.SupportLink), one fact in one
    # place; see LEADERS and the properties below.
    identified_on = models.DateField(_("listed on"))
    deadline = models.DateField(_("deadline for transformation"))
    transformed_on = models.DateField(_("transformed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # 1 the first time a village is listed; 2 or more when it relapsed after a close-out.
    listing = models.PositiveSmallIntegerField(_("times listed"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Who changed the ledger row and when (the workflow has its own CaseEvent trail).
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["village"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "village"],
                name="one_case_per_village",
                # The words of case_create's own check: a listing that lost a race reads the same.
                violation_error_message=_("This village is already on this campaign's ledger."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("identified_on")),
                name="case_deadline_after_listing",
                # Said in Chinese to the page and the API, like the import's own check.
                violation_error_message=_("The deadline cannot be before the listing date."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(transformed_on__isnull=False, closed_on__gte=F("transformed_on")),
                name="case_closed_after_transformed",
                violation_error_message=_("A case cannot be closed before it was transformed."),
            ),
        ]

    def __str__(self):
        return f"{self.village} · {self.campaign.year}"

    def get_absolute_url(self):
        return reverse("case_detail", args=[self.pk])

    @property
    def is_relapse(self):
        return self.listing > 1

    def leader_names(self, field):
        """The names of the case's supporters of LEADERS[field]'s kind, joined with 、 (one
        query, or none when `support` is prefetched)."""
        kind = LEADERS[field][0]
        return "、".join(link.name for link in self.support.all() if link.kind == kind)

    @property
    def county_leader(self):
        return self.leader_names("county_leader")

    @property
    def township_leader(self):
        return self.leader_names("township_leader")


class CaseEvent(models.Model):
    """One step in a case's history: who did what, when, from which status to which."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = long_text(_("comment"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "case__village__code"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.action}"

    @property
    def label(self):
        return EVENT_LABELS.get(self.action, self.action)


class Plan(models.Model):
    """The one-village-one-policy plan (一村一策 / 整顿任务书) of a case."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="plan"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    goal = long_text(_("goal"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = long_text(_("review comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "case__village__code"

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return str(self.case)


class PlanTask(models.Model):
    """One measure of a plan: who does it, by when, how far it has got."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    measure = long_text(_("measure"))
    owner = models.CharField(_("owner"), max_length=50)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_tasks",
    )
    due_on = models.DateField(_("due on"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = long_text(_("progress note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "plan__case__village__code"

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["order", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_max_100"),
        ]

    def __str__(self):
        return self.measure[:40]


class AcceptanceCriterion(models.Model):
    """One line of an acceptance checklist (考核验收) and its points: the national checklist,
    or a province's, a city's or a county's own, which replaces the one above it for the
    cases under it (a checklist adds up to one total against one pass mark: lists from
    several levels are never summed)."""

    name = models.CharField(_("item"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    division = models.ForeignKey(
        "villages.Division",
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptance_criteria",
        help_text=_("Empty for the national checklist."),
    )

    objects = NationalOrInheritedQuerySet.as_manager()
    scope_path = "division__code"

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Acceptance(models.Model):
    """An acceptance review of a case: scored checklist, satisfaction survey, conclusion."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="acceptances"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # {criterion id: points given}, as recorded at the time of the review.
    scores = models.JSONField(_("scores"), default=dict)
    total = models.PositiveSmallIntegerField(_("total score"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    satisfaction = models.DecimalField(
        _("satisfaction (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    conclusion = long_text(_("conclusion"))
    passed = models.BooleanField(_("passed"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "case__village__code"

    class Meta:
        verbose_name = _("acceptance review")
        verbose_name_plural = _("acceptance reviews")
        ordering = ["reviewed_on", "pk"]

    def __str__(self):
        return f"{self.case} {self.reviewed_on}"
