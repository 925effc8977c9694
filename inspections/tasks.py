"""The daily overdue sweep: plan tasks, case deadlines and inspection findings past due,
gathered into one notification per user per day (township organizers: their township;
county administrators: their county; first secretaries: tasks assigned to them).

It lives here, at the top of the app layers, because it reads the ledger and the
inspections; it writes only notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from inspections.models import Finding
from inspections.selectors import overdue_findings_q
from portal.choices import Role
from portal.jobs import job
from portal.models import User
from portal.notifications import notify_many
from rectification.models import Case, PlanTask
from rectification.selectors import overdue_cases_q, overdue_tasks_q

if TYPE_CHECKING:
    from datetime import date

SHOWN = 10


def _today(today):
    return today


def _index(rows):
    """Rows (village code first) under every division code on their path, so that each
    user's share is one dictionary lookup rather than a scan."""
    index = {}
    for row in rows:
        for length in (2, 4, 6, 9):
            index.setdefault(row[0][:length], []).append(row)
    return index


@job(
    "overdue_sweep",
    period_help="day (YYYY-MM-DD): one digest of overdue items per user",
    default=_today,
)
def overdue_sweep(day: date) -> str:
    tasks = list(
        PlanTask.objects.filter(overdue_tasks_q(today=day)).values_list(
            "plan__case__village__code", "plan__case__village__name", "measure", "assignee_id"
        )
    )
    cases = list(
        Case.objects.filter(overdue_cases_q(today=day)).values_list(
            "village__code", "village__name"
        )
    )
    findings = list(
        Finding.objects.filter(overdue_findings_q(today=day)).values_list(
            "visit__village__code", "visit__village__name", "description"
        )
    )
    users = (
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=[Role.TOWNSHIP_ORGANIZER, Role.COUNTY_ADMIN]) | Q(role=Role.FIRST_SECRETARY)
        )
        .values_list("pk", "role", "division_id")
    )
    by_area = {"tasks": _index(tasks), "cases": _index(cases), "findings": _index(findings)}
    messages = []
    for user_id, role, division in users:
        if role == Role.FIRST_SECRETARY:
            mine_tasks = [t for t in tasks if t[3] == user_id]
            mine_cases, mine_findings = [], []
        else:
            mine_tasks = by_area["tasks"].get(division, [])
            mine_cases = by_area["cases"].get(division, [])
            mine_findings = by_area["findings"].get(division, [])
        if not (mine_tasks or mine_cases or mine_findings):
            continue
        lines = [f"{t[1]}：{t[2][:30]}" for t in mine_tasks[:SHOWN]]
        lines += [
            _("{village}: past its deadline for transformation").format(village=c[1])
            for c in mine_cases[:SHOWN]
        ]
        lines += [f"{f[1]}：{f[2][:30]}" for f in mine_findings[:SHOWN]]
        messages.append(
            (
                user_id,
                f"overdue:{day.isoformat()}",
                _(
                    "Overdue on {day}: {tasks} plan tasks, {cases} cases, {findings} findings"
                ).format(
                    day=day.isoformat(),
                    tasks=len(mine_tasks),
                    cases=len(mine_cases),
                    findings=len(mine_findings),
                ),
                "\n".join(lines),
                reverse("case_list") + "?overdue=true",
            )
        )
    sent = notify_many(messages)
    return (
        f"overdue_sweep {day}: {len(tasks)} tasks, {len(cases)} cases, "
        f"{len(findings)} findings, {sent} notified"
    )
