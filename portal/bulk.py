"""The same action on several records at once (approve several plans with one opinion,
verify several findings): each record goes through the single action's service in its own
savepoint, so a refusal costs only that record, and the page says what was done and what
was refused, record by record, with the reason.

A ticked id that is not in the user's scope is refused as such, never acted on and never
named (its name is not the user's to learn). The foundation knows no domain app: the page
passes the scoped queryset, the service call and how to name a record.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from portal.generic import PortalMixin
from portal.models import Notification

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


def run(*, ids, queryset, action, label=str):
    """Call `action(record)` for each id, in the order ticked, each in its own savepoint.

    `queryset` is already scoped to the user (`visible_to`): an id outside it is refused as
    out of scope. The service's own refusals (ValidationError, TransitionError,
    PermissionDenied, or Http404 if the record left the scope meanwhile) are kept with
    their message; anything else is a bug and propagates."""
    found = queryset.in_bulk(ids)
    outcome = Outcome()
    for pk in ids:
        record = found.get(pk)
        if record is None:
            outcome.refused.append((_("No. {id}").format(id=pk), out_of_scope()))
            continue
        try:
            with transaction.atomic():
                action(record)
        except (ValidationError, PermissionDenied, Http404) as error:
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
