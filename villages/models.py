"""Administrative divisions and villages: the root every other record hangs from."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from portal.fields import long_text
from portal.scoping import ScopedQuerySet
from villages.choices import (
    ActivityKind,
    DivisionLevel,
    DueDayRule,
    FundingSource,
    PartyOrgType,
    VenueState,
    VillageKind,
)

# Names the statistical code gives to a level that has no government of its own: the city
# level of a municipality (天津市 › 市辖区 › 武清区) and the counties directly under a
# province. They are real codes but no official would write them in a heading.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


class Division(models.Model):
    """A province, city, county or township, keyed by its statistical division code."""

    code = models.CharField(_("code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # A county's issuing-organ abbreviation (发文机关代字) in its documents' numbers, as in
    # 武组通〔2026〕1号; empty: derived from the county's name (villages.organs).
    document_abbreviation = models.CharField(
        _("abbreviation in document numbers"),
        max_length=10,
        blank=True,
        help_text=_(
            "The issuing organ's abbreviation in the number of a circular, as in "
            "武组通〔2026〕1号. Left empty: the first character of the county's name "
            "followed by 组通."
        ),
    )
    # A county's rule for the activity-plan due day (the 25th) when it falls on a weekend or
    # a public holiday: kept, or moved to the next working day (顺延); villages.deadlines.
    due_day_rule = models.CharField(
        _("when the due day is not a working day"),
        max_length=10,
        choices=DueDayRule.choices,
        default=DueDayRule.KEEP,
        help_text=_(
            "The activity plans are due on the 25th of the month before. When the 25th is a "
            "weekend or a public holiday, the county keeps the date or moves it to the next "
            "working day of China's official holiday arrangement."
        ),
    )
    # Counties only: a contact (联系包保) who has not visited a listed village for longer than
    # this is reported to the county (firstsecretary.jobs.contact_visits_overdue).
    visit_gap_days = models.PositiveSmallIntegerField(
        _("days a contact may go without visiting"),
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_(
            "A county-level leader, department, enterprise or mentor who has not visited "
            "a listed village for longer than this is reported to the county."
        ),
    )

    # The standard area of a village's activity venue, in m², set by a province or a county
    # for its villages of each kind; empty: the nearest area above that set one, else
    # villages.choices.VENUE_STANDARD_AREA (villages.selectors.standard_area).
    venue_area_village = models.PositiveSmallIntegerField(
        _("venue standard, village committees (m²)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    venue_area_gacha = models.PositiveSmallIntegerField(
        _("venue standard, gacha (m²)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    venue_area_community = models.PositiveSmallIntegerField(
        _("venue standard, communities (m²)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "code"

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(code__startswith=F("parent_id")),
                name="division_code_under_parent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_placeholder(self):
        """A statistical level with no government (市辖区 of a municipality): left out of
        breadcrumbs and named after its parent where it must be shown."""
        return self.name in PLACEHOLDER_NAMES


class Village(models.Model):
    """A village, community or gacha committee and the basic facts of its Party organisation."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    township = models.ForeignKey(
        Division,
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="villages",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=VillageKind.choices, default=VillageKind.VILLAGE
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    party_org_type = models.CharField(
        _("Party organisation type"), max_length=20, choices=PartyOrgType.choices, blank=True
    )
    party_members = models.PositiveIntegerField(_("Party members"), null=True, blank=True)
    secretary_name = models.CharField(_("Party secretary"), max_length=50, blank=True)
    # When the village first appeared in an import (None: before this field existed). A
    # village added after a month's deadline is not expected to report for that month.
    added_on = models.DateField(_("added on"), null=True, blank=True)
    # Optimistic locking: a form carries the version it was loaded at.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "code"

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__startswith=F("township_id")),
                name="village_code_under_township",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self):
        return self.code[:6]


