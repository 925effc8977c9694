"""The choosers' sources of villages and divisions (portal.choosers), registered when the
app is ready: every app's forms and filters pick villages and divisions from them."""

from portal.choosers import register
from villages.models import Division, Village


def village_label(village):
    return f"{village.township.name} · {village.name}（{village.code}）"


def _villages(scope, params):
    """Villages in scope; `within` narrows to a division (a round's county)."""
    queryset = Village.objects.visible_to(scope).select_related("township").order_by("code")
    if params.get("within"):
        queryset = queryset.filter(code__startswith=params["within"])
    return queryset


def _divisions(scope, params):
    """Divisions in scope; `level` one level or several ("county,township")."""
    queryset = Division.objects.visible_to(scope).select_related("parent").order_by("code")
    if params.get("level"):
        queryset = queryset.filter(level__in=params["level"].split(","))
    return queryset


def division_label(division):
    parent = division.parent.name if division.parent_id else ""
    return f"{parent} · {division.name}（{division.code}）" if parent else division.name


register(
    "villages",
    _villages,
    label=village_label,
    search_fields=("name__icontains", "township__name__icontains"),
    params=("within",),
)
register("divisions", _divisions, label=division_label, params=("level",))
