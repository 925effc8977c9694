"""The same action on several records at once (approve several plans with one opinion,
verify several findings): each record goes through the single action's service in its own
savepoint, so a refusal costs only that record, and the page says what was done and what
was refused, record by record, with the reason.

A ticked id that is not in the user's scope is refused as such, never acted on and never
named (its name is not the user's to learn). The foundation knows no domain app: the page
passes the scoped queryset, the service call and how to name a record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from portal.choices import ReportStatus
from portal.excel import HEADER_FILL, HEADER_FONT, print_setup
from portal.generic import ObjectDetailView, PortalMixin
from portal.models import BulkJob, Notification, User
from portal.notifications import gathered, notify
from portal.permissions import require
from portal.preloaded import preloaded
from portal.queue import send
from portal.scoping import Scope

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

# More than a page of rows at once is not a person ticking boxes.
MAX_ITEMS = 200


class IdsField(forms.MultipleChoiceField):
    """The ids of the ticked rows. Whether each is in the user's scope is not the form's
    question: one out of scope is refused in the summary, and the others are done."""

    default_error_messages = {
        "required": gettext_lazy("Tick at least one row."),
        "too_many": gettext_lazy("Tick at most %(max)d rows at a time."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Selected"))
        super().__init__(choices=(), **kwargs)

    def valid_value(self, value):
        return str(value).isdigit() and len(str(value)) <= 12

    def clean(self, value):
        value = super().clean(value)
        ids = list(dict.fromkeys(int(v) for v in value))
        if len(ids) > MAX_ITEMS:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_ITEMS}
            )
        return ids


@dataclass
class Outcome:
    """What a bulk action did: the names of the records done, and (name, reason) of those
    refused."""

    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def out_of_scope():
    return _("Not within your jurisdiction.")


def _reason(error):
    if isinstance(error, Http404):
        return out_of_scope()
    if isinstance(error, PermissionDenied):
        return str(error) or _("Your role does not allow this action.")
    return " ".join(error.messages)


def run(*, ids, queryset, action, label=str, summary_url=""):
    """Call `action(record)` for each id, in the order ticked, each in its own savepoint.

    `queryset` is already scoped to the user (`visible_to`): an id outside it is refused as
    out of scope. The service's own refusals (ValidationError, TransitionError,
    PermissionDenied, or Http404 if the record left the scope meanwhile) are kept with
    their message; anything else is a bug and propagates. `summary_url` is where a notice
    gathered for several records points (the list of what changed)."""
    found = queryset.in_bulk(ids)
    outcome = Outcome()
    # The hand-offs are gathered: each recipient is told once per kind for all the records.
    with gathered(url=summary_url) as gathering:
        for pk in ids:
            record = found.get(pk)
            if record is None:
                outcome.refused.append((_("No. {id}").format(id=pk), out_of_scope()))
                continue
            mark = gathering.mark()
            try:
                with transaction.atomic():
                    action(record)
            except (ValidationError, PermissionDenied, Http404) as error:
                gathering.forget_since(mark)
                outcome.refused.append((label(record), _reason(error)))
            else:
                outcome.done.append(label(record))
    return outcome


def report(request, outcome, *, done):
    """Put the summary on the next page: `done` (a callable of the count) says what was
    done; each refusal is named with its reason. Nothing done at all is an error."""
    if outcome.done:
        messages.success(request, done(len(outcome.done)))
    if outcome.refused:
        reasons = _("; ").join(
            # The reasons are sentences; joined in one, they lose their full stops.
            _("{name} — {reason}").format(name=name, reason=reason.rstrip("。."))
            for name, reason in outcome.refused
        )
        text = _("{count} not done: {reasons}.").format(count=len(outcome.refused), reasons=reasons)
        (messages.warning if outcome.done else messages.error)(request, text)


# --- Batches: one action on up to thousands of records (the API and the ledger page) ---------
#
# A batch is declared by the app (a BatchSpec: the scoped queryset that loads the records
# with what the services read, and its actions, each a call of the single action's
# service). Up to settings.BULK_SYNC_MAX_ITEMS records are acted on in the request, each in
# its own savepoint inside one transaction; more (up to BULK_MAX_ITEMS) go to a worker as a
# BulkJob, whose per-record results the requester polls and downloads. Either way, the
# services' hand-offs are gathered: each recipient is told once per kind of notice.


@dataclass(frozen=True)
class BatchAction:
    """One action of a batch: `run(record, acting_user=..., **fields)` calls the single
    action's service; `perm` is what the caller's role needs (else 403 for the batch);
    `summary_url` is where a gathered notice points (the list of what changed)."""

    name: str
    label: Any
    perm: str
    run: Callable[..., Any]
    summary_url: Callable[[], str] | None = None
    # `run` is one call of a @transaction.atomic service, whose own savepoint confines a
    # refusal to its record: no second savepoint around it (two queries a record).
    atomic: bool = True


@dataclass(frozen=True)
class BatchSpec:
    """The records a batch acts on: `queryset(scope)` loads them (one query, with the
    related rows the services and the labels read); `label(record)` names one on a page."""

    kind: str
    queryset: Callable[[Scope], QuerySet]
    actions: Mapping[str, BatchAction]
    label: Callable[[Any], str] = str
    status_field: str = "status"
    # A status as people read it (the results workbook).
    status_label: Callable[[str], str] = str
    # params as stored (JSON) -> the actions' fields (dates parsed back, …).
    load: Callable[[dict], dict] | None = None
    # A record's page, by id (the job page links the refused ones still in scope).
    record_url: Callable[[int], str] | None = None


BATCHES: dict[str, BatchSpec] = {}


def register(spec: BatchSpec) -> BatchSpec:
    BATCHES[spec.kind] = spec
    return spec


@dataclass
class ItemResult:
    """What a batch did to one id: ok, or the reason it was refused; `status` is the
    record's status afterwards (None when not found); `record` is for the page's labels."""

    id: int
    ok: bool
    status: str | None = None
    error: str = ""
    record: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "status": self.status, "error": self.error}


def not_found() -> str:
    # The same words whether the id does not exist or is another area's: nothing is named.
    return _("Not found.")


def _act(spec, action, ids, fields, acting_user, scope, gathering):
    """Each id through the action in its own savepoint, inside the caller's transaction.
    Queries: one to load the records, the service's own per record, one for the statuses."""
    # One statement loads and locks them all, in the order of their keys (two batches on the
    # same records wait for each other rather than deadlock); the services take them as
    # locked (portal.preloaded) instead of locking each again.
    found = spec.queryset(scope).select_for_update(of=("self",)).order_by("pk").in_bulk(ids)
    with preloaded(found):
        results = _each(action, ids, found, fields, acting_user, gathering)
    statuses = dict(
        spec.queryset(scope)
        .filter(pk__in=[r.id for r in results if r.record is not None])
        .values_list("pk", spec.status_field)
    )
    for result in results:
        if result.record is not None:
            result.status = statuses.get(result.id)
            if result.status is None:  # acted on, and out of the scope since
                result.ok, result.error, result.record = False, not_found(), None
    return results


