"""The quarterly inspection report (一季度一督查一通报): one workbook per county and quarter.

Sheets: a summary per township (cases by status, conversion, activity-plan timeliness,
first-secretary presence, findings), the ledger, the quarter's findings and visits. Each
figure is one grouped query for all townships; rows are streamed (write-only workbook).
Built by the beat job on the first day of each quarter, by `run_job quarterly_report
--period YYYY-MM`, or from the inspections page (a generated report with progress).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from firstsecretary.selectors import presence
from inspections.choices import FindingStatus
from inspections.models import Finding, Visit
from portal import exports
from portal.choices import ReportStatus, Role
from portal.excel import Column, XlsxTable
from portal.jobs import job
from portal.models import GeneratedReport, User
from portal.months import previous_quarter, quarter_months, quarter_of
from portal.notifications import notify_many
from portal.scoping import Scope
from rectification.choices import CONVERTED, CaseStatus
from rectification.exports import LEDGER
from rectification.models import Case
from villages.models import Division
from villages.selectors import Timeliness, percent, timeliness

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import IO, Any

KIND = "inspections.quarterly"


def summary_rows(county: str, year: int, quarter: int) -> list[dict[str, Any]]:
    """One row per township: the figures of the quarter, each from one grouped query."""
    scope = Scope.under(county)  # a report no person asked for: one county
    months = quarter_months(year, quarter)
    townships = list(
        Division.objects.filter(level="township", code__startswith=county).order_by("code")
    )
    cases = {
        row["village__township_id"]: row
        for row in Case.objects.filter(village__code__startswith=county)
        .values("village__township_id")
        .annotate(
            total=Count("pk"),
            **{status: Count("pk", filter=Q(status=status)) for status in CaseStatus.values},
        )
        .order_by()
    }
    plans = timeliness(scope=scope, months=months)
    postings: dict[str, set[int]] = {}
    below: dict[str, int] = {}
    for month in months:
        for row in presence(scope=scope, month=month):
            code = row.assignment.village.township_id
            postings.setdefault(code, set()).add(row.assignment.pk)
            if row.below_threshold:
                below[code] = below.get(code, 0) + 1
    findings = {
        row["township_id"]: row
        for row in Finding.objects.filter(
            visit__round__county_id=county,
            visit__round__year=year,
            visit__round__quarter=quarter,
            # The report is read county-wide: only visits that have happened (see selectors).
            visit__visited_on__lte=timezone.localdate(),
        )
        .values("township_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(status=FindingStatus.VERIFIED)),
            verified=Count("pk", filter=Q(status=FindingStatus.VERIFIED)),
        )
        .order_by()
    }
    rows = []
    for township in townships:
        c: Mapping[str, Any] = cases.get(township.code, {})
        reported = Timeliness()
        for month in months:
            t = plans.get((township.code, month))
            if t is not None:
                reported.expected += t.expected
                reported.on_time += t.on_time
                reported.late += t.late
        converted = sum(c.get(status, 0) for status in CONVERTED)
        f: Mapping[str, Any] = findings.get(township.code, {})
        rows.append(
            {
                "township": township.name,
                "cases": c.get("total", 0),
                **{status: c.get(status, 0) for status in CaseStatus.values},
                "conversion": percent(converted, c.get("total", 0)),
                "expected": reported.expected,
                "on_time_rate": reported.on_time_rate,
                "rate": reported.rate,
                "postings": len(postings.get(township.code, ())),
                "below": below.get(township.code, 0),
                "findings": f.get("total", 0),
                "findings_open": f.get("open", 0),
                "findings_verified": f.get("verified", 0),
            }
        )
    return rows


SUMMARY_COLUMNS = [
    Column(gettext_lazy("Township / street"), lambda r: r["township"], 14),
    Column(gettext_lazy("Cases"), lambda r: r["cases"], 7),
    *[Column(label, lambda r, s=status: r[s], 7) for status, label in CaseStatus.choices],
    Column(gettext_lazy("Conversion rate (%)"), lambda r: r["conversion"], 9),
    Column(gettext_lazy("Plans expected"), lambda r: r["expected"], 8),
    Column(gettext_lazy("Reporting rate (%)"), lambda r: r["rate"], 9),
    Column(gettext_lazy("On-time rate (%)"), lambda r: r["on_time_rate"], 9),
    Column(gettext_lazy("First secretaries posted"), lambda r: r["postings"], 9),
    Column(gettext_lazy("Months under the presence threshold"), lambda r: r["below"], 10),
    Column(gettext_lazy("Findings"), lambda r: r["findings"], 7),
    Column(gettext_lazy("Findings not verified"), lambda r: r["findings_open"], 8),
    Column(gettext_lazy("Findings verified"), lambda r: r["findings_verified"], 8),
]


def build(report: GeneratedReport, handle: IO[bytes], set_progress: Callable[[int], None]) -> int:
    """Write the quarterly workbook for report.params {county, year, quarter}."""
    from inspections.exports import FINDINGS, VISITS

    county, year, quarter = (
        report.params["county"],
        int(report.params["year"]),
        int(report.params["quarter"]),
    )
    workbook = Workbook(write_only=True)
    title = _("{county}, quarter {quarter} of {year}").format(
        county=Division.objects.get(pk=county).name, quarter=quarter, year=year
    )
    summary = XlsxTable(
        sheet_title=_("By township"),
        title=_("Summary by township — {title}").format(title=title),
        columns=SUMMARY_COLUMNS,
        workbook=workbook,
    )
    rows = summary_rows(county, year, quarter)
    for row in rows:
        summary.append(row)
    summary.close()
    set_progress(25)
    count = len(rows)
    # The report is read county-wide: only the visits that have happened (see selectors).
    happened = timezone.localdate()
    in_quarter = Q(
        round__county_id=county,
        round__year=year,
        round__quarter=quarter,
        visited_on__lte=happened,
    )
    sections = [
        # The ledger export is declared with its list's selector, so `base` is set.
        (LEDGER, LEDGER.base(Scope.under(county))),  # type: ignore[misc]
        (
            FINDINGS,
            Finding.objects.filter(
                visit__round__county_id=county,
                visit__round__year=year,
                visit__round__quarter=quarter,
                visit__visited_on__lte=happened,
            ).select_related("visit__village", "visit__round", "township", "category"),
        ),
        (
            VISITS,
            Visit.objects.filter(in_quarter).select_related("village__township", "team", "round"),
        ),
    ]
    for step, (export, queryset) in enumerate(sections, start=1):
        table = XlsxTable(
            sheet_title=export.title,
            title=f"{export.title} — {title}",
            columns=export.columns,
            numbered=export.numbered,
            workbook=workbook,
        )
        for obj in queryset.iterator(chunk_size=2000):
            table.append(obj)
        table.close()
        count += table.rows
        set_progress(25 + step * 25)
    workbook.save(handle)
    return count


QUARTERLY = exports.register_builder(
    exports.ReportBuilder(
        kind=KIND,
        title=gettext_lazy("Quarterly inspection report"),
        filename=gettext_lazy("quarterly-report"),
        build=build,
    )
)


def quarterly_request(
    *, county: str, year: int, quarter: int, requested_by: User | None = None
) -> tuple[GeneratedReport, bool]:
    """The county's report for the quarter: the existing one, or a new one queued."""
    params = {"county": county, "year": year, "quarter": quarter}
    report = GeneratedReport.objects.filter(kind=KIND, scope_code=county, params=params).first()
    created = report is None
    if report is None:
        report = GeneratedReport.objects.create(
            kind=KIND,
            title=_("Quarterly inspection report, {year} Q{quarter}").format(
                year=year, quarter=quarter
            ),
            params=params,
            scope_code=county,
            requested_by=requested_by,
        )
    return report, created


