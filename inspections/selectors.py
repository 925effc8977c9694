"""Reads of the inspections app.

Who may know what, inside a county
----------------------------------

Scope by division says whose inspections a user sees at all; an inspection is worth
something only if the inspected do not know beforehand where it goes, so on top of scope:

* The county department (county administrators, at county level or above, and
  superusers) knows everything of its area: every round from when it is planned, every
  team's villages (the plan) and the draw seed, every visit and finding, draft circulars.
* A round's own inspectors (members of any of its teams) know that round as the
  department does: its plan, its seed, all its visits, also those dated ahead.
* Everyone else in scope — township organizers, first secretaries, leaders (viewers) and
  inspectors who are not on the round — learns after the fact:

  - a visit, with its findings, only once it has happened (visited on or before today),
    and only in their own area (a township its villages, a first secretary his village,
    a county-level reader the county);
  - an overt round (集中督查, 随机抽查: 明察) once it is announced (under way or closed), if
    they are a township or wider; an unannounced round (暗访), and any round for a first
    secretary, only once a visit in their area has happened;
  - of an announced overt round's plan, the villages in their own area: a township never
    sees another township's targets, a county-level reader sees them all; a first
    secretary no plan. The plan of an unannounced round, never. The draw seed (with the
    candidates it reproduces the draw) only who may know the whole plan.

* A circular exists for the county department only until it is published; then for
  everyone in scope (it is circulated to the whole county).

Every count (the rounds list and its export, a round's findings, the dashboard) counts what
the user may know. The rule is implemented once, in the models' `visible_to` querysets
(`inspections.models`), which the pages, the API, the exports, the form choices and the
services' lookups all use; what is about the plan is here (`round_plan`, `plan_known`).
Notifications follow from it: a circular is announced to the townships only when published,
and an overdue finding's deadline never precedes its visit, so it is after the fact.
"""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from firstsecretary.models import FirstSecretary
from inspections.choices import FindingStatus, RoundKind
from inspections.models import (
    ANNOUNCED,
    VILLAGE_CODE_LENGTH,
    AwarenessCheck,
    Circular,
    Finding,
    InspectionRound,
    Team,
    Visit,
)
from portal.scoping import Scope
from villages.models import Village


def _count(queryset, group):
    """A correlated count, so that each row counts only what the user may know."""
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")),
        0,
        output_field=IntegerField(),
    )


def round_list(*, scope: Scope) -> QuerySet[InspectionRound]:
    """The rounds the user may know of, with the visits and findings they may know of
    counted, and `plan_known` (whether they may know the whole plan and the draw seed)."""
    visits = Visit.objects.visible_to(scope).filter(round=OuterRef("pk"))
    findings = Finding.objects.visible_to(scope).filter(visit__round=OuterRef("pk"))
    return (
        InspectionRound.objects.visible_to(scope)
        .with_plan_known(scope)
        .select_related("county")
        .annotate(
            visit_count=_count(visits, "round"),
            finding_count=_count(findings, "visit__round"),
        )
        .order_by("-year", "-quarter", "-pk")  # aggregate queries drop Meta.ordering
    )


def plan_known(*, scope: Scope, inspection: InspectionRound) -> bool:
    """Whether the scope's reader may know the round's whole plan and its draw seed."""
    known = getattr(inspection, "plan_known", None)
    if known is None:
        known = (
            InspectionRound.objects.with_plan_known(scope)
            .filter(pk=inspection.pk)
            .values_list("plan_known", flat=True)
            .first()
        )
    return bool(known)


def round_plan(*, scope: Scope, inspection: InspectionRound) -> list[Team] | None:
    """The round's teams, each with the villages to visit that the scope's reader may know
    of; None when the reader may know nothing of the plan (see the module's docstring)."""
    prefix = scope.prefix
    if prefix is None:
        return None
    villages = Village.objects.order_by("code")
    if not plan_known(scope=scope, inspection=inspection):
        overt = inspection.kind != RoundKind.UNANNOUNCED and inspection.status in ANNOUNCED
        if not overt or len(prefix) >= VILLAGE_CODE_LENGTH:
            return None
        villages = villages.filter(code__startswith=prefix)
    return list(
        Team.objects.filter(round=inspection).prefetch_related(
            "members", Prefetch("villages", queryset=villages)
        )
    )


def visit_list(*, scope: Scope) -> QuerySet[Visit]:
    return Visit.objects.visible_to(scope).select_related("village__township", "team", "round")


