"""The ledger's batches: one transition on many cases (portal.bulk), each case through the
same service as its own page and API call: approve or return plans, apply for acceptance,
record acceptance results, close out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import bulk
from portal.roles import Perm
from rectification import services
from rectification.choices import CaseAction, CaseStatus, PlanStatus
from rectification.models import Case

if TYPE_CHECKING:
    from portal.models import User
    from portal.scoping import Scope

KIND = "rectification.case"


def cases(scope: Scope):
    """The cases a batch may act on, with what the hand-offs and labels read."""
    return Case.objects.visible_to(scope).select_related("village__township")


def _ledger(**filters: str):
    """The ledger filtered to what a batch changed: where its summary notice points."""
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return lambda: f"{reverse('case_list')}?{query}"


def _plan_review(approve):
    def run(case: Case, *, acting_user: User, comment: str = "", **_ignored: Any) -> None:
        services.plan_review(case=case, acting_user=acting_user, approve=approve, comment=comment)

    return run


def _submit(case: Case, *, acting_user: User, **_ignored: Any) -> None:
    services.plan_submit(case=case, acting_user=acting_user)


def _transition(name):
    def run(
        case: Case, *, acting_user: User, comment: str = "", on: date | None = None, **_: Any
    ) -> None:
        services.case_transition(
            case=case, action=name, acting_user=acting_user, comment=comment, on=on
        )

    return run


def _acceptance(
    case: Case,
    *,
    acting_user: User,
    reviewed_on: date,
    total: int,
    satisfaction: Decimal,
    conclusion: str,
    **_ignored: Any,
) -> None:
    services.acceptance_record(
        case=case,
        acting_user=acting_user,
        reviewed_on=reviewed_on,
        total=total,
        satisfaction=satisfaction,
        conclusion=conclusion,
    )


# The actions' names as the API takes them.
PLAN_APPROVE = "plan_approve"
PLAN_RETURN = "plan_return"
PLAN_SUBMIT = "plan_submit"
APPLY = "apply"
WITHDRAW = "withdraw"
ACCEPTANCE = "acceptance"
CLOSE = "close"

ACTIONS = {
    action.name: action
    for action in (
        bulk.BatchAction(
            PLAN_SUBMIT,
            gettext_lazy("Submit the plans"),
            Perm.CASE_CHANGE,
            _submit,
            _ledger(plan_status=PlanStatus.SUBMITTED),
        ),
        bulk.BatchAction(
            PLAN_APPROVE,
            gettext_lazy("Approve the plans"),
            Perm.PLAN_APPROVE,
            _plan_review(True),
            _ledger(plan_status=PlanStatus.APPROVED),
        ),
        bulk.BatchAction(
            PLAN_RETURN,
            gettext_lazy("Return the plans"),
            Perm.PLAN_APPROVE,
            _plan_review(False),
            _ledger(plan_status=PlanStatus.RETURNED),
        ),
        bulk.BatchAction(
            APPLY,
            gettext_lazy("Apply for acceptance"),
            Perm.CASE_APPLY,
            _transition(CaseAction.REQUEST_ACCEPTANCE),
            _ledger(status=CaseStatus.ACCEPTANCE_REQUESTED),
        ),
        bulk.BatchAction(
            WITHDRAW,
            gettext_lazy("Withdraw the applications"),
            Perm.CASE_APPLY,
            _transition(CaseAction.WITHDRAW_REQUEST),
            _ledger(status=CaseStatus.RECTIFYING),
        ),
        bulk.BatchAction(
            ACCEPTANCE,
            gettext_lazy("Record the acceptance results"),
            Perm.CASE_ACCEPT,
            _acceptance,
            _ledger(status=CaseStatus.TRANSFORMED),
        ),
        bulk.BatchAction(
            CLOSE,
            gettext_lazy("Close out"),
            Perm.CASE_ACCEPT,
            _transition(CaseAction.CLOSE),
            _ledger(status=CaseStatus.CLOSED),
        ),
    )
}


# What each action takes besides the ids (the API's body, the ledger page's form).
FIELDS: dict[str, tuple[str, ...]] = {
    PLAN_SUBMIT: (),
    PLAN_APPROVE: ("comment",),
    PLAN_RETURN: ("comment",),
    APPLY: ("comment", "on"),
    WITHDRAW: ("comment", "on"),
    CLOSE: ("comment", "on"),
    ACCEPTANCE: ("reviewed_on", "total", "satisfaction", "conclusion"),
}


def missing(action: str, data: dict[str, Any]) -> dict[str, str]:
    """{field: reason} of what `action` needs and `data` lacks: asked once for the batch,
    since each case's service would refuse alike without it."""
    if action == ACCEPTANCE:
        return {
            name: str(_("Required for the acceptance results."))
            for name in FIELDS[ACCEPTANCE]
            if data.get(name) in (None, "")
        }
    if action == PLAN_RETURN and not (data.get("comment") or "").strip():
        return {"comment": str(_("Say why the plans are returned."))}
    return {}


def fields_of(action: str, data: dict[str, Any]) -> dict[str, Any]:
    """The action's own fields out of everything sent."""
    return {name: data.get(name) for name in FIELDS[action]}


def load(params: dict[str, Any]) -> dict[str, Any]:
    """A background job's stored fields (JSON) back as the services take them."""
    fields = dict(params)
    for name in ("on", "reviewed_on"):
        if fields.get(name):
            fields[name] = date.fromisoformat(fields[name])
    if fields.get("satisfaction") is not None:
        fields["satisfaction"] = Decimal(str(fields["satisfaction"]))
    return fields


def dump(fields: dict[str, Any]) -> dict[str, Any]:
    """The action's fields as a job stores them (dates as ISO text, decimals as text)."""
    return {
        key: value.isoformat()
        if isinstance(value, date)
        else str(value)
        if isinstance(value, Decimal)
        else value
        for key, value in fields.items()
    }


CASES = bulk.register(
    bulk.BatchSpec(
        kind=KIND,
        queryset=cases,
        actions=ACTIONS,
        label=lambda case: f"{case.village.township.name}{case.village.name}",
        status_label=lambda value: str(CaseStatus(value).label),
        load=load,
        record_url=lambda pk: reverse("case_detail", args=[pk]),
    )
)
