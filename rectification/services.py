"""Writes of the ledger: listing a village, editing its row, the case life cycle, the plan,
the acceptance review and close-out. Every state change goes through `TRANSITIONS` and
writes a CaseEvent in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import bulkwrite
from portal.attachments import attachment_add
from portal.choices import Role
from portal.constraints import service_transaction
from portal.exceptions import ItemRefused, StaleEditError, TransitionError
from portal.models import User
from portal.notifications import handoff, next_actors, place
from portal.permissions import Actions, allowed, require
from portal.preloaded import locked
from portal.roles import Perm, role_has_perm
from portal.scoping import Scope
from rectification import ledger, selectors
from rectification.choices import EVENT_LABELS, CaseAction, CaseStatus, Grade, PlanStatus
from rectification.models import (
    LEADERS,
    Acceptance,
    AcceptanceCriterion,
    Campaign,
    Case,
    CaseEvent,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)
from villages.models import Division, Village

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from decimal import Decimal
    from typing import Any

    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import Field, QuerySet

    from portal.models import Attachment
    from portal.notifications import Actors

# --- The life cycle ------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """A move of a case from one of `sources` to `target`, allowed to holders of `perm`."""

    action: str
    label: object
    sources: tuple
    target: str
    perm: str
    # Direct transitions get a button on the case page; the others are fired by the plan
    # approval or the acceptance review, which carry their own forms.
    direct: bool = False

    def possible(self, case: Case) -> bool:
        return case.status in self.sources


# The transitions fired by the plan approval and the acceptance review, not by a button.
START = "start"
PASS_ACCEPTANCE = "pass_acceptance"
FAIL_ACCEPTANCE = "fail_acceptance"

TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            START,
            EVENT_LABELS["start"],
            (CaseStatus.IDENTIFIED,),
            CaseStatus.RECTIFYING,
            Perm.PLAN_APPROVE,
        ),
        Transition(
            CaseAction.REQUEST_ACCEPTANCE,
            EVENT_LABELS["request_acceptance"],
            (CaseStatus.RECTIFYING,),
            CaseStatus.ACCEPTANCE_REQUESTED,
            Perm.CASE_APPLY,
            direct=True,
        ),
        Transition(
            CaseAction.WITHDRAW_REQUEST,
            EVENT_LABELS["withdraw_request"],
            (CaseStatus.ACCEPTANCE_REQUESTED,),
            CaseStatus.RECTIFYING,
            Perm.CASE_APPLY,
            direct=True,
        ),
        Transition(
            PASS_ACCEPTANCE,
            EVENT_LABELS["pass_acceptance"],
            (CaseStatus.ACCEPTANCE_REQUESTED,),
            CaseStatus.TRANSFORMED,
            Perm.CASE_ACCEPT,
        ),
        Transition(
            FAIL_ACCEPTANCE,
            EVENT_LABELS["fail_acceptance"],
            (CaseStatus.ACCEPTANCE_REQUESTED,),
            CaseStatus.RECTIFYING,
            Perm.CASE_ACCEPT,
        ),
        Transition(
            CaseAction.CLOSE,
            EVENT_LABELS["close"],
            (CaseStatus.TRANSFORMED,),
            CaseStatus.CLOSED,
            Perm.CASE_ACCEPT,
            direct=True,
        ),
    )
}


def _today():
    return timezone.localdate()


def _lock_case(case, user, *related):
    """The case row, locked, and only if it is still in the user's scope. A batch has
    loaded and locked its cases within the user's scope already: those are taken as they
    are (portal.preloaded). `related`: more to read with it, in the same query."""
    if locked(case):
        return case
    try:
        # The village and township come along: the hand-off names them (one query, not three).
        return (
            Case.objects.visible_to(Scope.of(user))
            .select_related("village__township", *related)
            .select_for_update(of=("self",))
            .get(pk=case.pk)
        )
    except Case.DoesNotExist:
        raise Http404 from None


def _event(case, action, actor, *, from_status="", to_status="", comment=""):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _fire(case, action, acting_user, *, comment="", on=None):
    """Apply one transition of TRANSITIONS to a locked case and record it."""
    transition = TRANSITIONS[action]
    require(acting_user, transition.perm)
    if not transition.possible(case):
        raise TransitionError(
            _("“{action}” is not possible: the case is “{status}”.").format(
                action=transition.label, status=case.get_status_display()
            )
        )
    previous = case.status
    case.status = transition.target
    on = on or _today()
    if transition.target == CaseStatus.TRANSFORMED:
        case.transformed_on = on
    elif transition.target == CaseStatus.CLOSED:
        case.closed_on = on
    case.version += 1
    case.updated_by = acting_user
    # A transition changes the status and its dates. The row's village, campaign and people,
    # unchanged, are not looked up again, and the date constraints are not asked of the
    # database before it enforces them: the services' own rules keep them (a close-out not
    # before the transformation, a review not before the listing). Nine statements a case
    # fewer, in a batch of a thousand.
    case.full_clean(
        exclude=["campaign", "village", "created_by", "updated_by"], validate_constraints=False
    )
    case.save()
    _event(case, action, acting_user, from_status=previous, to_status=case.status, comment=comment)
    return case


@transaction.atomic
def case_transition(
    *, case: Case, action: str, acting_user: User, comment: str = "", on: date | None = None
) -> Case:
    """Fire one of the direct transitions (apply, withdraw, close) from the case page or API."""
    transition = TRANSITIONS.get(action)
    if transition is None or not transition.direct:
        raise TransitionError(_("Unknown action."))
    # Its plan comes along, unlocked, for the caller's answer (what may be done next): no
    # plan service changes it while the case is locked, since they lock the case first.
    case = _lock_case(case, acting_user, "plan")
    too_early = case.transformed_on is not None and (on or _today()) < case.transformed_on
    if action == CaseAction.CLOSE and too_early:
        raise ValidationError({"on": _("A case cannot be closed before it was transformed.")})
    case = _fire(case, action, acting_user, comment=comment, on=on)
    notice = HANDOFF_NOTICES.get(action)
    if notice is not None:
        title, whom = notice
        handoff(
            acting_user=acting_user,
            to=next_actors(case.village_id, **whom),
            key=f"{action}:{case.pk}:{case.version}",
            title=title,
            body=comment,
            place=place(case.village),
            url=reverse("case_detail", args=[case.pk]),
        )
    return case


# Who is told of a transition of the case, and how: the county reviews an application, the
# township (and the village's first secretary) hear the verdict and the close-out.
HANDOFF_NOTICES: dict[str, tuple[Any, Actors]] = {
    CaseAction.REQUEST_ACCEPTANCE: (
        gettext_lazy("{place}: acceptance applied for: please review"),
        {"county": True},
    ),
    PASS_ACCEPTANCE: (
        gettext_lazy("{place}: acceptance passed: the village is transformed"),
        {"organizers": True, "secretary": True},
    ),
    FAIL_ACCEPTANCE: (
        gettext_lazy("{place}: acceptance failed: keep rectifying"),
        {"organizers": True, "secretary": True},
    ),
    CaseAction.CLOSE: (
        gettext_lazy("{place}: the case is closed out"),
        {"organizers": True, "secretary": True},
    ),
}


# --- What a user may do with a case ---------------------------------------------------------
# Each predicate is the state half of a rule: the service's guard raises on it, and
# `case_actions` offers the action on it; the permission half is the service's `require`.


def case_open(case: Case) -> bool:
    """A closed case (销号) is no longer edited: its row, tasks and evidence stay as they are."""
    return case.status != CaseStatus.CLOSED


def plan_editable(plan: Plan) -> bool:
    """The township drafts and changes its plan until it submits it, and again once returned."""
    return plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


def plan_has_tasks(plan: Plan) -> bool:
    return plan.tasks.exists()


def plan_awaiting_review(plan: Plan) -> bool:
    """Submitted: the county approves or returns it, or the township takes it back."""
    return plan.status == PlanStatus.SUBMITTED


def plan_approved(plan: Plan) -> bool:
    return plan.status == PlanStatus.APPROVED


def acceptance_awaited(case: Case) -> bool:
    """The acceptance review is recorded on an application for it."""
    return case.status == CaseStatus.ACCEPTANCE_REQUESTED


def progress_open(plan: Plan | None, case: Case) -> bool:
    """Task progress is recorded on an approved plan of a case not yet closed."""
    return plan is not None and plan_approved(plan) and case_open(case)


def case_actions(*, user: User, case: Case) -> Actions:
    """What `user` may do with `case` now (CaseAction names): what the case page offers and
    the API's `available_actions` lists, by the rules the services enforce. Scope is the
    caller's (the case is one the user sees)."""
    plan = getattr(case, "plan", None)
    tasks = list(plan.tasks.all()) if plan is not None else []
    transitions = {
        name: (transition.perm, transition.possible(case))
        for name, transition in TRANSITIONS.items()
        if transition.direct
    }
    return allowed(
        user,
        {
            CaseAction.EDIT: (Perm.CASE_CHANGE, case_open(case)),
            CaseAction.EDIT_PLAN: (Perm.CASE_CHANGE, plan is None or plan_editable(plan)),
            CaseAction.SUBMIT_PLAN: (
                Perm.CASE_CHANGE,
                plan is not None and plan_editable(plan) and bool(tasks),
            ),
            CaseAction.WITHDRAW_PLAN: (
                Perm.CASE_CHANGE,
                plan is not None and plan_awaiting_review(plan),
            ),
            CaseAction.REVIEW_PLAN: (
                Perm.PLAN_APPROVE,
                plan is not None and plan_awaiting_review(plan),
            ),
            CaseAction.UPDATE_TASKS: (
                Perm.TASK_UPDATE,
                progress_open(plan, case) and any(may_update_task(user, t) for t in tasks),
            ),
            CaseAction.ATTACH_EVIDENCE: (
                Perm.TASK_UPDATE,
                case_open(case)
                and (may_attach_evidence(user) or any(may_attach_evidence(user, t) for t in tasks)),
            ),
            **transitions,
            CaseAction.REVIEW_ACCEPTANCE: (Perm.CASE_ACCEPT, acceptance_awaited(case)),
        },
    )


