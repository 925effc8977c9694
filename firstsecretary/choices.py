"""Choices of the first-secretary app, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class UnitKind(models.TextChoices):
    PARTY = "party", _("Party and mass organisation")
    GOVERNMENT = "government", _("Government department")
    INSTITUTION = "institution", _("Public institution")
    ENTERPRISE = "enterprise", _("State-owned enterprise")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    UNDERGRADUATE = "undergraduate", _("Undergraduate")
    COLLEGE = "college", _("College")
    SECONDARY = "secondary", _("Secondary school or below")


class LogKind(models.TextChoices):
    VISIT = "visit", _("Household visits")
    MEETING = "meeting", _("Meeting or Party activity")
    PROJECT = "project", _("Development project")
    MEDIATION = "mediation", _("Dispute mediation")
    STUDY = "study", _("Study and training")
    OTHER = "other", _("Other work")


class EvaluationGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASIC = "basic", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class SupportKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise helping to build")
    DEPARTMENT = "department", _("Upper department pairing")
    COUNTY_LEADER = "county_leader", _("County-level contact leader")
    PROJECT = "project", _("Development project")
    TOWNSHIP_CONTACT = "township_contact", _("Township leader's contact point")
    MENTOR = "mentor", _("Excellent village secretary pairing")


# The "five ones" (五个一) of seed 004; the first secretary is the active assignment.
FIVE_ONES = (
    SupportKind.ENTERPRISE,
    SupportKind.DEPARTMENT,
    SupportKind.COUNTY_LEADER,
    "first_secretary",
    SupportKind.PROJECT,
)


# The supporters who visit the village (联系包保走访) and whose visits are recorded and
# watched: seed 000's contact leaders, departments and enterprises, and the mentors.
VISITING_KINDS = (
    SupportKind.COUNTY_LEADER,
    SupportKind.DEPARTMENT,
    SupportKind.ENTERPRISE,
    SupportKind.MENTOR,
)


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDERWAY = "underway", _("Underway")
    COMPLETED = "completed", _("Completed")


class SupportAction:
    """What a user may do with a case's supporters (ADD) and with one support link (REMOVE,
    its `available_actions`)."""

    ADD = "add"
    REMOVE = "remove"


# The support link's action names: the API field's enum (SupportActionEnum).
SUPPORT_LINK_ACTIONS = (SupportAction.REMOVE,)
