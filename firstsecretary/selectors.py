"""Reads of the first-secretary app: the roster, monthly presence, the five ones."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Length, TruncMonth
from django.utils import timezone

from firstsecretary import similarity
from firstsecretary.choices import FIVE_ONES, VISITING_KINDS, SupportKind
from firstsecretary.models import (
    Assignment,
    ContactVisit,
    Evaluation,
    FirstSecretary,
    SupportLink,
    WorkLog,
    WorkLogPhoto,
)
from portal.months import add_months, month_bounds, month_start
from portal.scoping import Scope
from rectification.choices import CaseStatus
from rectification.models import Case
from rectification.selectors import DaysBetween, percent, with_overdue_task


def secretary_list(*, scope: Scope) -> QuerySet[FirstSecretary]:
    active = Assignment.objects.filter(secretary=OuterRef("pk"), actual_end__isnull=True)
    return (
        FirstSecretary.objects.visible_to(scope)
        .select_related("unit", "county")
        .annotate(is_posted=Exists(active))
    )


@dataclass
class Presence:
    """One posting's month: days in the village, households visited, share reached."""

    assignment: Assignment
    days_on_site: int
    households_visited: int
    logged_days: int

    @property
    def households_share(self):
        households = self.assignment.village.households
        if not households:
            return None
        return min(percent(self.households_visited, households), 100)

    @property
    def below_threshold(self):
        return self.days_on_site < settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE


def _postings_in(*, scope: Scope, first, following):
    """The postings in the scope that overlap [first, following)."""
    return (
        Assignment.objects.visible_to(scope)
        .filter(started_on__lt=following)
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=first))
    )


def presence_summary(*, scope: Scope, month: date) -> tuple[int, int]:
    """(postings in the month, those under the days-on-site threshold) in one query."""
    first, following = month_bounds(month)
    days = (
        WorkLog.objects.filter(
            assignment=OuterRef("pk"), date__gte=first, date__lt=following, on_site=True
        )
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    totals = (
        _postings_in(scope=scope, first=first, following=following)
        .annotate(days=Coalesce(Subquery(days), 0))
        .aggregate(
            posted=Count("pk"),
            below=Count("pk", filter=Q(days__lt=settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE)),
        )
    )
    return totals["posted"], totals["below"]


def presence_postings(
    *, scope: Scope, month: date, below_only: bool = False, within: str = ""
) -> QuerySet[Assignment]:
    """Every posting that overlaps the month, annotated with its figures (one query, a page
    of it one query too); `within` a division code narrows it to that part of the scope (the
    dashboard's drill-down). `presence_rows` turns them into rows."""
    first, following = month_bounds(month)
    in_month = Q(logs__date__gte=first, logs__date__lt=following)
    postings = (
        _postings_in(scope=scope, first=first, following=following)
        .filter(village__code__startswith=within)
        .select_related("secretary__unit", "village__township")
        .annotate(
            days_on_site=Count("logs", filter=in_month & Q(logs__on_site=True)),
            visited=Coalesce(Sum("logs__households_visited", filter=in_month), 0),
            logged_days=Count("logs", filter=in_month),
        )
        .order_by("village__code", "pk")  # a steady order for the pages
    )
    if below_only:
        postings = postings.filter(days_on_site__lt=settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE)
    return postings


def presence_rows(postings: Iterable[Any]) -> list[Presence]:
    """The rows of postings annotated by `presence_postings` (all of them, or a page); Any:
    the stubs do not see the annotations through a page of the queryset."""
    return [
        Presence(
            p, days_on_site=p.days_on_site, households_visited=p.visited, logged_days=p.logged_days
        )
        for p in postings
    ]


def presence(
    *, scope: Scope, month: date, below_only: bool = False, within: str = ""
) -> list[Presence]:
    """Every posting that overlaps the month, with its figures, in one query."""
    return presence_rows(
        presence_postings(scope=scope, month=month, below_only=below_only, within=within)
    )


def monthly_presence(assignment, months=6):
    """The posting's last `months` months that have logs, newest first, in one query."""
    rows = (
        WorkLog.objects.filter(assignment=assignment)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            days_on_site=Count("pk", filter=Q(on_site=True)),
            visited=Coalesce(Sum("households_visited"), 0),
            logged=Count("pk"),
        )
        .order_by("-month")[:months]
    )
    return [
        (row["month"], Presence(assignment, row["days_on_site"], row["visited"], row["logged"]))
        for row in rows
    ]


def worklogs_of(assignment):
    return WorkLog.objects.filter(assignment=assignment)