class ActivityPlan(models.Model):
    """A village's plan of Party activities for one month, due by the 25th before it."""

    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        on_delete=models.CASCADE,
        related_name="activity_plans",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month planned."))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set at submission against the deadline then in force (ACTIVITY_PLAN_DUE_DAY).
    late = models.BooleanField(_("late"), default=False)
    # "No activity planned this month, because …": counts as submitted, shown apart.
    no_activity = models.BooleanField(_("no activity planned"), default=False)
    no_activity_reason = models.CharField(_("reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("activity plan")
        verbose_name_plural = _("activity plans")
        ordering = ["-month", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "month"],
                name="one_plan_per_village_month",
                violation_error_message=_(
                    "This village already has an activity plan for this month."
                ),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="plan_month_is_first_day"),
        ]
        # Timeliness reads a few months of a whole area: `month IN (…) AND village_id LIKE
        # '15%'`. The unique (village, month) index leads with the village, so a province's
        # months were found by scanning its every plan; this one leads with the month.
        indexes = [
            models.Index(
                fields=["month", "village"],
                name="activityplan_month_village",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
            # Each county's first plan (villages.selectors.first_plan_months): one probe per
            # county, not a pass over every plan.
            models.Index(Substr("village", 1, 6), F("month"), name="activityplan_county_month"),
        ]

    def __str__(self):
        return f"{self.village} {self.month:%Y-%m}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class ActivityPlanItem(models.Model):
    """One planned activity: when, what kind, on what topic, where, with the instructor."""

    plan = models.ForeignKey(
        ActivityPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    instructor_attends = models.BooleanField(_("township instructor attends"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "plan__village__code"

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["date", "pk"]

    def __str__(self):
        return self.topic


class ActivityRecord(models.Model):
    """An activity actually held, against the plan; the county may have sat in (列席)."""

    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        on_delete=models.CASCADE,
        related_name="activity_records",
    )
    planned = models.ForeignKey(
        ActivityPlanItem,
        verbose_name=_("planned as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    attendance = models.PositiveSmallIntegerField(_("members present"))
    absentees = models.CharField(_("absent, and why"), max_length=300, blank=True)
    instructor_present = models.BooleanField(_("township instructor present"), default=False)
    minutes = long_text(_("minutes"), blank=True)
    county_sat_in = models.BooleanField(_("county sat in"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.topic


class TimelinessSnapshot(models.Model):
    """A township's reporting for one month as the deadline check found it (DHIS2-style)."""

    # No index of its own: the unique constraint below starts with the township (the
    # deadline check writes 41,352 snapshots a month, each index is more to maintain).
    township = models.ForeignKey(
        Division,
        verbose_name=_("township"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    month = models.DateField(_("month"))
    expected = models.PositiveIntegerField(_("expected"))
    on_time = models.PositiveIntegerField(_("on time"))
    late = models.PositiveIntegerField(_("late"))
    missing = models.PositiveIntegerField(_("missing"))
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "township__code"

    class Meta:
        verbose_name = _("timeliness")
        verbose_name_plural = _("timeliness")
        ordering = ["-month", "township"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="one_snapshot_per_month")
        ]

    def __str__(self):
        return f"{self.township} {self.month:%Y-%m}"


class Urging(models.Model):
    """The county urged a township to file a month's activity plans (催报): who, when, whom."""

    township = models.ForeignKey(
        Division, verbose_name=_("township"), on_delete=models.CASCADE, related_name="urgings"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month planned."))
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    urged_at = models.DateTimeField(_("urged at"))
    # The local day of urged_at: a township is urged at most once a day for a month.
    urged_on = models.DateField(_("urged on"))

    objects = ScopedQuerySet.as_manager()
    scope_path = "township__code"

    class Meta:
        verbose_name = _("urging")
        verbose_name_plural = _("urgings")
        ordering = ["-urged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "month", "urged_on"],
                name="one_urging_per_township_month_day",
                violation_error_message=_(
                    "This township has already been urged today to file this month's plans."
                ),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="urging_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.township} {self.month:%Y-%m} {self.urged_on}"


class Venue(models.Model):
    """A village's activity venue (活动场所): its area, its state, and when works ran."""

    village = models.OneToOneField(
        Village,
        verbose_name=_("village"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="venue",
    )
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    state = models.CharField(_("state"), max_length=10, choices=VenueState.choices)
    works_started_on = models.DateField(_("works started on"), null=True, blank=True)
    works_finished_on = models.DateField(_("works finished on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Optimistic locking: a form carries the version it was loaded at.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("activity venue")
        verbose_name_plural = _("activity venues")
        ordering = ["village"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="venue_area_positive"),
            models.CheckConstraint(
                condition=Q(works_finished_on__isnull=True)
                | Q(works_started_on__isnull=True)
                | Q(works_finished_on__gte=F("works_started_on")),
                name="venue_works_finish_after_start",
                violation_error_message=_("The works cannot finish before they start."),
            ),
        ]

    def __str__(self):
        return str(self.village)


class VenueFunding(models.Model):
    """Money put into a venue by one source in one year, in 万元 (10,000 yuan)."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1949), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("amount (10,000 yuan)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "venue__village__code"

    class Meta:
        verbose_name = _("venue funding")
        verbose_name_plural = _("venue funding")
        ordering = ["year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "source", "year"],
                name="one_funding_row_per_source_and_year",
                violation_error_message=_("This source is already entered for this year."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="venue_funding_positive"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.year} {self.amount}"