def _each(action, ids, found, fields, acting_user, gathering):
    results = []
    for pk in ids:
        record = found.get(pk)
        if record is None:
            results.append(ItemResult(pk, False, None, not_found()))
            continue
        mark = gathering.mark()
        try:
            if action.atomic:
                action.run(record, acting_user=acting_user, **fields)
            else:
                with transaction.atomic():
                    action.run(record, acting_user=acting_user, **fields)
        except (ValidationError, PermissionDenied, Http404) as error:
            gathering.forget_since(mark)
            reason = not_found() if isinstance(error, Http404) else _reason(error)
            results.append(ItemResult(pk, False, error=reason, record=record))
        else:
            results.append(ItemResult(pk, True, record=record))
    return results


def _action(spec, name, acting_user):
    action = spec.actions.get(name)
    if action is None:
        raise ValidationError({"action": _("Unknown action.")})
    require(acting_user, action.perm)
    return action


def _summary_url(action):
    return action.summary_url() if action.summary_url else ""


def batch_apply(
    *,
    kind: str,
    action: str,
    ids: Sequence[int],
    fields: Mapping[str, Any],
    acting_user: User,
    scope: Scope,
) -> list[ItemResult]:
    """Act on `ids` now, in one transaction with a savepoint per record: a refusal costs only
    that record. Ids outside `scope` (or unknown) are "not found", never named."""
    spec = BATCHES[kind]
    batch_action = _action(spec, action, acting_user)
    ids = list(dict.fromkeys(ids))
    with transaction.atomic(), gathered(url=_summary_url(batch_action)) as gathering:
        return _act(spec, batch_action, ids, dict(fields), acting_user, scope, gathering)


@transaction.atomic
def batch_job_start(
    *,
    kind: str,
    action: str,
    ids: Sequence[int],
    params: Mapping[str, Any],
    acting_user: User,
    scope: Scope,
) -> BulkJob:
    """Record a batch for a worker and hand it over once committed. `params` are the
    action's fields, JSON-safe (the task turns them back with the spec's `load`)."""
    spec = BATCHES[kind]
    _action(spec, action, acting_user)
    job = BulkJob.objects.create(
        kind=kind,
        action=action,
        params=dict(params),
        ids=list(dict.fromkeys(ids)),
        scope_code=scope.prefix or "",
        requested_by=acting_user,
    )
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _send(job_id):
    if not send("portal.tasks.run_bulk_job", (job_id,)):
        BulkJob.objects.filter(pk=job_id, status=ReportStatus.PENDING).update(
            status=ReportStatus.FAILED,
            error=_("The batch could not be handed to the workers; send it again."),
            finished_at=timezone.now(),
        )


