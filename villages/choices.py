"""Choices of the villages app, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")


# Length of the statistical division code at each level (a materialised path).
CODE_LENGTH = {
    DivisionLevel.PROVINCE: 2,
    DivisionLevel.CITY: 4,
    DivisionLevel.COUNTY: 6,
    DivisionLevel.TOWNSHIP: 9,
}
VILLAGE_CODE_LENGTH = 12


class DueDayRule(models.TextChoices):
    """What a county does when its activity-plan due day (the 25th) is not a working day."""

    KEEP = "keep", _("Keep the date")
    POSTPONE = "postpone", _("Move to the next working day (顺延)")


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("Village committee")
    COMMUNITY = "community", _("Community")
    GACHA = "gacha", _("Gacha")


VILLAGE_KIND_COLOURS = {
    VillageKind.VILLAGE: "success",
    VillageKind.COMMUNITY: "primary",
    VillageKind.GACHA: "warning",
}


class PartyOrgType(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")


class ActivityKind(models.TextChoices):
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")
    MEMBER_ASSEMBLY = "member_assembly", _("Party member assembly")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LESSON = "party_lesson", _("Party lesson")
    THEME_DAY = "theme_day", _("Theme Party day")
    OTHER = "other", _("Other activity")


class PlanState(models.TextChoices):
    """How a village stands for a month, as the township page shows it."""

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    LATE = "late", _("Submitted late")
    NO_ACTIVITY = "no_activity", _("No activity planned")


PLAN_STATE_COLOURS = {
    PlanState.NOT_STARTED: "secondary",
    PlanState.DRAFT: "warning",
    PlanState.SUBMITTED: "success",
    PlanState.LATE: "danger",
    PlanState.NO_ACTIVITY: "info",
}


class TimelinessLevel(models.TextChoices):
    """The colours of every activity-plan timeliness table, and the words of their legend."""

    GOOD = "good", _("At least 95 percent of plans on time")
    FAIR = "fair", _("At least 80 percent submitted, on time or late")
    POOR = "poor", _("Fewer than 80 percent submitted")
    NOT_DUE = "not_due", _("Not yet due (the plan is due by the 25th of the month before)")
    NO_DATA = "no_data", _("No data: before the county's first activity plan")


TIMELINESS_LEVEL_COLOURS = {
    TimelinessLevel.GOOD: "table-success",
    TimelinessLevel.FAIR: "table-warning",
    TimelinessLevel.POOR: "table-danger",
    TimelinessLevel.NOT_DUE: "",
    TimelinessLevel.NO_DATA: "table-secondary",
}


class VenueState(models.TextChoices):
    """Where a village's activity venue (活动场所) stands."""

    MEETS = "meets", _("Up to standard")
    EXTENDING = "extending", _("Being renovated or extended")
    BUILDING = "building", _("Being built")
    BELOW = "below", _("Below standard")


VENUE_STATE_COLOURS = {
    VenueState.MEETS: "success",
    VenueState.EXTENDING: "warning",
    VenueState.BUILDING: "info",
    VenueState.BELOW: "danger",
}


class FundingSource(models.TextChoices):
    """Who paid for a venue (seed 001 lists them): each level of government, the village's
    own money and society's (enterprises, donors)."""

    CENTRAL = "central", pgettext_lazy("funding source", "Central government")
    PROVINCE = "province", pgettext_lazy("funding source", "Province")
    CITY = "city", pgettext_lazy("funding source", "City")
    COUNTY = "county", pgettext_lazy("funding source", "County")
    OWN = "own", _("Raised by the village")
    SOCIAL = "social", _("Society")


# The standard area of a venue in m² by village kind, where no province or county has set
# its own (Division.venue_area_*). Seed 004: at least 200 m² in farming villages, 150 m²
# in pastoral gacha. The seeds give no figure for urban communities; a community's centre
# serves at least as many people as a village's, so it is held to the village's 200 m²
# until its province or county sets a figure of its own.
VENUE_STANDARD_AREA = {
    VillageKind.VILLAGE: 200,
    VillageKind.COMMUNITY: 200,
    VillageKind.GACHA: 150,
}
VENUE_AREA_FIELDS = {
    VillageKind.VILLAGE: "venue_area_village",
    VillageKind.COMMUNITY: "venue_area_community",
    VillageKind.GACHA: "venue_area_gacha",
}
