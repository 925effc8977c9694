"""The inspections app's periodic jobs. The daily overdue sweep: plan tasks, case
deadlines and inspection findings past due, gathered into one notification per user per
day (township organizers: their township; county administrators: their county; first
secretaries: tasks assigned to them). And the quarterly report of each county
(inspections/reports.py builds it).

The sweep lives here, at the top of the domain apps, because it reads the ledger and the
inspections; it writes only notifications.
"""

from __future__ import annotations

from datetime import date

from celery.schedules import crontab
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from inspections.models import Finding
from inspections.reports import quarterly_request
from inspections.selectors import overdue_findings_q
from portal.choices import ReportStatus, Role
from portal.jobs import HOUR, every, job
from portal.models import User
from portal.months import previous_quarter, quarter_of
from portal.notifications import notify_many
from portal.workdays import WorkCalendar, calendars_for
from rectification.models import Case, PlanTask
from rectification.selectors import overdue_cases_q, overdue_tasks_q

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
    users = list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=[Role.TOWNSHIP_ORGANIZER, Role.COUNTY_ADMIN]) | Q(role=Role.FIRST_SECRETARY)
        )
        .values_list("pk", "role", "division_id")
    )
    # Nobody is sent a digest on a weekend or a public holiday, but on a make-up working day
    # (调休) they are: each user's county calendar says (portal.workdays). The next working
    # day's digest has everything still overdue.
    calendars = calendars_for({d[:6] for _u, _r, d in users if d and len(d) >= 6})
    national = WorkCalendar()
    by_area = {"tasks": _index(tasks), "cases": _index(cases), "findings": _index(findings)}
    messages = []
    for user_id, role, division in users:
        calendar = calendars.get((division or "")[:6], national)
        if not calendar.is_workday(day):
            continue
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


every(
    # Every day at 01:00: plan tasks, case deadlines and findings past due, one
    # notification per user on his working days (run_job overdue_sweep --period YYYY-MM-DD).
    "overdue-sweep",
    crontab(minute=0, hour=1),
    job="overdue_sweep",
    expires=12 * HOUR,
)


@job(
    "quarterly_report",
    period_help="first month of the quarter (YYYY-MM)",
    default=previous_quarter,
)
def quarterly_report(period: date) -> str:
    """Have each county's report for the quarter that contains `period` built, and each
    province's (one part per county, by as many workers as there are), once; each tells
    its area's administrators when it is ready. With workers the job only hands them the
    reports (the `reports` queue), so beat's queue is free again at once."""
    from portal.services import report_start

    year, quarter = quarter_of(period)
    codes = Case.objects.values_list("village__township__parent_id", flat=True).distinct()
    # Every township has its county: no None among them.
    counties = sorted({code for code in codes.order_by() if code is not None})
    provinces = sorted({county[:2] for county in counties})
    started = 0
    for area in counties + provinces:
        report, _created = quarterly_request(area=area, year=year, quarter=quarter)
        if report.status != ReportStatus.DONE:
            started += report_start(report_id=report.pk)
    return (
        f"quarterly_report {year}Q{quarter}: {started} started "
        f"({len(counties)} counties, {len(provinces)} provinces)"
    )


every(
    # 1 January, April, July and October at 02:00: each county's report on the quarter
    # just ended (run_job quarterly_report --period YYYY-MM, any month of the quarter).
    "quarterly-report",
    crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    job="quarterly_report",
    expires=20 * HOUR,
)