# Records per transaction of a background batch: its progress moves between them, and a
# worker that dies resumes after the last one committed.
JOB_CHUNK = 200


def batch_job_run(*, job_id: int) -> BulkJob | None:
    """Run a recorded batch (the worker's task): chunk by chunk, each chunk one transaction,
    resuming after the results already kept; the requester is told when it is finished.
    A job deleted meanwhile is nothing to do."""
    job = BulkJob.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None or job.is_finished:
        return job
    spec = BATCHES[job.kind]
    user = job.requested_by
    scope = Scope.of(user)
    job.status, job.started_at = ReportStatus.RUNNING, job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        action = _action(spec, job.action, user)
        fields = spec.load(dict(job.params)) if spec.load else dict(job.params)
        with gathered(url=_summary_url(action)) as gathering:
            while len(job.results) < len(job.ids):
                chunk = job.ids[len(job.results) : len(job.results) + JOB_CHUNK]
                with transaction.atomic():
                    results = _act(spec, action, chunk, fields, user, scope, gathering)
                    job.results += [result.as_dict() for result in results]
                    job.done_count += sum(result.ok for result in results)
                    job.refused_count += sum(not result.ok for result in results)
                    job.progress = min(99, 100 * len(job.results) // max(len(job.ids), 1))
                    job.save(update_fields=["results", "done_count", "refused_count", "progress"])
        job.status, job.progress = ReportStatus.DONE, 100
    except (ValidationError, PermissionDenied) as error:
        # The requester lost the role (or the action its meaning) since asking.
        job.status, job.error = ReportStatus.FAILED, _reason(error)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "error", "finished_at"])
    notify(
        users=[user],
        key=f"bulk-job:{job.pk}",
        title=_("Batch finished: {done} done, {refused} not done").format(
            done=job.done_count, refused=job.refused_count
        )
        if job.status == ReportStatus.DONE
        else _("Batch failed: {error}").format(error=job.error)[:200],
        url=job.get_absolute_url(),
    )
    return job


def results_workbook(job: BulkJob) -> Workbook:
    """The job's per-record results as a workbook: id, done or not, status, reason."""
    spec = BATCHES[job.kind]
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook has its one sheet
    sheet.title = str(_("Results"))[:31]
    sheet.append([_("No."), _("Done"), _("Status"), _("Reason")])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for result in job.results:
        sheet.append(
            [
                result["id"],
                _("Yes") if result["ok"] else _("No"),
                spec.status_label(result["status"]) if result["status"] else "",
                result["error"],
            ]
        )
    for letter, width in zip("ABCD", (10, 8, 16, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    print_setup(sheet, title_rows=1)
    return workbook


class NotificationReadSelectedView(PortalMixin, View):
    """Mark the ticked notifications read: only the user's own (another's id is ignored,
    as if it did not exist), then back to the list with how many were marked. Here, not in
    a domain app: notices are the foundation's own, and reading one has no rule to check."""

    http_method_names = ["post"]

    def post(self, request):
        field = IdsField()
        try:
            ids = field.clean(request.POST.getlist("ids"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("notifications")
        count = Notification.objects.filter(
            user=request.user, pk__in=ids, read_at__isnull=True
        ).update(read_at=timezone.now())
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked read.", "%(count)d notifications marked read.", count
            )
            % {"count": count},
        )
        return redirect("notifications")


class _OwnJob(ObjectDetailView):
    """A batch job is its requester's alone (its results name his cases): anyone else,
    even of the same area, gets 404."""

    model = BulkJob

    def get_queryset(self):
        return super().get_queryset().filter(requested_by=self.request.user)


class BulkJobDetailView(_OwnJob):
    """A background batch: its progress (htmx polls it), then what was done and, one by
    one, what was not and why; every result in the workbook."""

    template_name = "portal/bulk_job.html"
    # What the page lists of the refused ones: the workbook has them all.
    SHOWN = 200

    def get_template_names(self):
        if self.request.htmx:
            return ["portal/_bulk_job_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        spec = BATCHES.get(job.kind)
        link = spec.record_url if spec and spec.record_url else None
        refused = [
            {**r, "url": link(r["id"]) if link and r["status"] else ""}
            for r in job.results
            if not r["ok"]
        ][: self.SHOWN]
        context.update(
            action=spec.actions[job.action].label if spec and job.action in spec.actions else "",
            refused=refused,
            total=len(job.ids),
        )
        return context


class BulkJobResultsView(_OwnJob):
    """The job's results as a workbook, as far as it has got."""

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        from django.utils.http import content_disposition_header

        filename = _("Batch {id} results.xlsx").format(id=job.pk)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        results_workbook(job).save(response)
        return response
