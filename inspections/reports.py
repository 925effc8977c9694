"""The quarterly inspection report (一季度一督查一通报): one workbook per county and quarter.

Sheets: a summary per township (cases by status, conversion, activity-plan timeliness,
first-secretary presence, findings, villagers' awareness of their first secretary), the
ledger, the quarter's findings and visits (with each visit's household interviews). Each
figure is one grouped query for all townships; rows are streamed (write-only workbook).
Built by the beat job on the first day of each quarter (inspections/jobs.py), by `run_job
quarterly_report --period YYYY-MM`, or from the inspections page (a generated report with progress).

The same report covers a city, a province or the whole country (its `area`): one row per
township, the sheets county by county. Such a report is built in parts, one per county, by
as many workers as there are (portal.tasks.build_report fans it out), then joined; the
workbook is the one a single task writes (`build`), cell for cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from firstsecretary.selectors import presence
from inspections.choices import FindingStatus
from inspections.models import AwarenessCheck, Finding, Visit
from portal import exports
from portal.choices import ReportStatus, Role
from portal.excel import Column, XlsxTable, row_values
from portal.models import GeneratedReport, User
from portal.months import quarter_months
from portal.notifications import notify_many
from portal.scoping import DIVISION_LENGTHS, Scope
from rectification.choices import CONVERTED, CaseStatus
from rectification.exports import LEDGER
from rectification.models import Case
from villages.models import Division
from villages.selectors import Timeliness, percent, timeliness

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import IO, Any

KIND = "inspections.quarterly"


def area_of(params: Mapping[str, Any]) -> str:
    """The report's area: a county's, city's or province's code, "" for the whole country.
    (Reports asked for before reports had areas name it `county`.)"""
    return str(params.get("area", params.get("county", "")))


def _scope(area: str) -> Scope:
    # A report no person asked for: one area, read as from outside the department.
    if not area:
        return Scope.everything(reason="the quarterly report of the whole country")
    return Scope.under(area)


def _in_area(county: str, area: str) -> Q:
    """Rounds (by the path to their county) in `area`: one county's by its key."""
    if len(area) >= 6:
        return Q(**{f"{county}_id": area})
    return Q(**{f"{county}__code__startswith": area}) if area else Q()


def summary_rows(area: str, year: int, quarter: int) -> list[dict[str, Any]]:
    """One row per township of `area`: the figures of the quarter, each from one grouped
    query."""
    scope = _scope(area)
    months = quarter_months(year, quarter)
    townships = list(
        Division.objects.filter(level="township", code__startswith=area).order_by("code")
    )
    cases = {
        row["village__township_id"]: row
        for row in Case.objects.filter(village__code__startswith=area)
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
            _in_area("visit__round__county", area),
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
    # Villagers' awareness of their first secretary (群众知晓率), from the quarter's visits.
    interviews = {
        row["visit__village__township_id"]: row
        for row in AwarenessCheck.objects.filter(
            _in_area("visit__round__county", area),
            visit__round__year=year,
            visit__round__quarter=quarter,
            visit__visited_on__lte=timezone.localdate(),
        )
        .values("visit__village__township_id")
        .annotate(asked=Sum("households_asked"), aware=Sum("households_aware"))
        .order_by()
    }
    rows = []
    for township in townships:
        c: Mapping[str, Any] = cases.get(township.code, {})
        asked_here: Mapping[str, Any] = interviews.get(township.code, {})
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
                "asked": asked_here.get("asked", 0),
                "aware": asked_here.get("aware", 0),
                "awareness": percent(asked_here.get("aware", 0), asked_here.get("asked", 0)),
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
    Column(gettext_lazy("Households asked"), lambda r: r["asked"], 8),
    Column(gettext_lazy("Households that know the first secretary"), lambda r: r["aware"], 10),
    Column(gettext_lazy("Awareness rate (%)"), lambda r: r["awareness"], 9),
]


def _exports():
    from inspections.exports import FINDINGS, VISITS

    return [LEDGER, FINDINGS, VISITS]


def _sections(area: str, year: int, quarter: int) -> list[tuple[Any, Any]]:
    """The sheets after the summary: (export, queryset), county by county."""
    from inspections.exports import FINDINGS, VISITS

    # The report is read area-wide: only the visits that have happened (see selectors).
    happened = timezone.localdate()
    return [
        # The ledger export is declared with its list's selector, so `base` is set. In
        # village code order: county by county already.
        (LEDGER, LEDGER.base(_scope(area))),  # type: ignore[misc]
        (
            FINDINGS,
            Finding.objects.filter(
                _in_area("visit__round__county", area),
                visit__round__year=year,
                visit__round__quarter=quarter,
                visit__visited_on__lte=happened,
            )
            .select_related("visit__village", "visit__round", "township", "category")
            .order_by("visit__round__county_id", "deadline", "pk"),
        ),
        (
            VISITS,
            Visit.objects.filter(
                _in_area("round__county", area),
                round__year=year,
                round__quarter=quarter,
                visited_on__lte=happened,
            )
            .select_related("village__township", "team", "round", "awareness__secretary")
            .order_by("round__county_id", "-visited_on", "-pk"),
        ),
    ]


