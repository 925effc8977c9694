"""The to-do list (待办): what each role has to do now, computed from the state, never stored.

An item disappears when its work is done, because it is read off the records the work
changes (a plan's status, a finding's answer, a month's activity plans). Each role's list is
a fixed number of queries, one per kind of item, whatever the number of villages: the list
grows in rows, not in queries (tests/portal/test_todo.py asserts it).

Other apps add a kind of item by appending a function to `EXTRA[role]`: it takes
(user, today, *, scope) and returns a list of `Item`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.months import add_months, due_date, previous_month
from portal.notifications import todo_count_key
from portal.scoping import Scope

# More items of one kind than this are shown as one line that opens their list.
GROUP_ABOVE = 5
# Plan tasks show this many days before they are due.
TASK_NOTICE_DAYS = 7
# The menu's count is kept this long per user and area after the list was last computed
# (the home page itself is always fresh, and refreshes it).
COUNT_SECONDS = 10 * 60


@dataclass
class Item:
    what: str
    place: str = ""
    since: date | None = None
    due: date | None = None
    url: str = ""
    kind: str = ""
    overdue: bool = False
    done: bool = False  # shown for reassurance (today's log written), not counted
    count: int = 1  # a grouped line stands for this many items

    def __post_init__(self):
        if self.due is not None and not self.done:
            self.overdue = self.overdue or self.due < timezone.localdate()


@dataclass
class Figure:
    """A leader's figure: how many of something happened in the last week."""

    label: str
    value: int
    url: str


@dataclass
class TodoList:
    items: list = field(default_factory=list)
    figures: list = field(default_factory=list)

    @property
    def count(self):
        return sum(item.count for item in self.items if not item.done)


def _month(month):
    """A month as officials write it (2026年12月), in the active language."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def _day(moment):
    return timezone.localdate(moment) if moment else None


def _url(name, *args, **query):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _group(items, what, url):
    """Items of one kind, or one line for them all when there are many."""
    if len(items) <= GROUP_ABOVE:
        return items
    dues = [item.due for item in items if item.due]
    sinces = [item.since for item in items if item.since]
    return [
        Item(
            what=what.format(count=len(items)),
            since=min(sinces) if sinces else None,
            due=min(dues) if dues else None,
            url=url,
            kind=items[0].kind,
            overdue=any(item.overdue for item in items),
            count=len(items),
        )
    ]


def _folded(queryset, build, what, url, *, kind, since=None, due=None, day=None):
    """`_group` of a queryset's items without building each when they are many: counted in
    one query (with the earliest `since` and `due`, fields of the queryset; `day` turns the
    earliest `since` into a day), and the first GROUP_ABOVE rows read in another, whatever
    the count, so that a county and a province ask the same queries. A province's
    department has thousands of such items; building each (its address, its words) only to
    fold them into one line cost seconds."""
    figures = queryset.order_by().aggregate(
        count=Count("pk"),
        **({"since": Min(since)} if since else {}),
        **({"due": Min(due)} if due else {}),
    )
    rows = list(queryset[:GROUP_ABOVE])
    if figures["count"] <= GROUP_ABOVE:
        return [build(row) for row in rows]
    earliest = figures.get("since")
    return [
        Item(
            what=what.format(count=figures["count"]),
            since=day(earliest) if day and earliest else earliest,
            due=figures.get("due"),
            url=url,
            kind=kind,
            count=figures["count"],
        )
    ]


def _within(queryset, scope, path):
    if scope.is_nothing:
        return queryset.none()
    return queryset if scope.is_everything else queryset.filter(scope.q(path))


# --- Shared readings ----------------------------------------------------------------------


def _planned_month(today):

    return add_months(today.replace(day=1), 1)


def _missing_activity_plans(scope, month):
    """[(township code, township name, villages without a submitted plan)] (one query)."""
    from villages.models import ActivityPlan, Village
    from villages.selectors import expected_q

    submitted = ActivityPlan.objects.filter(
        village=OuterRef("pk"), month=month, submitted_at__isnull=False
    )
    return (
        Village.objects.visible_to(scope)
        .filter(expected_q(month))
        .exclude(Exists(submitted))
        .values_list("township_id", "township__name")
        .annotate(n=Count("code"))
        .order_by("township_id")
    )


def _last_urgings(scope, month):
    from villages.selectors import last_urgings

    return last_urgings(scope=scope, month=month)


def _urged_line(urging, month, missing):
    """The township's line once the county urged it (催报): who, when, what is missing."""
    from villages.organs import issuer

    return _(
        "{organ} urged on {urged_month}/{urged_day} to file the activity plans for month "
        "{planned}: {missing} villages have not filed yet"
    ).format(
        organ=issuer(urging.township.parent),
        missing=missing,
        urged_month=urging.urged_on.month,
        urged_day=urging.urged_on.day,
        planned=month.month,
    )