# --- The five ones --------------------------------------------------------------------------------


def _has(kind):
    return Exists(SupportLink.objects.filter(case=OuterRef("pk"), kind=kind))


def with_support(queryset):
    """Annotate cases with has_<kind> for each of the five ones, in the same query."""
    posted = Assignment.objects.filter(village=OuterRef("village"), actual_end__isnull=True)
    return queryset.annotate(
        has_enterprise=_has(SupportKind.ENTERPRISE),
        has_department=_has(SupportKind.DEPARTMENT),
        has_county_leader=_has(SupportKind.COUNTY_LEADER),
        has_first_secretary=Exists(posted),
        has_project=_has(SupportKind.PROJECT),
    )


def missing_support_q():
    """Cases where any of the five ones is missing (needs with_support)."""
    condition = Q()
    for kind in FIVE_ONES:
        condition |= Q(**{f"has_{kind}": False})
    return condition


def five_ones_incomplete_q():
    """An open case with any of the five ones missing: the dashboard's card and the
    support overview count the same cases (needs with_support)."""
    return ~Q(status=CaseStatus.CLOSED) & missing_support_q()


def open_cases_with_support(*, scope: Scope, today: date) -> QuerySet[Case]:
    """The cases not closed out in scope, annotated for the five ones and for
    the ledger's list filters (so the ledger's FilterSet applies to them)."""
    return with_support(
        with_overdue_task(Case.objects.visible_to(scope).exclude(status=CaseStatus.CLOSED), today)
    ).select_related("village__township", "campaign")


def five_ones(case):
    """[(kind, in place?)] for the case page."""
    annotated = with_support(Case.objects.filter(pk=case.pk)).get()
    return [(kind, getattr(annotated, f"has_{kind}")) for kind in FIVE_ONES]


def support_of(case):
    # Through the case's manager: each link knows its case without a query of its own.
    return case.support.select_related("mentor_village")


def first_secretary_of(village):
    return (
        Assignment.objects.filter(village=village, actual_end__isnull=True)
        .select_related("secretary__unit")
        .first()
    )


def coverage(*, scope: Scope, campaign=None, year: int | None = None) -> tuple[int, int]:
    """Listed villages not yet closed out that have an active first secretary: (with, all)
    in one query. A secretary is posted as soon as the village is listed, long before its
    plan is approved, so every open case counts, not only those already rectifying."""
    cases = with_support(Case.objects.visible_to(scope).exclude(status=CaseStatus.CLOSED))
    if campaign is not None:
        cases = cases.filter(campaign=campaign)
    if year is not None:
        cases = cases.filter(campaign__year=year)
    totals = cases.aggregate(
        all=Count("pk"), covered=Count("pk", filter=Q(has_first_secretary=True))
    )
    return totals["covered"], totals["all"]


# --- The first secretary's own page --------------------------------------------------------


def month_tally(assignment, today):
    """The posting's month so far: days in the village, households visited, days logged."""
    first, following = month_bounds(today)
    totals = WorkLog.objects.filter(
        assignment=assignment, date__gte=first, date__lt=following
    ).aggregate(
        days=Count("pk", filter=Q(on_site=True)),
        visited=Coalesce(Sum("households_visited"), 0),
        logged=Count("pk"),
    )
    return Presence(assignment, totals["days"], totals["visited"], totals["logged"])


def village_case(*, scope: Scope, village) -> Case | None:
    """The village's latest case in scope (its page is his village's file)."""
    return Case.objects.visible_to(scope).filter(village=village).order_by("-pk").first()


def tasks_of(*, scope: Scope, user, today: date) -> QuerySet:
    """The plan tasks in scope that `user` is responsible for and has not finished,
    soonest due first."""
    from rectification.models import PlanTask

    return (
        PlanTask.objects.visible_to(scope)
        .filter(assignee=user, completed_on__isnull=True)
        .select_related("plan__case__village")
        .order_by("due_on", "pk")
    )


def worklogs_with_photos(assignment):
    return worklogs_of(assignment).prefetch_related("photos")


# --- Contact visits (联系包保走访) -------------------------------------------------------------


def visits_of(case, limit=20) -> list[ContactVisit]:
    """The case's contacts' latest visits, newest first, each with its `photos` (two
    queries)."""
    from django.contrib.contenttypes.models import ContentType

    from portal.models import Attachment

    visits = list(
        ContactVisit.objects.filter(supporter__case=case).select_related("supporter")[:limit]
    )
    photos: dict[int, list] = {}
    if visits:
        for attachment in Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(ContactVisit),
            object_id__in=[visit.pk for visit in visits],
        ).order_by("pk"):
            photos.setdefault(attachment.object_id, []).append(attachment)
    for visit in visits:
        setattr(visit, "photos", photos.get(visit.pk, []))  # noqa: B010 (not a model field)
    return visits