# --- Listing and editing ---------------------------------------------------------------------

# What case_create and case_update take as **fields: the ledger row's columns that can
# change after listing (rectification/ledger.py), the categories having their own argument.
LEDGER_FIELDS = tuple(field.name for field in ledger.EDITABLE if field.kind != ledger.CATEGORIES)


def _check_listing(*, acting_user, campaign, village, exclude=None):
    if not Village.objects.visible_to(Scope.of(acting_user)).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("This village is outside your area.")})
    if not village.code.startswith(campaign.division_id):
        raise ValidationError(
            {
                "village": _("The village is not in {county}, the campaign's county.").format(
                    county=campaign.division.name
                )
            }
        )
    # One read of the village's other cases: two reads could straddle a listing of the same
    # village committed meanwhile, and the second would name this campaign as another's.
    others = list(
        Case.objects.filter(village=village)
        .exclude(pk=exclude)
        .select_related("campaign")
        .order_by("pk")
    )
    if any(case.campaign_id == campaign.pk for case in others):
        raise ValidationError({"village": _("This village is already on this campaign's ledger.")})
    still_open = next((case for case in others if case.status != CaseStatus.CLOSED), None)
    if still_open is not None:
        raise ValidationError(
            {
                "village": _("This village is still open on the ledger of {campaign}.").format(
                    campaign=still_open.campaign
                )
            }
        )