def _activity_items(scope, today, *, overdue_only):
    from villages.deadlines import CountyDeadlines

    month = _planned_month(today)
    # A county's own due day (顺延 off a holiday where it says so); above a county, the 25th.
    county = scope.prefix if scope.prefix and len(scope.prefix) >= 6 else None
    due = CountyDeadlines([county]).due_date(month, county) if county else due_date(month)
    if overdue_only and today <= due:
        return []
    days = (due - today).days
    items = []
    urged = _last_urgings(scope, month)
    for code, name, missing in _missing_activity_plans(scope, month):
        if code in urged:
            what = _urged_line(urged[code], month, missing)
        elif days >= 0:
            what = _(
                "{count} villages have not filed their activity plans for {month}: "
                "{days} days left to the deadline"
            )
        else:
            what = _(
                "{count} villages have not filed their activity plans for {month}: "
                "the deadline has passed"
            )
        items.append(
            Item(
                what=what.format(count=missing, month=_month(month), days=days),
                place=name,
                since=today.replace(day=1),
                due=due,
                url=_url("activity_township", township=code, month=f"{month:%Y-%m}"),
                kind="activity_plans",
            )
        )
    return items


def _open_findings(scope):
    from inspections.choices import FindingStatus
    from inspections.models import Finding

    return (
        Finding.objects.visible_to(scope)
        .exclude(status=FindingStatus.VERIFIED)
        .select_related("visit__village")
        .order_by("deadline", "pk")
    )


def _finding_item(finding, what, kind):
    return Item(
        what=what.format(finding=str(finding)),
        place=finding.visit.village.name,
        since=finding.visit.visited_on,
        due=finding.deadline,
        url=finding.get_absolute_url(),
        kind=kind,
    )


# --- Township organizer ---------------------------------------------------------------------


def _township_plans(scope, today):
    """Cases listed without a plan, plans in draft, plans sent back (one query)."""
    from rectification.choices import CaseStatus, PlanStatus
    from rectification.models import Case

    cases = (
        Case.objects.visible_to(scope)
        .filter(status=CaseStatus.IDENTIFIED)
        .filter(Q(plan__isnull=True) | Q(plan__status__in=(PlanStatus.DRAFT, PlanStatus.RETURNED)))
        .select_related("village", "plan")
        .order_by("identified_on", "pk")
    )
    items = []
    for case in cases:
        plan = getattr(case, "plan", None)
        url = reverse("plan_edit", args=[case.pk])
        if plan is None:
            items.append(
                Item(
                    what=_("Listed on the ledger: draft its plan"),
                    place=case.village.name,
                    since=case.identified_on,
                    url=url,
                    kind="plan_draft",
                )
            )
        elif plan.status == PlanStatus.RETURNED:
            opinion = plan.review_comment or _("no opinion given")
            items.append(
                Item(
                    what=_("Plan sent back by the county ({opinion}): revise and resubmit").format(
                        opinion=opinion
                    ),
                    place=case.village.name,
                    since=_day(plan.reviewed_at),
                    url=url,
                    kind="plan_returned",
                )
            )
        else:
            items.append(
                Item(
                    what=_("Plan drafted but not submitted: complete it and submit it"),
                    place=case.village.name,
                    since=case.identified_on,
                    url=url,
                    kind="plan_draft",
                )
            )
    return items