def with_last_visit(queryset):
    """Annotate support links with last_visit: their latest visit, else the case's listing
    (from which a contact has had time to come)."""
    return queryset.annotate(
        last_visit=Coalesce(Max("visits__visited_on"), F("case__identified_on")),
    )


def overdue_contacts(*, scope: Scope, today: date | None = None) -> QuerySet[SupportLink]:
    """The contacts (a county-level leader, a department, an enterprise, a mentor) of open
    cases in scope who have not visited the village for longer than its county's
    visit_gap_days (counted from the listing when they never have). One query."""
    today = today or timezone.localdate()
    return (
        with_last_visit(
            SupportLink.objects.visible_to(scope)
            .filter(kind__in=VISITING_KINDS)
            .exclude(case__status=CaseStatus.CLOSED)
        )
        .annotate(
            days_since=DaysBetween(Value(today, output_field=DateField()), "last_visit"),
            gap=F("case__village__township__parent__visit_gap_days"),
        )
        .filter(days_since__gt=F("gap"))
        .select_related("case__village__township")
        .order_by("case__village__code", "kind", "pk")
    )


def contact_overdue_q(*, scope: Scope, today: date | None = None) -> Q:
    """Cases with a contact overdue for a visit (overdue_contacts): the dashboard's figure and
    the support overview's filter count the same cases."""
    return Q(pk__in=overdue_contacts(scope=scope, today=today).values("case_id"))


# --- The village's file (一村一档) ---------------------------------------------------------


@dataclass
class Posting:
    """A first secretary's posting to the village, with his evaluations and his monthly
    presence (newest month first)."""

    assignment: Assignment
    evaluations: list[Evaluation]
    months: list[tuple[date, Presence]]


def village_postings(*, scope: Scope, village, months=12) -> list[Posting]:
    """Every first secretary posted to the village, newest posting first, each with his
    yearly evaluations and the last `months` months of presence that have logs: three
    queries whatever the village's history."""
    assignments = list(
        Assignment.objects.visible_to(scope)
        .filter(village=village)
        .select_related("secretary__unit", "village")
        .prefetch_related(
            Prefetch(
                "secretary__evaluations",
                queryset=Evaluation.objects.select_related("evaluated_by").order_by("-year"),
            )
        )
        .order_by("-started_on", "-pk")
    )
    by_posting: dict[int, list[tuple[date, Presence]]] = {a.pk: [] for a in assignments}
    rows = (
        WorkLog.objects.visible_to(scope)
        .filter(assignment__village=village)
        .annotate(month=TruncMonth("date"))
        .values("assignment", "month")
        .annotate(
            days_on_site=Count("pk", filter=Q(on_site=True)),
            visited=Coalesce(Sum("households_visited"), 0),
            logged=Count("pk"),
        )
        .order_by("assignment", "-month")
    )
    postings = {a.pk: a for a in assignments}
    for row in rows:
        kept = by_posting.get(row["assignment"])
        if kept is not None and len(kept) < months:
            presence = Presence(
                postings[row["assignment"]], row["days_on_site"], row["visited"], row["logged"]
            )
            kept.append((row["month"], presence))
    return [Posting(a, _evaluations_of(a), by_posting[a.pk]) for a in assignments]


def _evaluations_of(assignment):
    """The secretary's evaluations of the years he was posted to this village: those of
    other postings are about other villages."""
    last = (assignment.actual_end or assignment.planned_end).year
    return [
        evaluation
        for evaluation in assignment.secretary.evaluations.all()
        if assignment.started_on.year <= evaluation.year <= last
    ]


def village_support(*, scope: Scope, village) -> list[SupportLink]:
    """The five ones and every other supporter of the village's listings, each with its
    visits (联系包保走访, newest first), in two queries."""
    return list(
        SupportLink.objects.visible_to(scope)
        .filter(case__village=village)
        .select_related("case__campaign", "mentor_village")
        .prefetch_related("visits")
        .order_by("-case__identified_on", "kind", "pk")
    )


def five_ones_in(links, *, posted: bool) -> list[tuple[str, bool]]:
    """[(kind, in place?)] of one case from its support links already read, and whether
    a first secretary is posted to its village now: no query."""
    kinds = {link.kind for link in links}
    return [(kind, posted if kind == "first_secretary" else kind in kinds) for kind in FIVE_ONES]


