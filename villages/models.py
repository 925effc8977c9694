"""Administrative divisions and villages: the root every other record hangs from."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet
from villages.choices import DivisionLevel, PartyOrgType, VillageKind


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