def _ledger_rows_to_complete(scope):
    """Open cases whose row lacks a leader (the township leader in charge or the county-level
    contact leader): the township completes them on the row's form (one query)."""
    from firstsecretary.choices import SupportKind
    from firstsecretary.models import SupportLink
    from rectification.choices import CaseStatus
    from rectification.models import Case

    def has(kind):
        return Exists(SupportLink.objects.filter(case=OuterRef("pk"), kind=kind))

    cases = (
        Case.objects.visible_to(scope)
        .exclude(status=CaseStatus.CLOSED)
        .annotate(
            has_township=has(SupportKind.TOWNSHIP_CONTACT),
            has_county=has(SupportKind.COUNTY_LEADER),
        )
        .filter(Q(has_township=False) | Q(has_county=False))
        .select_related("village")
        .order_by("identified_on", "pk")
    )
    return [
        Item(
            what=_("Ledger row to complete: name the township and county leaders in charge"),
            place=case.village.name,
            since=case.identified_on,
            url=reverse("case_edit", args=[case.pk]),
            kind="ledger_row",
        )
        for case in cases
    ]


def _tasks_due(tasks, today, kind):
    """Plan tasks of approved plans, not finished, due within a week or overdue."""
    from rectification.choices import CaseStatus, PlanStatus

    tasks = (
        tasks.filter(
            plan__status=PlanStatus.APPROVED,
            completed_on__isnull=True,
            progress__lt=100,
            due_on__lte=today + timedelta(days=TASK_NOTICE_DAYS),
        )
        .exclude(plan__case__status=CaseStatus.CLOSED)
        .select_related("plan__case__village")
        .order_by("due_on", "pk")
    )
    return [
        Item(
            what=_("Plan task “{measure}” falls due (progress {progress} per cent)").format(
                measure=str(task), progress=task.progress
            ),
            place=task.plan.case.village.name,
            since=_day(task.plan.reviewed_at),
            due=task.due_on,
            url=reverse("case_detail", args=[task.plan.case_id]),
            kind="task_due",
        )
        for task in tasks
    ]


def _ready_for_acceptance(scope):
    """Rectifying cases whose every plan task is at 100 % (one query)."""
    from rectification.choices import CaseStatus
    from rectification.models import Case

    cases = (
        Case.objects.visible_to(scope)
        .filter(status=CaseStatus.RECTIFYING)
        .annotate(
            tasks=Count("plan__tasks"),
            unfinished=Count("plan__tasks", filter=Q(plan__tasks__progress__lt=100)),
            finished_on=Max("plan__tasks__completed_on"),
        )
        .filter(tasks__gt=0, unfinished=0)
        .select_related("village")
        .order_by("deadline", "pk")
    )
    return [
        Item(
            what=_("Every plan task is done: apply for acceptance"),
            place=case.village.name,
            since=case.finished_on,
            due=case.deadline,
            url=case.get_absolute_url(),
            kind="apply",
        )
        for case in cases
    ]


def _circulars_to_acknowledge(user, scope):
    from inspections.models import Acknowledgement, Circular

    if not user.division_id or len(user.division_id) != 9:
        return []
    acknowledged = Acknowledgement.objects.filter(
        circular=OuterRef("pk"), township_id=user.division_id
    )
    circulars = (
        Circular.objects.visible_to(scope)
        .filter(published_at__isnull=False)
        .exclude(Exists(acknowledged))
        .select_related("county")
        .order_by("published_at")
    )
    return [
        Item(
            what=_("Circular {circular}: read it and acknowledge it").format(circular=circular),
            place=user.division.name,
            since=_day(circular.published_at),
            url=reverse("circular_detail", args=[circular.pk]),
            kind="circular_acknowledge",
        )
        for circular in circulars
    ]


def township_items(user, today: date, *, scope: Scope) -> list[Item]:
    from inspections.choices import FindingStatus
    from rectification.models import PlanTask

    findings = [
        _finding_item(f, _("Finding to answer: {finding}"), "finding_answer")
        for f in _open_findings(scope)
        if f.status == FindingStatus.OPEN
    ]
    return [
        *_ledger_rows_to_complete(scope),
        *_township_plans(scope, today),
        *_tasks_due(PlanTask.objects.visible_to(scope), today, "task_due"),
        *findings,
        *_activity_items(scope, today, overdue_only=False),
        *_ready_for_acceptance(scope),
        *_circulars_to_acknowledge(user, scope),
    ]


