"""First secretaries (第一书记): who is sent where, what they log, and who stands behind
each case (the "five ones", 包保 and 结对)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from firstsecretary.choices import (
    Education,
    EvaluationGrade,
    Gender,
    LogKind,
    ProjectStatus,
    SupportKind,
    UnitKind,
    UnitLevel,
)
from portal.fields import long_text, phone_field
from portal.scoping import ScopedQuerySet, SharedDownQuerySet, checked


class DispatchUnit(models.Model):
    """A dispatching unit (派出单位) of a county's roster."""

    county = models.ForeignKey(
        "villages.Division", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)

    # Seen by the county and its townships, like its campaigns.
    objects = SharedDownQuerySet.as_manager()
    scope_path = "county__code"

    class Meta:
        verbose_name = _("dispatching unit")
        verbose_name_plural = _("dispatching units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="one_unit_name_per_county",
                violation_error_message=_(
                    "The county's roster already has a dispatching unit of this name."
                ),
            )
        ]

    def __str__(self):
        return self.name


class SecretaryQuerySet(ScopedQuerySet):
    def visible_to(self, scope):
        """The county's roster; a township sees the secretaries working in its villages."""
        if checked(scope).is_nothing:
            return self.none()
        if scope.is_everything:
            return self
        posted_here = Assignment.objects.filter(
            scope.q("village__code"), secretary=OuterRef("pk"), actual_end__isnull=True
        )
        return self.filter(scope.q("county__code") | Q(Exists(posted_here)))


class FirstSecretary(models.Model):
    """A person sent as first secretary; no national ID number is kept."""

    county = models.ForeignKey(
        "villages.Division",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county whose roster the person is on."),
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), validators=[MinValueValidator(1950), MaxValueValidator(2010)]
    )
    education = models.CharField(_("education"), max_length=15, choices=Education.choices)
    unit = models.ForeignKey(
        DispatchUnit,
        verbose_name=_("dispatching unit"),
        on_delete=models.PROTECT,
        related_name="secretaries",
    )
    position = models.CharField(_("position in the unit"), max_length=50, blank=True)
    phone = phone_field(_("phone"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="first_secretary",
    )

    objects = SecretaryQuerySet.as_manager()
    scope_path = "county__code"

    class Meta:
        verbose_name = _("first secretary")
        verbose_name_plural = _("first secretaries")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A posting of a first secretary to a village; ended postings are kept as history."""

    secretary = models.ForeignKey(
        FirstSecretary,
        verbose_name=_("first secretary"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    village = models.ForeignKey(
        "villages.Village",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    started_on = models.DateField(_("started on"))
    planned_end = models.DateField(_("planned end"))
    actual_end = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "village__code"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["secretary"],
                condition=Q(actual_end__isnull=True),
                name="one_active_assignment_per_secretary",
                violation_error_message=_(
                    "This first secretary is already posted to a village; end that posting first."
                ),
            ),
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(actual_end__isnull=True),
                name="one_active_first_secretary_per_village",
                violation_error_message=_("This village already has a first secretary."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("started_on")), name="assignment_planned_after_start"
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_end__gte=F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.secretary} → {self.village}"

    @property
    def is_active(self):
        return self.actual_end is None


class WorkLog(models.Model):
    """A day in the village (民情日记): on site or not, households visited, what was done."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="logs"
    )
    date = models.DateField(_("date"))
    on_site = models.BooleanField(_("in the village"), default=True)
    households_visited = models.PositiveSmallIntegerField(_("households visited"), default=0)
    kind = models.CharField(_("kind of work"), max_length=12, choices=LogKind.choices)
    summary = long_text(_("what was done"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "assignment__village__code"

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "date"],
                name="one_log_per_day",
                violation_error_message=_("This day is already in the work log."),
            ),
        ]

    def __str__(self):
        return f"{self.assignment.secretary} {self.date}"


class WorkLogPhoto(models.Model):
    """A photo of a day in the village, taken on the phone: resized on upload to at most
    1600 px on its long side and saved without its EXIF (no GPS position is kept); the
    time it was taken (EXIF DateTimeOriginal) is kept here."""

    log = models.ForeignKey(
        WorkLog, verbose_name=_("work log"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="worklog/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    width = models.PositiveSmallIntegerField(_("width (px)"))
    height = models.PositiveSmallIntegerField(_("height (px)"))
    # 64-bit perceptual hash in hex: the same picture uploaded again is found by it (请核实).
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "log__assignment__village__code"

    class Meta:
        verbose_name = _("work log photo")
        verbose_name_plural = _("work log photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Evaluation(models.Model):
    """The county's yearly evaluation of a first secretary."""

    secretary = models.ForeignKey(
        FirstSecretary,
        verbose_name=_("first secretary"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    grade = models.CharField(_("grade"), max_length=12, choices=EvaluationGrade.choices)
    comment = long_text(_("comment"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "secretary__county__code"

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["secretary", "year"],
                name="one_evaluation_per_year",
                violation_error_message=_(
                    "This first secretary is already evaluated for this year."
                ),
            )
        ]

    def __str__(self):
        return f"{self.secretary} {self.year}"


class SupportLink(models.Model):
    """One supporter of a case: an enterprise, a department, a leader, a project, the
    township leader's contact point, or an excellent village secretary as mentor."""

    case = models.ForeignKey(
        "rectification.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="support",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    # Projects only.
    amount = models.DecimalField(
        _("amount (10,000 yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    project_status = models.CharField(
        _("project status"), max_length=10, choices=ProjectStatus.choices, blank=True
    )
    # Mentors only: the excellent secretary's own village.
    mentor_village = models.ForeignKey(
        "villages.Village",
        verbose_name=_("mentor's village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentoring",
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "case__village__code"

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.name