def _write(
    report: GeneratedReport,
    handle: IO[bytes],
    set_progress: Callable[[int], None],
    summary: Iterable[dict[str, Any]],
    sheets: Callable[[int, XlsxTable], None],
) -> int:
    """Write the workbook: the summary rows, then each section's sheet filled by
    `sheets(index, table)`. Returns the number of rows written."""
    area, year, quarter = _period(report)
    workbook = Workbook(write_only=True)
    title = _("{county}, quarter {quarter} of {year}").format(
        county=Division.objects.get(pk=area).name if area else _("Nationwide"),
        quarter=quarter,
        year=year,
    )
    table = XlsxTable(
        sheet_title=_("By township"),
        title=_("Summary by township — {title}").format(title=title),
        columns=SUMMARY_COLUMNS,
        workbook=workbook,
    )
    for row in summary:
        table.append(row)
    table.close()
    set_progress(25)
    count = table.rows
    for index, export in enumerate(_exports()):
        table = XlsxTable(
            sheet_title=export.title,
            title=f"{export.title} — {title}",
            columns=export.columns,
            numbered=export.numbered,
            workbook=workbook,
        )
        sheets(index, table)
        table.close()
        count += table.rows
        set_progress(25 + (index + 1) * 25)
    workbook.save(handle)
    return count


def build(report: GeneratedReport, handle: IO[bytes], set_progress: Callable[[int], None]) -> int:
    """Write the quarterly workbook for report.params {area, year, quarter} in one task."""
    area, year, quarter = _period(report)
    sections = _sections(area, year, quarter)

    def fill(index, table):
        for obj in sections[index][1].iterator(chunk_size=2000):
            table.append(obj)

    return _write(report, handle, set_progress, summary_rows(area, year, quarter), fill)


def _period(report: GeneratedReport) -> tuple[str, int, int]:
    return area_of(report.params), int(report.params["year"]), int(report.params["quarter"])


def counties(report: GeneratedReport) -> list[str]:
    """The parts of an area's report: the counties with townships in it, in code order
    (a county's own report is one part: built in one task)."""
    area = area_of(report.params)
    if len(area) >= 6:
        return [area]
    codes = (
        Division.objects.filter(level="township", code__startswith=area)
        .annotate(county=Substr("code", 1, 6))
        .values_list("county", flat=True)
        .distinct()
        .order_by("county")
    )
    return list(codes)


def build_part(report: GeneratedReport, county: str) -> dict[str, Any]:
    """One county's share of an area's report, as plain data: its summary rows and the
    rows of each sheet."""
    _area, year, quarter = _period(report)
    sheets = []
    for export, queryset in _sections(county, year, quarter):
        # One county's rows, fetched at once: no server-side cursor (which PostgreSQL
        # materialises again outside a transaction) for a few hundred rows.
        sheets.append([row_values(export.columns, obj) for obj in queryset])
    return {"summary": summary_rows(county, year, quarter), "sheets": sheets}


def join(
    report: GeneratedReport,
    parts: list[dict[str, Any]],
    handle: IO[bytes],
    set_progress: Callable[[int], None],
) -> int:
    """The workbook `build` writes, from the counties' parts in county order."""

    def fill(index, table):
        for part in parts:
            for values in part["sheets"][index]:
                table.append_values(values)

    summary = (row for part in parts for row in part["summary"])
    return _write(report, handle, set_progress, summary, fill)


def notify_readers(report: GeneratedReport) -> int:
    """Tell the administrators of the report's area (and those above it) that it is
    ready; once per area and quarter."""
    area, year, quarter = _period(report)
    if not area:
        return 0  # the whole country's report: read by superusers, who have no inbox duty
    admins = User.objects.filter(
        role=Role.COUNTY_ADMIN,
        is_active=True,
        division__code__in=[area[:n] for n in DIVISION_LENGTHS if n <= len(area)],
    ).values_list("pk", flat=True)
    return notify_many(
        [
            (
                user_id,
                f"quarterly-report:{year}Q{quarter}:{area}",
                _("The inspection report for {year} Q{quarter} is ready").format(
                    year=year, quarter=quarter
                ),
                "",
                reverse("report_detail", args=[report.pk]),
            )
            for user_id in admins
        ]
    )


QUARTERLY = exports.register_builder(
    exports.ReportBuilder(
        kind=KIND,
        title=gettext_lazy("Quarterly inspection report"),
        filename=gettext_lazy("quarterly-report"),
        build=build,
        parts=counties,
        build_part=build_part,
        join=join,
        done=notify_readers,
    )
)


def quarterly_request(
    *, area: str, year: int, quarter: int, requested_by: User | None = None
) -> tuple[GeneratedReport, bool]:
    """The area's report for the quarter (a county's, city's or province's code; "" for
    the whole country): the existing one, or a new one queued."""
    report = GeneratedReport.objects.filter(
        kind=KIND, scope_code=area, params__year=year, params__quarter=quarter
    ).first()
    created = report is None
    if report is None:
        report = GeneratedReport.objects.create(
            kind=KIND,
            title=_("Quarterly inspection report, {year} Q{quarter}").format(
                year=year, quarter=quarter
            ),
            params={"area": area, "year": year, "quarter": quarter},
            scope_code=area,
            requested_by=requested_by,
        )
    return report, created


def quarterly_area_of(user: User) -> str | None:
    """The area whose quarterly report `user` may ask for: their own division, when they
    work at county level or above (the department, its inspectors and leaders; a city's
    or a province's); the whole country ("") for a superuser without a division. A
    township's or a village's account gets None: the workbook covers every township of a
    county at least, which they may not read."""
    division = getattr(user, "division", None)
    if division is None:
        return "" if getattr(user, "is_superuser", False) else None
    if len(division.code) > 6:
        return None
    return division.code


def quarterly_ask(*, area: str, year: int, quarter: int, acting_user: User) -> GeneratedReport:
    """The report button: the area's report for the quarter, queued to be built when it
    is new or failed, through the path that tolerates Redis being down (report_queue)."""
    from portal.services import report_queue

    report, created = quarterly_request(
        area=area, year=year, quarter=quarter, requested_by=acting_user
    )
    if created or report.status == ReportStatus.FAILED:
        report_queue(report)
    return report
