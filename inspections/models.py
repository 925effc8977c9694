"""Inspection rounds (一季度一督查一通报): teams, village visits, findings and circulars."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inspections.choices import FindingStatus, RoundKind, RoundStatus, Severity
from portal.fields import DOCUMENT_TEXT_MAX, long_text
from portal.scoping import VILLAGE_CODE_LENGTH, ScopedQuerySet, SharedDownQuerySet, checked
from villages.organs import abbreviation

# Who may know what of an inspection, beyond scope by division: the rule is written out in
# `inspections.selectors`; these querysets are its one implementation, so that every page,
# API endpoint, export, count, form choice and service lookup (all go through
# `visible_to`) applies it alike.

ANNOUNCED = (RoundStatus.ACTIVE, RoundStatus.CLOSED)


def _rounds_inspected_by(scope):
    """The rounds on whose teams the scope's reader is: a round's own inspectors know it all."""
    if scope.inspector_id is None:
        return Team.objects.none().values("round")
    return Team.objects.filter(members__pk=scope.inspector_id).values("round")


def _known_visits(scope, path=""):
    """A visit (at `path`) that a reader outside the county department may know of, inside
    their scope: one that has happened, or one of a round they inspect."""
    return Q(**{f"{path}visited_on__lte": timezone.localdate()}) | Q(
        **{f"{path}round__in": _rounds_inspected_by(scope)}
    )


class RoundQuerySet(SharedDownQuerySet):
    def visible_to(self, scope):
        """The department and the round's inspectors know the round from the start; a
        township or a county-level reader an overt round once announced; anyone an
        unannounced round once a visit in their area has happened (a first secretary,
        any round, only that way)."""
        visible = super().visible_to(scope)
        if scope.is_nothing or scope.knows_all_inspections:
            return visible
        visited = Visit.objects.filter(
            round=OuterRef("pk"),
            village__code__startswith=scope.prefix,
            visited_on__lte=timezone.localdate(),
        )
        known = Q(pk__in=_rounds_inspected_by(scope)) | Q(Exists(visited))
        if len(scope.prefix) < VILLAGE_CODE_LENGTH:
            known |= Q(status__in=ANNOUNCED) & ~Q(kind=RoundKind.UNANNOUNCED)
        return visible.filter(known)

    def with_plan_known(self, scope):
        """Annotate `plan_known`: whether the scope's reader may know the whole plan (every
        team's villages and the draw seed): the department, the round's inspectors, and for
        an announced overt round the readers of the whole county."""
        scope = checked(scope)
        if scope.knows_all_inspections:
            return self.annotate(plan_known=Value(True, output_field=BooleanField()))
        known = Q(pk__in=_rounds_inspected_by(scope))
        if not scope.is_nothing:
            known |= (
                Q(status__in=ANNOUNCED)
                & ~Q(kind=RoundKind.UNANNOUNCED)
                & Q(county__code__startswith=scope.prefix)
            )
        return self.annotate(plan_known=Case(When(known, then=Value(True)), default=Value(False)))


class TeamQuerySet(SharedDownQuerySet):
    def visible_to(self, scope):
        """The teams of the rounds the reader may know of (their villages are the plan: see
        `inspections.selectors.round_plan`)."""
        return super().visible_to(scope).filter(round__in=InspectionRound.objects.visible_to(scope))


class VisitQuerySet(ScopedQuerySet):
    def visible_to(self, scope):
        """In scope, and known: to the department always, to the round's inspectors for
        their rounds, to everyone else once it has happened."""
        visible = super().visible_to(scope)
        if scope.is_nothing or scope.knows_all_inspections:
            return visible
        return visible.filter(_known_visits(scope))


class FindingQuerySet(ScopedQuerySet):
    def visible_to(self, scope):
        """A finding is known with its visit."""
        visible = super().visible_to(scope)
        if scope.is_nothing or scope.knows_all_inspections:
            return visible
        return visible.filter(_known_visits(scope, path="visit__"))


class CircularQuerySet(SharedDownQuerySet):
    def visible_to(self, scope):
        """Until published, a circular exists for the county department only."""
        visible = super().visible_to(scope)
        if scope.knows_all_inspections:
            return visible
        return visible.filter(published_at__isnull=False)


class InspectionRound(models.Model):
    """One quarter's inspection of a county: who goes where, and what they found."""

    county = models.ForeignKey(
        "villages.Division", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RoundKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    # The seed of the random draw of villages, so that the draw can be repeated.
    draw_seed = models.CharField(_("draw seed"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    # Seen by the county's users and its townships (the findings concern them), as far
    # as they may know of it (RoundQuerySet).
    objects = RoundQuerySet.as_manager()
    scope_path = "county__code"

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-year", "-quarter", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="round_ends_after_start"
            ),
        ]

    def __str__(self):
        return _("{year} Q{quarter} {kind}").format(
            year=self.year, quarter=self.quarter, kind=self.get_kind_display()
        )

    def get_absolute_url(self):
        return reverse("round_detail", args=[self.pk])


class Team(models.Model):
    """An inspection team of a round; its members are inspector users."""

    round = models.ForeignKey(
        InspectionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=50)
    leader = models.CharField(_("team leader"), max_length=50, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="inspection_teams"
    )
    villages = models.ManyToManyField(
        "villages.Village", verbose_name=_("villages to visit"), blank=True, related_name="+"
    )

    objects = TeamQuerySet.as_manager()
    scope_path = "round__county__code"

    class Meta:
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        ordering = ["round", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "name"],
                name="one_team_name_per_round",
                violation_error_message=_("This round already has a team of this name."),
            )
        ]

    def __str__(self):
        return self.name