def _check_categories(user, categories):
    if not categories:
        raise ValidationError({"categories": _("Choose at least one problem category.")})
    allowed = Category.objects.visible_to(Scope.of(user)).filter(active=True)
    if allowed.filter(pk__in=[c.pk for c in categories]).count() != len(set(categories)):
        raise ValidationError({"categories": _("Choose categories in use in your county.")})


@service_transaction
def case_create(
    *,
    acting_user: User,
    campaign: Campaign,
    village: Village,
    categories: Iterable[Category],
    identified_on: date | None = None,
    **fields: Any,
) -> Case:
    """List a village on a campaign's ledger; a village closed before counts as a relapse."""
    require(acting_user, Perm.CASE_CHANGE)
    _check_listing(acting_user=acting_user, campaign=campaign, village=village)
    _check_categories(acting_user, categories)
    unknown = set(fields) - set(LEDGER_FIELDS)
    if unknown:
        raise TypeError(f"case_create got unknown fields {sorted(unknown)}")
    leaders = {name: fields.pop(name) for name in LEADERS if name in fields}
    previous = Case.objects.filter(village=village, status=CaseStatus.CLOSED).count()
    case = Case(
        campaign=campaign,
        village=village,
        identified_on=identified_on or _today(),
        listing=previous + 1,
        created_by=acting_user,
        updated_by=acting_user,
        **fields,
    )
    case.full_clean()
    case.save()
    case.categories.set(categories)
    for name, value in leaders.items():
        _set_leader(case, name, value)
    comment = (
        _("Listed again: this is listing number {n} of this village.").format(n=case.listing)
        if case.is_relapse
        else ""
    )
    _event(case, "listed", acting_user, to_status=case.status, comment=comment)
    return case


# Fields a Case is checked on in Python alone: the foreign keys' objects were loaded by the
# caller, and their existence would cost a query each (ForeignKey.validate).
_BULK_EXCLUDE = ["campaign", "village", "created_by", "updated_by"]
# Set by save() (auto_now, auto_now_add) or by the database: not checked, not given.
_BULK_STAMPED = ("id", "created_at", "updated_at")


