"""Users with a role and a division, and the reports generated for them."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choices import ADMIN_TITLES, LEVEL_LABELS, ImportStatus, ReportStatus, Role
from portal.fields import phone_field
from portal.roles import role_has_perm
from portal.scoping import ScopedQuerySet


class UserQuerySet(ScopedQuerySet):
    pass


# django-stubs follows from_queryset() only on a manager that is not generic; UserManager is.
class PortalUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person using the portal: one role, acting within one division (or one village)."""

    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = phone_field(_("phone"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    division = models.ForeignKey(
        "villages.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # A first secretary acts for one village only.
    village = models.ForeignKey(
        "villages.Village",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    # Password hashes and log-in times stay out of the history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects: ClassVar[PortalUserManager] = PortalUserManager()
    scope_path = "division__code"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.username

    @property
    def level(self) -> int | None:
        """The length of the code of the division he works for (2 province … 9 township),
        12 for a first secretary (his village); None with no division."""
        if self.role == Role.FIRST_SECRETARY and self.village_id:
            return len(self.village_id)
        return len(self.division_id) if self.division_id else None

    @property
    def level_label(self):
        """省级, 市级, 县级, 乡镇级 or 村级 (empty with no division)."""
        return LEVEL_LABELS.get(self.level, "")

    @property
    def role_title(self):
        """The role as the pages name it: an administrator with his level (县级组织部管理员)."""
        if self.role == Role.COUNTY_ADMIN:
            return ADMIN_TITLES.get(self.level, self.get_role_display())
        return self.get_role_display()

    def has_role_perm(self, perm):
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return role_has_perm(self.role, perm)


def scope_index(name):
    """An index for `scope_code LIKE 'prefix%'` (varchar_pattern_ops, PostgreSQL's operator
    class for prefix matches; other databases ignore it)."""
    return models.Index(
        fields=["scope_code"], name=f"{name}_scope_code_like", opclasses=["varchar_pattern_ops"]
    )


class GeneratedReport(models.Model):
    """An Excel file built in the background, with its progress, for the users of a scope."""

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    # The requester's scope when asked: the report is visible inside it and built within it.
    scope_code = models.CharField(_("scope"), max_length=12, blank=True)
    # Empty for a report a periodic job built (the quarterly report).
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "scope_code"

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max_100"),
        ]
        # visible_to() asks `scope_code LIKE '15%'`: a pattern index serves it whatever the
        # database's collation (a plain btree only under the C collation).
        indexes = [scope_index("report")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("report_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_done(self):
        return self.status == ReportStatus.DONE

    @property
    def is_failed(self):
        return self.status == ReportStatus.FAILED


class ImportBatch(models.Model):
    """An uploaded workbook: read and checked, waiting for its preview to be confirmed (then
    committed). Large ones are checked and committed by a worker, with their progress."""

    kind = models.CharField(_("kind"), max_length=60)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    # What the upload form chose besides the file (e.g. the campaign), by import context key.
    context = models.JSONField(_("options"), default=dict, blank=True)
    scope_code = models.CharField(_("scope"), max_length=12, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Data rows in the file (known from the bounded scan at upload), and the errors found
    # by the last check (cells, rows and the file as a whole).
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows imported"), null=True, blank=True)
    # What was wrong with the file as a whole, or why the import was refused and rolled
    # back (naming the line). The rows themselves are ImportLines.
    file_errors = models.JSONField(_("file errors"), default=list, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "scope_code"

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_max_100"),
        ]
        indexes = [scope_index("import")]

    def __str__(self):
        return self.original_name

    @property
    def is_busy(self):
        """A worker has it (or will): the page shows the progress bar and polls."""
        return self.status in (
            ImportStatus.QUEUED,
            ImportStatus.CHECKING,
            ImportStatus.COMMITTING,
        )

    @property
    def is_committed(self):
        return self.status == ImportStatus.COMMITTED

    @property
    def is_failed(self):
        return self.status == ImportStatus.FAILED


class ImportLine(models.Model):
    """One row of an uploaded workbook as read (its cell texts, one per column of the
    import), with what the last check found wrong in it. The file is read once; the
    preview pages, the error workbook and the confirmation read these, a chunk at a time."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("line"))  # the row's number in the sheet
    cells = models.JSONField(_("cells"))
    # column key -> message ("" for the row as a whole); empty when the row is good.
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    # What makes two rows the same record (a village code, a code and a year): the check
    # finds a repeated row by this, across the whole file, without holding the file.
    key = models.CharField(_("key"), max_length=60, blank=True)
    has_errors = models.BooleanField(_("has errors"), default=False)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="one_import_line_per_row")
        ]
        indexes = [
            models.Index(fields=["batch", "key"], name="import_line_key"),
            models.Index(
                fields=["batch", "number"],
                condition=Q(has_errors=True),
                name="import_line_errors",
            ),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"


class BulkJob(models.Model):
    """One action on many records run by a worker (portal.bulk): what was asked, how far it
    has got, and each record's result. Seen by its requester only."""

    kind = models.CharField(_("kind"), max_length=60)
    action = models.CharField(_("action"), max_length=40)
    # The action's fields (opinion, date, …) as sent, JSON-safe.
    params = models.JSONField(_("options"), default=dict, blank=True)
    ids = models.JSONField(_("records"), default=list)
    # The requester's scope when asked: the job acts within the requester's scope when run.
    scope_code = models.CharField(_("scope"), max_length=12, blank=True, db_index=True)
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # [{"id", "ok", "status", "error"}, …] in the order of `ids`, filled as it runs.
    results = models.JSONField(_("results"), default=list, blank=True)
    done_count = models.PositiveIntegerField(_("done"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "scope_code"

    class Meta:
        verbose_name = _("batch job")
        verbose_name_plural = _("batch jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="bulkjob_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.kind}.{self.action} #{self.pk}"

    def get_absolute_url(self):
        return reverse("bulk_job_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


class Attachment(models.Model):
    """An evidence file attached to a record (a case, a plan task, …) of one village."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The code of the record's village: who may see the record may download the file.
    scope_code = models.CharField(_("scope"), max_length=12)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "scope_code"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"]), scope_index("attachment")]

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """An in-app message to one user; `key` makes sending it twice a no-op."""

    # No index of its own: the unique constraint (user, key) starts with the user and serves
    # every read of a user's notices (the deadline check writes 21,992 at a time).
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    key = models.CharField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("sent by e-mail at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")
        ]

    def __str__(self):
        return self.title


class DigestLog(models.Model):
    """One e-mail digest sent to a user on a day: there is never a second that day."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("notifications"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail digest")
        verbose_name_plural = _("e-mail digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_day")]

    def __str__(self):
        return f"{self.user} {self.day}"


class ApiToken(models.Model):
    """A key a user's scripts send instead of logging in (Authorization: Token <key>).

    Only the key's SHA-256 digest is kept: the key is shown once, when created, and a
    stolen database yields no usable key. The prefix lets its owner tell keys apart."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=50)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class CalendarDay(models.Model):
    """A day of China's official holiday arrangement entered by a county, for a year the
    `chinesecalendar` package does not hold yet (the State Council announces each year's in
    the winter before): a holiday on a weekday, or a make-up working day (调休) on a weekend.
    portal.workdays reads them; the package's own years are never overridden."""

    # The county (6-digit division code) that entered it and whose deadlines it moves.
    county_code = models.CharField(_("county"), max_length=6)
    day = models.DateField(_("day"))
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a make-up working day (调休上班). Not ticked: a public holiday."),
    )
    note = models.CharField(_("holiday"), max_length=30, blank=True)
    entered_by = models.ForeignKey(
        User, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "county_code"

    class Meta:
        verbose_name = _("holiday arrangement day")
        verbose_name_plural = _("holiday arrangement days")
        ordering = ["county_code", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "day"], name="one_calendar_day_per_county"
            )
        ]

    def __str__(self):
        return f"{self.county_code} {self.day}"