# --- County department ------------------------------------------------------------------------


def county_items(user, today: date, *, scope: Scope) -> list[Item]:
    from inspections.choices import RoundStatus
    from inspections.models import Circular, InspectionRound
    from rectification.choices import CaseStatus, PlanStatus
    from rectification.models import Case, Plan

    plans = (
        Plan.objects.visible_to(scope)
        .filter(status=PlanStatus.SUBMITTED)
        .select_related("case__village")
        .order_by("submitted_at", "pk")
    )
    approvals = _folded(
        plans,
        lambda plan: Item(
            what=_("Plan submitted: approve it or send it back"),
            place=plan.case.village.name,
            since=_day(plan.submitted_at),
            url=reverse("case_detail", args=[plan.case_id]),
            kind="plan_approve",
        ),
        _("{count} plans awaiting approval"),
        _url("case_list", plan_status=PlanStatus.SUBMITTED),
        kind="plan_approve",
        since="submitted_at",
        day=_day,
    )
    cases = (
        Case.objects.visible_to(scope)
        .annotate(
            applied=Max("events__at", filter=Q(events__action="request_acceptance")),
        )
        .select_related("village")
        .order_by("pk")
    )
    reviews = _folded(
        cases.filter(status=CaseStatus.ACCEPTANCE_REQUESTED),
        lambda case: Item(
            what=_("Acceptance applied for: review it"),
            place=case.village.name,
            since=_day(case.applied),
            due=case.deadline,
            url=case.get_absolute_url(),
            kind="acceptance_review",
        ),
        _("{count} acceptance applications to review"),
        _url("case_list", status=CaseStatus.ACCEPTANCE_REQUESTED),
        kind="acceptance_review",
        since="applied",
        due="deadline",
        day=_day,
    )
    closing = _folded(
        cases.filter(status=CaseStatus.TRANSFORMED),
        lambda case: Item(
            what=_("Transformed: close it out once consolidated"),
            place=case.village.name,
            since=case.transformed_on,
            url=case.get_absolute_url(),
            kind="close_out",
        ),
        _("{count} transformed cases to close out once consolidated"),
        _url("case_list", status=CaseStatus.TRANSFORMED),
        kind="close_out",
        since="transformed_on",
    )
    stalled = [
        Item(
            what=_(
                "Stalled at “{status}”: longer than three quarters of the campaign’s cases"
            ).format(status=case.get_status_display()),
            place=case.village.name,
            since=case.identified_on,
            url=case.get_absolute_url(),
            kind="stalled",
        )
        for case in _stalled_cases(scope, today)
    ]
    from firstsecretary.selectors import presence

    last_month = previous_month(today)
    secretaries = [
        Item(
            what=_("First secretary {name}: only {days} days in the village in {month}").format(
                name=row.assignment.secretary.name,
                days=row.days_on_site,
                month=_month(last_month),
            ),
            place=row.assignment.village.name,
            since=last_month,
            url=_url("presence", month=f"{last_month:%Y-%m}", below="true"),
            kind="presence",
        )
        for row in presence(scope=scope, month=last_month, below_only=True)
    ]
    overdue_findings = _folded(
        _open_findings(scope).filter(deadline__lt=today),
        lambda f: _finding_item(f, _("Finding past its deadline: {finding}"), "finding_overdue"),
        _("{count} findings past their deadline"),
        _url("finding_list", overdue="true"),
        kind="finding_overdue",
        since="visit__visited_on",
        due="deadline",
    )
    rounds = (
        InspectionRound.objects.visible_to(scope)
        .filter(status=RoundStatus.CLOSED)
        .exclude(Exists(Circular.objects.filter(round=OuterRef("pk"))))
        .select_related("county")
        .order_by("ends_on", "pk")
    )
    # A province's department sees every county's closed rounds: one line for many.
    circulars = _folded(
        rounds,
        lambda inspection: Item(
            what=_("Round {round} is closed: draft its circular").format(round=inspection),
            place=inspection.county.name,
            since=inspection.ends_on,
            url=inspection.get_absolute_url(),
            kind="circular_draft",
        ),
        _("{count} closed rounds await their circular"),
        _url("round_list", status=RoundStatus.CLOSED, circular="false"),
        kind="circular_draft",
        since="ends_on",
    )
    return [
        *approvals,
        *reviews,
        *closing,
        *_group(
            stalled,
            _(
                "{count} cases stalled: longer at their step than three quarters of "
                "their campaign’s cases"
            ),
            _url("case_list", stalled="true"),
        ),
        *_group(
            _activity_items(scope, today, overdue_only=True),
            _("{count} townships have not filed every activity plan for the coming month"),
            # The board where the county urges them (催报), for the month being planned.
            _url("activity_urging", month=f"{_planned_month(today):%Y-%m}"),
        ),
        *_group(
            secretaries,
            _("{count} first secretaries under the days-in-the-village threshold last month"),
            _url("presence", month=f"{last_month:%Y-%m}", below="true"),
        ),
        *overdue_findings,
        *circulars,
    ]