@service_transaction
def cases_create_bulk(
    *, acting_user: User, campaign: Campaign, items: Sequence[Mapping[str, Any]]
) -> list[int]:
    """List many villages on a campaign's ledger at once (a chunk of an import): the rules of
    case_create checked for every item in Python, against what one query per kind loads
    (the villages in scope, their cases, the categories in use), then the cases, their
    categories, leaders, history and "listed" events written in bulk, as rows of values
    (no model instance: at 50,000 cases one each was most of the write). Returns the new
    cases' ids, in the order of the items. Raises ItemRefused naming the first item
    refused; nothing is written then."""
    require(acting_user, Perm.CASE_CHANGE)
    scope = Scope.of(acting_user)
    codes = [item["village"].code for item in items]
    visible = set(
        Village.objects.visible_to(scope).filter(code__in=codes).values_list("code", flat=True)
    )
    on_campaign: set[str] = set()
    still_open: dict[str, Campaign] = {}
    closed: dict[str, int] = {}
    for case in Case.objects.filter(village_id__in=codes).select_related("campaign"):
        if case.campaign_id == campaign.pk:
            on_campaign.add(case.village_id)
        elif case.status != CaseStatus.CLOSED:
            still_open.setdefault(case.village_id, case.campaign)
        else:
            closed[case.village_id] = closed.get(case.village_id, 0) + 1
    allowed = set(
        Category.objects.visible_to(scope).filter(active=True).values_list("pk", flat=True)
    )
    today = _today()
    checked = _BulkCase()
    rows, leaders = [], []
    for index, item in enumerate(items):
        try:
            values, names = _bulk_case(
                campaign, item, today, visible, on_campaign, still_open, closed, checked
            )
            if not item["categories"]:
                raise ValidationError({"categories": _("Choose at least one problem category.")})
            if any(category.pk not in allowed for category in item["categories"]):
                raise ValidationError({"categories": _("Choose categories in use in your county.")})
        except ValidationError as error:
            raise ItemRefused(index, error) from None
        on_campaign.add(item["village"].code)  # the same village twice in the items
        rows.append((item["village"].code, *(values[name] for name in checked.columns)))
        leaders.append(names)
    # What save() sets (auto_now, auto_now_add), and the foreign keys every case shares.
    now = timezone.now()
    shared = {
        "campaign_id": campaign.pk,
        "created_by_id": acting_user.pk,
        "updated_by_id": acting_user.pk,
        "created_at": now,
        "updated_at": now,
    }
    columns = ["village_id", *checked.columns]
    ids = bulkwrite.insert_new(Case, columns, rows, defaults=shared)
    bulkwrite.insert_tuples(
        cast("Any", Case.categories).through,
        ["case_id", "category_id"],
        [
            (pk, category.pk)
            for pk, item in zip(ids, items, strict=True)
            for category in dict.fromkeys(item["categories"])
        ],
    )
    # The leaders are support links of the "five ones".
    link = cast("Any", Case._meta.get_field("support").related_model)
    name_field = link._meta.get_field("name")
    links = []
    for index, (pk, names) in enumerate(zip(ids, leaders, strict=True)):
        for field, value in names.items():
            for leader in dict.fromkeys(p.strip() for p in (value or "").split("、")):
                if leader:
                    try:
                        name_field.clean(leader, None)
                    except ValidationError as error:
                        raise ItemRefused(index, error) from None
                    links.append((pk, LEADERS[field][0], leader))
    bulkwrite.insert_tuples(
        link,
        ["case_id", "kind", "name"],
        links,
        defaults={
            "contact": "",
            "amount": None,
            "project_status": "",
            "mentor_village_id": None,
            "created_at": now,
        },
    )
    # The history row each case's save() would have written (simple_history's "+"): the
    # case's own values, who and when.
    historical = cast("Any", Case).history.model
    history = {
        **shared,
        "history_date": now,
        "history_type": "+",
        "history_change_reason": None,
        "history_user_id": acting_user.pk,
    }
    given = {"id", *columns, *history}
    wanted = {f.attname for f in historical._meta.concrete_fields if not f.primary_key}
    if given != wanted:  # simple_history changed its table
        raise ImproperlyConfigured(f"Case history columns: {sorted(given ^ wanted)}")
    bulkwrite.insert_tuples(
        historical,
        ["id", *columns],
        ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
        defaults=history,
    )
    # A row is (village, *checked.columns): where the status and the listing number are.
    status, listing = (1 + checked.columns.index(name) for name in ("status", "listing"))
    relapse = _("Listed again: this is listing number {n} of this village.")
    bulkwrite.insert_tuples(
        CaseEvent,
        ["case_id", "to_status", "comment"],
        [
            (pk, row[status], relapse.format(n=row[listing]) if row[listing] > 1 else "")
            for pk, row in zip(ids, rows, strict=True)
        ],
        defaults={"action": "listed", "from_status": "", "actor_id": acting_user.pk, "at": now},
    )
    return ids


class _BulkCase:
    """What Case(...).full_clean(exclude=_BULK_EXCLUDE) checks, without a Case: each field's
    clean() (type, choices, blank, null, length and range) on the item's value or the
    field's default, the errors gathered by field as full_clean gathers them."""

    def __init__(self) -> None:
        self.fields = [
            f
            for f in Case._meta.concrete_fields
            if f.name not in _BULK_EXCLUDE and f.attname not in _BULK_STAMPED
        ]
        self.columns = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}

    def clean(self, values: dict[str, Any]) -> None:
        errors = {}
        for field in self.fields:
            raw = values[field.attname]
            if field.blank and raw in field.empty_values:
                continue
            try:
                values[field.attname] = field.clean(raw, None)
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


def _bulk_case(campaign, item, today, visible, on_campaign, still_open, closed, checked):
    """One item of cases_create_bulk as the values of a new case, checked as case_create
    checks it (the same words), and its leader columns."""
    village = item["village"]
    if village.code not in visible:
        raise ValidationError({"village": _("This village is outside your area.")})
    if not village.code.startswith(campaign.division_id):
        raise ValidationError(
            {
                "village": _("The village is not in {county}, the campaign's county.").format(
                    county=campaign.division.name
                )
            }
        )
    if village.code in on_campaign:
        raise ValidationError({"village": _("This village is already on this campaign's ledger.")})
    if village.code in still_open:
        raise ValidationError(
            {
                "village": _("This village is still open on the ledger of {campaign}.").format(
                    campaign=still_open[village.code]
                )
            }
        )
    fields = {key: item[key] for key in LEDGER_FIELDS if key in item}
    names = {name: fields.pop(name) for name in LEADERS if name in fields}
    values = {
        **checked.defaults,
        **fields,
        "identified_on": item.get("identified_on") or today,
        "listing": closed.get(village.code, 0) + 1,
    }
    checked.clean(values)
    # The check constraint's own rule, in Python (validating it would be a query a row).
    if values["deadline"] < values["identified_on"]:
        raise ValidationError({"deadline": _("The deadline cannot be before the listing date.")})
    return values, names


def _set_leader(case, name, value):
    """Make the case's supporters of the leader's kind read `value` (names joined with 、):
    the ledger's leader columns are kept as support links of the five ones. Links already
    naming the leader stay (with their contact); True when anything changed."""
    kind = LEADERS[name][0]
    value = (value or "").strip()
    links = list(case.support.filter(kind=kind))
    if value == "、".join(link.name for link in links):
        return False
    names = [part.strip() for part in value.split("、") if part.strip()]
    kept = {link.name for link in links if link.name in names}
    case.support.filter(kind=kind).exclude(name__in=kept).delete()
    for leader in names:
        if leader not in kept:
            link = case.support.model(case=case, kind=kind, name=leader)
            link.full_clean()
            link.save()
            kept.add(leader)
    return True