def finding_list(*, scope: Scope) -> QuerySet[Finding]:
    return Finding.objects.visible_to(scope).select_related(
        "visit__village", "visit__round", "township", "category", "case"
    )


def overdue_findings_q(today=None):
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status=FindingStatus.VERIFIED)


def finding_is_overdue(finding, today):
    """One finding by `overdue_findings_q`: past its deadline and not verified."""
    return finding.deadline < today and finding.status != FindingStatus.VERIFIED


def circular_list(*, scope: Scope) -> QuerySet[Circular]:
    return Circular.objects.visible_to(scope).select_related("round", "county")


def finding_counts(
    *, scope: Scope, inspection: InspectionRound | None = None, year: int | None = None
) -> dict[str, int]:
    findings = Finding.objects.visible_to(scope)
    if inspection is not None:
        findings = findings.filter(visit__round=inspection)
    if year is not None:
        findings = findings.filter(visit__round__year=year)
    return findings.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=FindingStatus.OPEN)),
        rectifying=Count("pk", filter=Q(status=FindingStatus.RECTIFYING)),
        verified=Count("pk", filter=Q(status=FindingStatus.VERIFIED)),
        overdue=Count("pk", filter=overdue_findings_q()),
    )


# --- The village's file (一村一档) ---------------------------------------------------------


def village_visits(*, scope: Scope, village) -> list[Visit]:
    """The inspection visits to the village that the reader may know of, newest first,
    each with its findings and their answers: two queries whatever its history."""
    return list(
        Visit.objects.visible_to(scope)
        .filter(village=village)
        .select_related("round", "team", "awareness__secretary")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.visible_to(scope)
                .select_related("category", "verified_by")
                .order_by("deadline", "pk"),
            )
        )
        .order_by("-visited_on", "-pk")
    )


def village_circulars(*, scope: Scope, village) -> list[Circular]:
    """The circulars the reader may know of that name the village: those of a round with a
    known finding there (the draft lists every finding by village), or whose text names it
    (an edited one); in one query."""
    found_there = Finding.objects.visible_to(scope).filter(
        visit__village=village, visit__round=OuterRef("round")
    )
    named = (
        Q(Exists(found_there))
        | Q(body__contains=f"{village.name}：")
        | Q(body__contains=f"{village.name}:")
    )
    return list(
        Circular.objects.visible_to(scope)
        .filter(named)
        .filter(county_id=village.code[:6])
        .select_related("round", "county")
        .order_by("-published_at", "-pk")
    )


# --- Villagers' awareness of their first secretary (群众知晓率) ------------------------------


@dataclass
class Awareness:
    """Households asked on visits whether they know the first secretary, and who did."""

    asked: int = 0
    aware: int = 0
    visits: int = 0

    @property
    def rate(self) -> int | None:
        """The share (%) of the households asked that know him; None when none was asked."""
        return round(100 * self.aware / self.asked) if self.asked else None


def _tally(queryset) -> Awareness:
    totals = queryset.aggregate(
        asked=Coalesce(Sum("households_asked"), 0),
        aware=Coalesce(Sum("households_aware"), 0),
        visits=Count("pk"),
    )
    return Awareness(totals["asked"], totals["aware"], totals["visits"])


def village_awareness(*, scope: Scope, village) -> Awareness:
    """The village's households interviewed on the visits the reader may know of: one query."""
    return _tally(AwarenessCheck.objects.visible_to(scope).filter(visit__village=village))


def secretary_awareness(
    *, scope: Scope, secretary: FirstSecretary
) -> tuple[Awareness, list[tuple[Village, Awareness]]]:
    """The secretary's rate over every visit to a village while he was posted there, and
    the rate village by village: two queries."""
    checks = AwarenessCheck.objects.visible_to(scope).filter(secretary=secretary)
    rows = (
        checks.values("visit__village")
        .annotate(asked=Sum("households_asked"), aware=Sum("households_aware"), n=Count("pk"))
        .order_by("visit__village")
    )
    per_village = {
        row["visit__village"]: Awareness(row["asked"], row["aware"], row["n"]) for row in rows
    }
    villages = Village.objects.in_bulk(list(per_village)) if per_village else {}
    total = Awareness(
        sum(a.asked for a in per_village.values()),
        sum(a.aware for a in per_village.values()),
        sum(a.visits for a in per_village.values()),
    )
    return total, [(villages[code], tally) for code, tally in per_village.items()]