# --- Work logs that can be trusted (请核实) ------------------------------------------------
# Signals for the county to look at, never verdicts: the same text lightly edited on
# several days or by several secretaries, and the same photo on several days. The cost is
# bounded: the scope's logs of the last TRUST_WINDOW_MONTHS months, at most TRUST_MAX_LOGS.

TRUST_MAX_LOGS = 20_000


@dataclass
class LogPair:
    """Two work-log entries whose texts are nearly the same (similarity 0–1)."""

    first: WorkLog
    second: WorkLog
    similarity: float

    @property
    def same_secretary(self):
        return self.first.assignment.secretary_id == self.second.assignment.secretary_id

    @property
    def percent(self):
        return round(self.similarity * 100)


@dataclass
class PhotoPair:
    """Two photos of different entries that are the same picture (bits apart of 64)."""

    first: WorkLogPhoto
    second: WorkLogPhoto
    distance: int

    @property
    def same_secretary(self):
        return self.first.log.assignment.secretary_id == self.second.log.assignment.secretary_id


def trust_window_start(today: date) -> date:
    """The first day of the months compared: this month and the TRUST_WINDOW_MONTHS - 1 before."""
    return add_months(month_start(today), 1 - settings.TRUST_WINDOW_MONTHS)


def _involves(secretary_id, *secretary_ids):
    return secretary_id is None or secretary_id in secretary_ids


def near_duplicate_logs(
    *, scope: Scope, today: date, secretary: FirstSecretary | None = None
) -> list[LogPair]:
    """Pairs of entries in scope whose texts are at least TRUST_TEXT_SIMILARITY alike (3-gram
    Jaccard, found by MinHash LSH), most alike first; with `secretary`, those with one of his
    entries. Two queries: the texts, then the entries of the pairs found."""
    texts = (
        WorkLog.objects.visible_to(scope)
        .filter(date__gte=trust_window_start(today), date__lte=today)
        .annotate(chars=Length("summary"))
        .filter(chars__gte=settings.TRUST_TEXT_MIN_CHARS)
        .order_by("-date", "-pk")
        .values_list("pk", "summary")[:TRUST_MAX_LOGS]
    )
    pairs = similarity.near_duplicates(texts, settings.TRUST_TEXT_SIMILARITY)
    if not pairs:
        return []
    logs = WorkLog.objects.select_related(
        "assignment__secretary", "assignment__village__township"
    ).in_bulk({pk for a, b, _s in pairs for pk in (a, b)})
    found = []
    for a, b, score in pairs:
        first, second = sorted((logs[a], logs[b]), key=lambda log: (log.date, log.pk))
        owners = (first.assignment.secretary_id, second.assignment.secretary_id)
        if _involves(secretary and secretary.pk, *owners):
            found.append(LogPair(first, second, score))
    return found


def reused_photos(
    *, scope: Scope, today: date, secretary: FirstSecretary | None = None
) -> list[PhotoPair]:
    """Pairs of photos in scope, on different entries, whose perceptual hashes differ in at
    most TRUST_PHOTO_MAX_DISTANCE bits, closest first; with `secretary`, those with one of
    his photos. Two queries."""
    hashes = (
        WorkLogPhoto.objects.visible_to(scope)
        .filter(log__date__gte=trust_window_start(today), log__date__lte=today)
        .exclude(phash="")
        .order_by("-log__date", "-pk")
        .values_list("pk", "phash", "log_id")[:TRUST_MAX_LOGS]
    )
    log_of = {}
    keyed = []
    for pk, phash, log_id in hashes:
        log_of[pk] = log_id
        keyed.append((pk, phash))
    pairs = [
        (a, b, bits)
        for a, b, bits in similarity.reused_photos(keyed, settings.TRUST_PHOTO_MAX_DISTANCE)
        if log_of[a] != log_of[b]  # two shots of one day are no reuse
    ]
    if not pairs:
        return []
    photos = WorkLogPhoto.objects.select_related(
        "log__assignment__secretary", "log__assignment__village__township"
    ).in_bulk({pk for a, b, _d in pairs for pk in (a, b)})
    found = []
    for a, b, bits in pairs:
        first, second = sorted((photos[a], photos[b]), key=lambda p: (p.log.date, p.pk))
        owners = (first.log.assignment.secretary_id, second.log.assignment.secretary_id)
        if _involves(secretary and secretary.pk, *owners):
            found.append(PhotoPair(first, second, bits))
    return found