def _stale(case):
    return StaleEditError(
        _("This record was modified by {user} at {time}; reload the page and edit again.").format(
            user=case.updated_by or _("someone else"),
            time=timezone.localtime(case.updated_at).strftime("%Y-%m-%d %H:%M"),
        )
    )


@transaction.atomic
def case_update(
    *,
    case: Case,
    acting_user: User,
    version: int,
    categories: Iterable[Category] | None = None,
    **fields: Any,
) -> Case:
    """Edit the ledger row; a form loaded before someone else's save is refused."""
    require(acting_user, Perm.CASE_CHANGE)
    case = _lock_case(case, acting_user)
    if case.version != version:
        raise _stale(case)
    if not case_open(case):
        raise TransitionError(_("A closed case can no longer be edited."))
    changed = []
    for name, value in fields.items():
        if name not in LEDGER_FIELDS:
            raise TypeError(f"case_update cannot change {name}")
        if name in LEADERS:
            if _set_leader(case, name, value):
                changed.append(str(LEADERS[name][1]))
            continue
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(str(cast("Field", Case._meta.get_field(name)).verbose_name))
    if categories is not None:
        _check_categories(acting_user, categories)
        if set(categories) != set(case.categories.all()):
            case.categories.set(categories)
            changed.append(str(Case._meta.get_field("categories").verbose_name))
    if not changed:
        return case
    case.version += 1
    case.updated_by = acting_user
    case.full_clean()
    case.save()
    _event(
        case,
        "edited",
        acting_user,
        comment=_("Changed: {fields}").format(fields=_(", ").join(changed)),
    )
    return case


# --- The plan (一村一策) -----------------------------------------------------------------------


def _lock_plan(case, user):
    case = _lock_case(case, user)
    plan, _created = Plan.objects.select_for_update().get_or_create(case=case)
    return case, plan


@transaction.atomic
def plan_save(
    *, case: Case, acting_user: User, version: int, goal: str, tasks: Sequence[dict[str, Any]]
) -> Plan:
    """Save the plan's goal and tasks while it is a draft or was returned.

    `tasks` is a list of dicts (measure, owner, due_on, assignee, order, and `id` for an
    existing task); existing tasks missing from the list are deleted.
    """
    require(acting_user, Perm.CASE_CHANGE)
    case, plan = _lock_plan(case, acting_user)
    if plan.version != version:
        raise StaleEditError(_("The plan was changed by someone else; reload the page."))
    if not plan_editable(plan):
        raise TransitionError(
            _("The plan is “{status}” and can no longer be changed.").format(
                status=plan.get_status_display()
            )
        )
    plan.goal = goal
    assignees = set(task_assignees(case=case, acting_user=acting_user))
    existing = {task.pk: task for task in plan.tasks.all()}
    keep = set()
    for order, data in enumerate(tasks):
        task = existing.get(data.get("id")) or PlanTask(plan=plan)
        task.measure = data["measure"]
        task.owner = data["owner"]
        task.due_on = data["due_on"]
        previous = task.assignee_id
        task.assignee = data.get("assignee")
        # A new assignee must see the task and may record its progress (the form offers
        # only those; the API is checked here).
        if task.assignee_id not in (None, previous) and task.assignee not in assignees:
            raise ValidationError(
                {
                    "assignee": _(
                        "{user} cannot see this village's tasks or record their progress."
                    ).format(user=task.assignee)
                }
            )
        task.order = order
        task.full_clean()
        task.save()
        keep.add(task.pk)
    plan.tasks.exclude(pk__in=keep).delete()
    plan.version += 1
    plan.save()
    return plan


@transaction.atomic
def plan_submit(*, case: Case, acting_user: User) -> Plan:
    """The township sends the plan to the county for approval."""
    require(acting_user, Perm.CASE_CHANGE)
    case, plan = _lock_plan(case, acting_user)
    if not plan_editable(plan):
        raise TransitionError(_("Only a draft or returned plan can be submitted."))
    if not plan_has_tasks(plan):
        raise ValidationError(_("Add at least one task before submitting the plan."))
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = acting_user
    plan.version += 1
    plan.save()
    _event(case, "plan_submitted", acting_user)
    handoff(
        acting_user=acting_user,
        to=next_actors(case.village_id, county=True),
        key=f"plan-submitted:{plan.pk}:{plan.version}",
        title=gettext_lazy("{place}: the rectification plan awaits your approval"),
        place=place(case.village),
        url=reverse("case_detail", args=[case.pk]),
    )
    return plan


@transaction.atomic
def plan_withdraw(*, case: Case, acting_user: User) -> Plan:
    """The township takes back a submitted plan to change it, until the county decides."""
    require(acting_user, Perm.CASE_CHANGE)
    case, plan = _lock_plan(case, acting_user)
    if not plan_awaiting_review(plan):
        raise TransitionError(
            _("Only a submitted plan can be withdrawn: this one is “{status}”.").format(
                status=plan.get_status_display()
            )
        )
    plan.status = PlanStatus.DRAFT
    plan.version += 1
    plan.save()
    _event(case, "plan_withdrawn", acting_user)
    return plan