class Visit(models.Model):
    """A team's visit to a village: overt or unannounced (明察暗访), with a score."""

    round = models.ForeignKey(
        InspectionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="visits"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="visits"
    )
    village = models.ForeignKey(
        "villages.Village", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    unannounced = models.BooleanField(_("unannounced"), default=False)
    summary = long_text(_("summary"))
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = VisitQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.village} {self.visited_on}"


class Finding(models.Model):
    """A problem found on a visit, owned by a township until an inspector verifies it."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="findings"
    )
    category = models.ForeignKey(
        "rectification.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = long_text(_("description"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    township = models.ForeignKey(
        "villages.Division",
        verbose_name=_("responsible township"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    case = models.ForeignKey(
        "rectification.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    response = long_text(_("rectification by the township"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()
    scope_path = "visit__village__code"

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.description[:40]

    def get_absolute_url(self):
        return reverse("finding_detail", args=[self.pk])


class FindingReviewQuerySet(ScopedQuerySet):
    def visible_to(self, scope):
        """A review is known with its finding."""
        return self.filter(finding__in=Finding.objects.visible_to(scope))


class FindingReview(models.Model):
    """An inspector's check of the township's answer: verified (核实销号), or sent back for
    re-rectification (退回重新整改) with the reason. Kept, so the finding's page shows the
    township every verdict and why, not only the last status."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="reviews"
    )
    verified = models.BooleanField(_("verified"))
    comment = long_text(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = FindingReviewQuerySet.as_manager()
    scope_path = "finding__visit__village__code"

    class Meta:
        verbose_name = _("finding review")
        verbose_name_plural = _("finding reviews")
        ordering = ["reviewed_at", "pk"]

    def __str__(self):
        return str(self.finding)


class Circular(models.Model):
    """The round's circular (通报), numbered 〔year〕n号, published and acknowledged."""

    round = models.OneToOneField(
        InspectionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="circular"
    )
    # The issuing county: numbers run from 1 each year for each county.
    county = models.ForeignKey(
        "villages.Division", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = long_text(_("body"), max_length=DOCUMENT_TEXT_MAX)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = CircularQuerySet.as_manager()
    scope_path = "county__code"

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "number"],
                name="one_circular_number_per_county_year",
                violation_error_message=_(
                    "This number is already taken by another circular of the county this year."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self):
        """The document number (发文字号) as the Word file, the pages, the API and the
        notices all print it: the county's abbreviation, year and number (武组通〔2026〕1号)."""
        return f"{abbreviation(self.county)}〔{self.year}〕{self.number}号"


class Acknowledgement(models.Model):
    """A township's acknowledgement that it has read the circular."""

    circular = models.ForeignKey(
        Circular,
        verbose_name=_("circular"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    township = models.ForeignKey(
        "villages.Division", verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["circular", "township"],
                name="one_ack_per_township",
                violation_error_message=_("This township has already acknowledged the circular."),
            )
        ]

    def __str__(self):
        return f"{self.circular} {self.township}"


class AwarenessQuerySet(ScopedQuerySet):
    def visible_to(self, scope):
        """Household interviews are known with their visit."""
        return self.filter(visit__in=Visit.objects.visible_to(scope))


class AwarenessCheck(models.Model):
    """Households asked on a visit whether they know their village's first secretary
    (群众知晓率), and how many did: one tally per visit, counted for the secretary posted
    there that day."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="awareness"
    )
    secretary = models.ForeignKey(
        "firstsecretary.FirstSecretary",
        verbose_name=_("first secretary"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The first secretary posted to the village on the day of the visit."),
    )
    households_asked = models.PositiveSmallIntegerField(
        _("households asked"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    households_aware = models.PositiveSmallIntegerField(
        _("households that know the first secretary"), validators=[MaxValueValidator(500)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = AwarenessQuerySet.as_manager()
    scope_path = "visit__village__code"

    class Meta:
        verbose_name = _("household interviews")
        verbose_name_plural = _("household interviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(households_aware__lte=F("households_asked")),
                name="aware_at_most_asked",
                violation_error_message=_(
                    "More households know the first secretary than were asked."
                ),
            )
        ]

    def __str__(self):
        return f"{self.visit} {self.households_aware}/{self.households_asked}"

    @property
    def rate(self):
        return round(100 * self.households_aware / self.households_asked)
