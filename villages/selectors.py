"""Reads of divisions and villages: the figures of a scope, one query per figure."""

from django.db.models import Count, Q

from villages.choices import DivisionLevel, VillageKind
from villages.models import Division, Village


def township_list(*, user):
    """The townships in scope, each with its villages counted by kind, in one query."""
    return (
        Division.objects.visible_to(user)
        .filter(level=DivisionLevel.TOWNSHIP)
        .select_related("parent")
        .annotate(
            total_count=Count("villages"),
            **{
                f"{kind}_count": Count("villages", filter=Q(villages__kind=kind))
                for kind in VillageKind.values
            },
        )
        # Meta.ordering does not apply to aggregate queries: order explicitly for paging.
        .order_by("code")
    )


def village_counts(*, user):
    """Villages in scope by kind, plus the total and the number of townships."""
    villages = Village.objects.visible_to(user).aggregate(
        total=Count("code"),
        **{kind: Count("code", filter=Q(kind=kind)) for kind in VillageKind.values},
    )
    villages["townships"] = (
        Division.objects.visible_to(user).filter(level=DivisionLevel.TOWNSHIP).count()
    )
    return villages


def scope_division(*, user):
    """The division a user acts for, or None for a national administrator."""
    if user.division_id is None:
        return None
    return Division.objects.select_related("parent__parent__parent").get(pk=user.division_id)


def division_path(division):
    """The division's ancestors, from the province down (already loaded by scope_division)."""
    path = []
    node = division.parent if division else None
    while node is not None:
        path.insert(0, node)
        node = node.parent
    return path