def task_assignees(*, case: Case, acting_user: User) -> QuerySet[User]:
    """Who may be made responsible for a task of the case's plan: active users who see the
    case's village (their division contains it; a first secretary: posted there) and whose
    role records task progress, among those the acting user sees."""
    code = case.village_id
    roles = [role for role in Role.values if role_has_perm(role, Perm.TASK_UPDATE)]
    ancestors = [code[:n] for n in (2, 4, 6, 9)]
    return (
        User.objects.visible_to(Scope.of(acting_user))
        .filter(is_active=True, role__in=roles)
        .filter(
            Q(role=Role.FIRST_SECRETARY, village_id=code)
            | (~Q(role=Role.FIRST_SECRETARY) & Q(division_id__in=ancestors))
        )
        .order_by("division_id", "username")
    )


@transaction.atomic
def plan_review(*, case: Case, acting_user: User, approve: bool, comment: str = "") -> Plan:
    """The county approves the plan (the case starts rectifying) or returns it with a reason."""
    require(acting_user, Perm.PLAN_APPROVE)
    case, plan = _lock_plan(case, acting_user)
    if not plan_awaiting_review(plan):
        raise TransitionError(_("Only a submitted plan can be approved or returned."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why the plan is returned.")})
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.reviewed_at = timezone.now()
    plan.reviewed_by = acting_user
    plan.review_comment = comment
    plan.version += 1
    plan.save()
    _event(case, "plan_approved" if approve else "plan_returned", acting_user, comment=comment)
    if approve and case.status == CaseStatus.IDENTIFIED:
        _fire(case, START, acting_user)
    url = reverse("case_detail", args=[case.pk])
    handoff(
        acting_user=acting_user,
        to=next_actors(case.village_id, organizers=True),
        key=f"plan-{plan.status}:{plan.pk}:{plan.version}",
        title=gettext_lazy("{place}: the rectification plan was approved")
        if approve
        else gettext_lazy("{place}: the rectification plan was returned: revise and resubmit"),
        body=comment,
        place=place(case.village),
        url=url,
    )
    if approve:
        # The tasks can be worked on now: each assignee is told of his own.
        for task in plan.tasks.exclude(assignee=None):
            handoff(
                acting_user=acting_user,
                to=next_actors(case.village_id, users=[task.assignee_id]),
                key=f"task-assigned:{task.pk}:{task.assignee_id}",
                title=gettext_lazy("{place}: a rectification task is assigned to you"),
                body=format_lazy(
                    gettext_lazy("{measure} (due {due_on})"),
                    measure=task.measure,
                    due_on=task.due_on.isoformat(),
                ),
                place=place(case.village),
                url=url,
            )
    return plan


def may_update_task(user: User, task: PlanTask) -> bool:
    """Whether `user` may record progress on `task`: whoever updates tasks, except that a
    first secretary updates only the tasks assigned to him. The case page offers inputs by
    this rule; `task_progress` enforces it."""
    if not user.has_role_perm(Perm.TASK_UPDATE):
        return False
    return user.role != Role.FIRST_SECRETARY or task.assignee_id == user.pk


def may_attach_evidence(user: User, task: PlanTask | None = None) -> bool:
    """Whether `user` may add evidence to `task` (None: to the case as a whole): whoever
    edits the ledger, to any; whoever else updates tasks, only to the tasks assigned to him.
    The upload form offers its choices by this rule; `evidence_add` enforces it."""
    if not user.has_role_perm(Perm.TASK_UPDATE):
        return False
    return user.has_role_perm(Perm.CASE_CHANGE) or (
        task is not None and task.assignee_id == user.pk
    )


@transaction.atomic
def task_progress(
    *,
    task: PlanTask,
    acting_user: User,
    progress: int,
    note: str = "",
    completed_on: date | None = None,
) -> PlanTask:
    """Record how far a task of an approved plan has got; 100 % needs a completion date."""
    require(acting_user, Perm.TASK_UPDATE)
    try:
        task = (
            PlanTask.objects.visible_to(Scope.of(acting_user)).select_for_update().get(pk=task.pk)
        )
    except PlanTask.DoesNotExist:
        raise Http404 from None
    if not may_update_task(acting_user, task):
        raise PermissionDenied(_("You can only update tasks assigned to you."))
    if not plan_approved(task.plan):
        raise TransitionError(_("Progress is recorded once the plan is approved."))
    if not case_open(task.plan.case):
        raise TransitionError(_("A closed case can no longer be edited."))
    task.progress = progress
    task.note = note
    task.completed_on = (completed_on or _today()) if progress == 100 else None
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def evidence_add(
    *, case: Case, acting_user: User, upload: UploadedFile, task: PlanTask | None = None
) -> Attachment:
    """Attach an evidence file to the case or one of its plan's tasks; a first secretary
    only to a task assigned to them."""
    require(acting_user, Perm.TASK_UPDATE)
    case = _lock_case(case, acting_user)
    if not case_open(case):
        raise TransitionError(_("A closed case can no longer be edited."))
    if task is not None and task.plan.case_id != case.pk:
        raise ValidationError({"task": _("This task is not part of the case's plan.")})
    if not may_attach_evidence(acting_user, task):
        raise PermissionDenied(_("You can only add evidence to tasks assigned to you."))
    attachment = attachment_add(
        record=task or case, scope_code=case.village_id, upload=upload, acting_user=acting_user
    )
    _event(case, "evidence_added", acting_user, comment=attachment.original_name)
    return attachment


# --- Acceptance and close-out ----------------------------------------------------------------


@transaction.atomic
def acceptance_record(
    *,
    case: Case,
    acting_user: User,
    reviewed_on: date,
    scores: Mapping[Any, int] | None = None,
    satisfaction: Decimal | float | int,
    conclusion: str,
    total: int | None = None,
) -> Acceptance:
    """Record the county's acceptance review; pass ⇒ transformed, fail ⇒ back to rectifying.

    The checklist is scored item by item (`scores`), or, for a review scored on paper and
    entered in bulk (the results workbook, the batch API), by its `total` alone."""
    require(acting_user, Perm.CASE_ACCEPT)
    case = _lock_case(case, acting_user)
    if not acceptance_awaited(case):
        raise TransitionError(
            _("An acceptance review needs an application; the case is “{status}”.").format(
                status=case.get_status_display()
            )
        )
    # The checklist in force where the village is (its county's, or inherited from above).
    criteria = {str(c.pk): c for c in selectors.checklist(scope=Scope.under(case.village_id))}
    if (scores is None) == (total is None):
        raise TypeError("acceptance_record takes the item scores or the total, not both")
    if total is not None:
        most = sum(criterion.points for criterion in criteria.values())
        if not 0 <= total <= most:
            raise ValidationError({"total": _("Between 0 and {points}.").format(points=most)})
    scores = {str(key): value for key, value in (scores or {}).items()}
    errors = {}
    for key, criterion in criteria.items() if total is None else ():
        value = scores.get(key)
        if value is None:
            errors[f"score_{key}"] = _("Give a score for this item.")
        elif not 0 <= value <= criterion.points:
            errors[f"score_{key}"] = _("Between 0 and {points}.").format(points=criterion.points)
    if set(scores) - set(criteria):
        errors["scores"] = _("Unknown checklist items.")
    if errors:
        raise ValidationError(errors)
    if reviewed_on < case.identified_on:
        raise ValidationError({"reviewed_on": _("The review cannot precede the listing.")})
    total = sum(scores.values()) if total is None else total
    pass_mark = settings.ACCEPTANCE_PASS_MARK
    acceptance = Acceptance(
        case=case,
        reviewed_on=reviewed_on,
        reviewer=acting_user,
        scores=scores,
        total=total,
        pass_mark=pass_mark,
        satisfaction=satisfaction,
        conclusion=conclusion,
        passed=total >= pass_mark,
    )
    # Its case (locked above) and reviewer (the actor) are not looked up again; reviewed by
    # its total alone, it has no item scores to require.
    acceptance.full_clean(exclude=["case", "reviewer", *([] if scores else ["scores"])])
    acceptance.save()
    comment = _("Score {total} (pass mark {mark}), satisfaction {satisfaction} %. {conclusion}")
    action = PASS_ACCEPTANCE if acceptance.passed else FAIL_ACCEPTANCE
    comment = comment.format(
        total=total, mark=pass_mark, satisfaction=satisfaction, conclusion=conclusion
    )
    _fire(case, action, acting_user, comment=comment, on=reviewed_on)
    title, whom = HANDOFF_NOTICES[action]
    handoff(
        acting_user=acting_user,
        to=next_actors(case.village_id, **whom),
        key=f"{action}:{acceptance.pk}",
        title=title,
        body=comment,
        place=place(case.village),
        url=reverse("case_detail", args=[case.pk]),
    )
    return acceptance


# --- Campaigns and categories --------------------------------------------------------------


def refusal_to_change(item: Campaign | Category | AcceptanceCriterion, scope: Scope) -> Exception:
    """The refusal to change what an area above set (inherited, read-only below it): 403,
    saying who set it; 404 for what the scope does not see at all."""
    if not type(item).objects.visible_to(scope).filter(pk=item.pk).exists():
        return Http404()
    if item.division is None:
        return PermissionDenied(_("This is set nationally; it cannot be changed here."))
    return PermissionDenied(
        _("This is set by {area}: only its organization department can change it.").format(
            area=item.division.name
        )
    )


# Which levels may set a campaign of their own: a province's or a city's is shared by the
# counties under it (a county may open its own beside it).
CAMPAIGN_LEVELS = ("province", "city", "county")


@service_transaction
def campaign_create(
    *, acting_user: User, division: Division, year: int, name: str, started_on: date
) -> Campaign:
    """Open a yearly campaign for a county, or for a city or province whose counties share
    it (one per area and year)."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    if (
        division.level not in CAMPAIGN_LEVELS
        or not Division.objects.visible_to(Scope.of(acting_user)).filter(pk=division.pk).exists()
    ):
        raise ValidationError({"division": _("Choose your area or a county inside it.")})
    if Campaign.objects.filter(division=division, year=year).exists():
        raise ValidationError(
            {
                "year": _("{county} already has a campaign for {year}.").format(
                    county=division.name, year=year
                )
            }
        )
    campaign = Campaign(division=division, year=year, name=name, started_on=started_on)
    campaign.full_clean()
    campaign.save()
    return campaign


@service_transaction
def campaign_update(
    *, acting_user: User, campaign: Campaign, name: str, started_on: date
) -> Campaign:
    """Rename a campaign or correct its start; its area and year, which its cases hang
    on, stay as opened. A campaign set above the acting user's area is not his to change."""
    require(acting_user, Perm.CAMPAIGN_MANAGE)
    scope = Scope.of(acting_user)
    locked = Campaign.objects.editable_by(scope).select_for_update().filter(pk=campaign.pk).first()
    if locked is None:
        raise refusal_to_change(campaign, scope)
    campaign = locked
    campaign.name, campaign.started_on = name, started_on
    campaign.full_clean()
    campaign.save()
    return campaign


@service_transaction
def category_save(
    *,
    acting_user: User,
    category: Category | None = None,
    name: str,
    group: str,
    order: int = 0,
    active: bool = True,
) -> Category:
    """Add or change a problem category; one in use on cases is retired, not deleted. A new
    one is the administrator's area's own (a province's is inherited by its counties)."""
    require(acting_user, Perm.CATEGORY_MANAGE)
    if category is None:
        # A new category belongs to the administrator's area (national: a superuser).
        category = Category(division=acting_user.division if not acting_user.is_superuser else None)
    elif not Category.objects.editable_by(Scope.of(acting_user)).filter(pk=category.pk).exists():
        raise refusal_to_change(category, Scope.of(acting_user))
    category.name, category.group, category.order, category.active = name, group, order, active
    category.full_clean()
    category.save()
    return category


@service_transaction
def criterion_save(
    *,
    acting_user: User,
    criterion: AcceptanceCriterion | None = None,
    name: str,
    points: int,
    order: int = 0,
    active: bool = True,
) -> AcceptanceCriterion:
    """Add or change an item of the acceptance checklist of the administrator's area. Once
    an area has items of its own, they replace the checklist it inherited for its cases
    (selectors.checklist); one used in a review is retired, not deleted."""
    require(acting_user, Perm.CHECKLIST_MANAGE)
    if criterion is None:
        criterion = AcceptanceCriterion(
            division=acting_user.division if not acting_user.is_superuser else None
        )
    elif (
        not AcceptanceCriterion.objects.editable_by(Scope.of(acting_user))
        .filter(pk=criterion.pk)
        .exists()
    ):
        raise refusal_to_change(criterion, Scope.of(acting_user))
    criterion.name, criterion.points, criterion.order, criterion.active = (
        name,
        points,
        order,
        active,
    )
    criterion.full_clean()
    criterion.save()
    return criterion


# --- Screening ---------------------------------------------------------------------------------


def grade_for_stars(stars: int) -> int:
    """十星级: at most RATING_CLASS3_MAX_STARS stars is class 3, from
    RATING_CLASS1_MIN_STARS class 1, class 2 between (seed 004: ≤ 4 stars ⇒ class 3)."""
    if stars <= settings.RATING_CLASS3_MAX_STARS:
        return Grade.THREE
    if stars >= settings.RATING_CLASS1_MIN_STARS:
        return Grade.ONE
    return Grade.TWO


@transaction.atomic
def rating_set(*, acting_user: User, village: Village, year: int, stars: int) -> VillageRating:
    """Record (or correct) a village's star rating for a year; the grade follows the stars."""
    require(acting_user, Perm.CASE_CHANGE)
    if not Village.objects.visible_to(Scope.of(acting_user)).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("This village is outside your area.")})
    rating, _created = VillageRating.objects.select_for_update().get_or_create(
        village=village, year=year, defaults={"stars": stars, "grade": grade_for_stars(stars)}
    )
    rating.stars = stars
    rating.grade = grade_for_stars(stars)
    rating.rated_by = acting_user
    rating.full_clean()
    rating.save()
    return rating