def _stalled_cases(scope, today):
    """The cases stalled (久拖未转化) in scope, longest listed first (two queries: the
    campaigns' thresholds, the cases)."""
    from rectification.models import Case
    from rectification.selectors import stalled_cases_q

    cases = Case.objects.visible_to(scope)
    return (
        cases.filter(stalled_cases_q(cases, today))
        .select_related("village")
        .order_by("identified_on", "pk")
    )


# --- Inspector ----------------------------------------------------------------------------------


def inspector_items(user, today: date, *, scope: Scope) -> list[Item]:
    from inspections.choices import FindingStatus, RoundStatus
    from inspections.models import Team, Visit

    planned = Team.villages.through.objects.filter(
        team__members=user, team__round__status=RoundStatus.ACTIVE
    ).exclude(
        Exists(
            Visit.objects.filter(round_id=OuterRef("team__round_id"), village=OuterRef("village"))
        )
    )
    planned = (
        _within(planned, scope, "village__code")
        .select_related("village", "team__round")
        .order_by("team__round__ends_on", "village_id")
    )
    visits = [
        Item(
            what=_("Visit planned for team {team} in {round}").format(
                team=row.team.name, round=row.team.round
            ),
            place=row.village.name,
            since=row.team.round.starts_on,
            due=row.team.round.ends_on,
            url=reverse("visit_create", args=[row.team.round_id]),
            kind="visit",
        )
        for row in planned
    ]
    mine = Team.objects.filter(members=user).values("round")
    answered = []
    for finding in _open_findings(scope).filter(
        status=FindingStatus.RECTIFYING, visit__round__in=mine
    ):
        item = _finding_item(
            finding, _("Answered by the township: verify it ({finding})"), "finding_verify"
        )
        item.since, item.due, item.overdue = _day(finding.responded_at), None, False
        answered.append(item)
    return [*visits, *answered]


# --- First secretary ------------------------------------------------------------------------


def secretary_items(user, today: date, *, scope: Scope) -> list[Item]:
    from firstsecretary.models import Assignment, WorkLog
    from rectification.models import PlanTask

    posting = (
        Assignment.objects.filter(secretary__user=user, actual_end__isnull=True)
        .annotate(
            logged=Exists(WorkLog.objects.filter(assignment=OuterRef("pk"), date=today)),
        )
        .select_related("village")
        .first()
    )
    items = []
    if posting is not None:
        items.append(
            Item(
                what=_("Today's work log is written")
                if posting.logged
                else _("Write today's work log"),
                place=posting.village.name,
                since=today,
                due=today,
                url=reverse("worklog"),
                kind="worklog",
                done=posting.logged,
            )
        )
    tasks = PlanTask.objects.visible_to(scope).filter(assignee=user)
    items += _tasks_due(tasks, today, "task_due")
    items += [
        _finding_item(f, _("Open finding in your village: {finding}"), "finding_open")
        for f in _open_findings(scope)
    ]
    return items