def quarterly_county_of(user: User) -> str | None:
    """The county whose quarterly report `user` may ask for: their own, when they work at
    county level (the department, its inspectors and leaders). A township's or a village's
    account gets None: the workbook covers every township of the county, which they may
    not read."""
    division = getattr(user, "division", None)
    if division is None or len(division.code) != 6:
        return None
    return division.code


def quarterly_ask(*, county: str, year: int, quarter: int, acting_user: User) -> GeneratedReport:
    """The report button: the county's report for the quarter, queued to be built when it
    is new or failed, through the path that tolerates Redis being down (report_queue)."""
    from portal.services import report_queue

    report, created = quarterly_request(
        county=county, year=year, quarter=quarter, requested_by=acting_user
    )
    if created or report.status == ReportStatus.FAILED:
        report_queue(report)
    return report


@job(
    "quarterly_report",
    period_help="first month of the quarter (YYYY-MM)",
    default=previous_quarter,
)
def quarterly_report(period: date) -> str:
    """Build each county's report for the quarter that contains `period`, once, and tell
    the county's administrators it is ready."""
    from portal.services import report_build

    year, quarter = quarter_of(period)
    counties = (
        Case.objects.values_list("village__township__parent_id", flat=True).distinct().order_by()
    )
    built = 0
    # Every township has its county: no None among them.
    for county in sorted({code for code in counties if code is not None}):
        report, _created = quarterly_request(county=county, year=year, quarter=quarter)
        if report.status != ReportStatus.DONE:
            report_build(report_id=report.pk)
            built += 1
        admins = User.objects.filter(
            role=Role.COUNTY_ADMIN,
            is_active=True,
            division__code__in=[county[:2], county[:4], county],
        ).values_list("pk", flat=True)
        notify_many(
            [
                (
                    user_id,
                    f"quarterly-report:{year}Q{quarter}:{county}",
                    _("The inspection report for {year} Q{quarter} is ready").format(
                        year=year, quarter=quarter
                    ),
                    "",
                    reverse("report_detail", args=[report.pk]),
                )
                for user_id in admins
            ]
        )
    return f"quarterly_report {year}Q{quarter}: {built} built"