@service_transaction
def ratings_set_bulk(
    *, acting_user: User, items: Sequence[Mapping[str, Any]]
) -> list[VillageRating]:
    """Record (or correct) many star ratings at once (a chunk of an import), with the rules
    of rating_set checked for every item in Python against one query for the villages in
    scope and one for the ratings already there; then written in bulk. Raises ItemRefused
    naming the first item refused; nothing is written then."""
    require(acting_user, Perm.CASE_CHANGE)
    codes = {item["village"].code for item in items}
    visible = set(
        Village.objects.visible_to(Scope.of(acting_user))
        .filter(code__in=codes)
        .values_list("code", flat=True)
    )
    existing = {
        (rating.village_id, rating.year): rating
        for rating in VillageRating.objects.select_for_update().filter(
            village_id__in=codes, year__in={item["year"] for item in items}
        )
    }
    now = timezone.now()
    created: dict[tuple[str, int], VillageRating] = {}
    updated: dict[tuple[str, int], VillageRating] = {}
    for index, item in enumerate(items):
        village, year, stars = item["village"], item["year"], item["stars"]
        key = (village.code, year)
        rating = existing.get(key) or created.get(key)
        if rating is None:
            rating = VillageRating(village=village, year=year)
            created[key] = rating
        elif key in existing:
            updated[key] = rating
        rating.stars, rating.grade = stars, grade_for_stars(stars)
        rating.rated_by, rating.rated_at = acting_user, now
        try:
            if village.code not in visible:
                raise ValidationError({"village": _("This village is outside your area.")})
            rating.full_clean(
                exclude=["village", "rated_by"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            raise ItemRefused(index, error) from None
    bulkwrite.insert(VillageRating, list(created.values()))
    VillageRating.objects.bulk_update(
        updated.values(), ["stars", "grade", "rated_by", "rated_at"], batch_size=1000
    )
    return [*created.values(), *updated.values()]


def default_deadline(identified_on: date) -> date:
    """The usual deadline: the end of the listing year (转化时限 defaults to 12-31)."""
    return date(identified_on.year, 12, 31)