# --- Leader ------------------------------------------------------------------------------------


def leader_figures(*, scope: Scope, today: date) -> list[Figure]:
    """What changed in the last seven days, each with the list behind it."""
    from inspections.choices import FindingStatus
    from inspections.models import Finding
    from rectification.choices import CaseStatus, PlanStatus
    from rectification.models import Case, Plan

    week_ago = today - timedelta(days=7)
    since = timezone.now() - timedelta(days=7)
    cases = Case.objects.visible_to(scope).aggregate(
        listed=Count("pk", filter=Q(identified_on__gt=week_ago)),
        transformed=Count("pk", filter=Q(transformed_on__gt=week_ago)),
    )
    approved = (
        Plan.objects.visible_to(scope)
        .filter(status=PlanStatus.APPROVED, reviewed_at__gte=since)
        .count()
    )
    findings = Finding.objects.visible_to(scope).aggregate(
        found=Count("pk", filter=Q(visit__visited_on__gt=week_ago)),
        verified=Count("pk", filter=Q(verified_at__gte=since)),
    )
    return [
        Figure(_("Villages listed in the last 7 days"), cases["listed"], _url("case_list")),
        Figure(
            _("Plans approved in the last 7 days"),
            approved,
            _url("case_list", plan_status=PlanStatus.APPROVED),
        ),
        Figure(
            _("Villages transformed in the last 7 days"),
            cases["transformed"],
            _url("case_list", status=CaseStatus.TRANSFORMED),
        ),
        Figure(_("Findings recorded in the last 7 days"), findings["found"], _url("finding_list")),
        Figure(
            _("Findings verified in the last 7 days"),
            findings["verified"],
            _url("finding_list", status=FindingStatus.VERIFIED),
        ),
    ]


# --- The list -----------------------------------------------------------------------------------

ROLE_ITEMS = {
    Role.TOWNSHIP_ORGANIZER: township_items,
    Role.COUNTY_ADMIN: county_items,
    Role.INSPECTOR: inspector_items,
    Role.FIRST_SECRETARY: secretary_items,
}

# Items other apps add per role: {role: [function(user, today, *, scope) -> [Item]]}.
EXTRA: dict[str, list] = {role: [] for role in Role.values}


def _role(user):
    if user.is_superuser and not user.role:
        return Role.COUNTY_ADMIN
    return user.role


def sort_key(item):
    return (item.done, not item.overdue, item.due or date.max, item.since or date.max)


def todo_for(user, today=None):
    """The user's to-do list: overdue first, then by due date, then oldest first."""
    today = today or timezone.localdate()
    todo = TodoList()
    scope = Scope.of(user)  # the one place the list derives what the user may read
    if scope.is_nothing:
        return todo
    role = _role(user)
    if role == Role.VIEWER:
        todo.figures = leader_figures(scope=scope, today=today)
        return todo
    builder = ROLE_ITEMS.get(role)
    items = builder(user, today, scope=scope) if builder else []
    for extra in EXTRA.get(role, []):
        items += extra(user, today, scope=scope)
    todo.items = sorted(items, key=sort_key)
    cache.set(todo_count_key(user.pk), (_whose(user), todo.count), COUNT_SECONDS)
    return todo


def _whose(user):
    # A count is the user's in one role and area: a changed role or area reads as unknown.
    return f"{_role(user)}:{Scope.of(user).prefix}"


def todo_count(user):
    """The menu's count (待办 7), as the user's list last computed it (the home page, which
    every login lands on, computes it): a cache read, no query, on every other page. None
    when not known (not computed for COUNT_SECONDS, or a leader, who has no items)."""
    if not getattr(user, "is_authenticated", False) or _role(user) == Role.VIEWER:
        return None
    kept = cache.get(todo_count_key(user.pk))
    # Only what todo_list keeps counts: a value of another shape (an earlier version's,
    # kept in Redis across a deployment) reads as unknown, never as an error on every page.
    if not isinstance(kept, tuple) or len(kept) != 2 or kept[0] != _whose(user):
        return None
    return kept[1]
