"""Choices of the villages app, used as constants, with badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
