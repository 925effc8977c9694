"""Choices of the portal's own models, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The stored value is historical: an organization department's administrator at any
    # level (province, city or county), the level being his division's (User.role_title).
    COUNTY_ADMIN = "county_admin", _("Organization department (administrator)")
    TOWNSHIP_ORGANIZER = "township_organizer", _("Township organizer")
    INSPECTOR = "inspector", _("Inspector")
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    VIEWER = "viewer", _("Leader (read-only)")


# A division's level by the length of its code, as the pages name it (省级, 市级, 县级, …).
LEVEL_LABELS = {
    2: _("Province level"),
    4: _("City level"),
    6: _("County level"),
    9: _("Township level"),
    12: _("Village level"),
}

# An administrator's title at each level; a whole phrase each, never built from pieces.
ADMIN_TITLES = {
    2: _("Provincial organization department (administrator)"),
    4: _("City organization department (administrator)"),
    6: _("County organization department (administrator)"),
}


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


REPORT_STATUS_COLOURS = {
    ReportStatus.PENDING: "secondary",
    ReportStatus.RUNNING: "info",
    ReportStatus.DONE: "success",
    ReportStatus.FAILED: "danger",
}
