"""Reads of the inspections app."""

from django.db.models import Count, Q
from django.utils import timezone

from inspections.choices import FindingStatus
from inspections.models import Circular, Finding, InspectionRound, Team, Visit


def round_list(*, user):
    return (
        InspectionRound.objects.visible_to(user)
        .select_related("county")
        .annotate(
            visit_count=Count("visits", distinct=True),
            finding_count=Count("visits__findings", distinct=True),
        )
        .order_by("-year", "-quarter", "-pk")  # aggregate queries drop Meta.ordering
    )


def teams_of(inspection):
    return Team.objects.filter(round=inspection).prefetch_related("members", "villages")


def visit_list(*, user):
    return Visit.objects.visible_to(user).select_related("village__township", "team", "round")


def finding_list(*, user):
    return Finding.objects.visible_to(user).select_related(
        "visit__village", "visit__round", "township", "category", "case"
    )


def overdue_findings_q(today=None):
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status=FindingStatus.VERIFIED)


def circular_list(*, user):
    return Circular.objects.visible_to(user).select_related("round", "county")


def finding_counts(*, user, inspection=None, year=None):
    findings = Finding.objects.visible_to(user)
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
