"""Pages of the inspections app: rounds, teams and the draw, visits, findings, circulars."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from inspections import selectors, services
from inspections.choices import (
    FINDING_STATUS_COLOURS,
    ROUND_STATUS_COLOURS,
    SEVERITY_COLOURS,
    FindingAction,
    FindingStatus,
    RoundStatus,
)
from inspections.docx import circular_document, document_number
from inspections.exports import FINDINGS, ROUNDS, VISITS
from inspections.filtersets import FindingFilterSet, RoundFilterSet, VisitFilterSet
from inspections.forms import (
    AnswerForm,
    AwarenessForm,
    BulkVerifyForm,
    CircularForm,
    DrawForm,
    FindingForm,
    QuarterlyForm,
    RoundForm,
    TeamForm,
    VerifyForm,
    VisitForm,
)
from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from inspections.reports import quarterly_area_of, quarterly_ask
from portal import bulk
from portal.generic import (
    ExportView,
    FormActionView,
    FormPageMixin,
    ObjectDetailView,
    ObjectListView,
    PortalMixin,
    ScopedObjectFormMixin,
    ScopedObjectMixin,
    add_service_errors,
)
from portal.months import previous_quarter, quarter_of
from portal.roles import Perm
from villages.choices import DivisionLevel
from villages.organs import organ

COLOURS = {
    "round_colours": ROUND_STATUS_COLOURS,
    "finding_colours": FINDING_STATUS_COLOURS,
    "severity_colours": SEVERITY_COLOURS,
}


class RoundListView(ObjectListView):
    model = InspectionRound
    filterset_class = RoundFilterSet
    template_name = "inspections/round_list.html"
    export_url_name = "round_export"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.round_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_role_perm(Perm.ROUND_MANAGE)
        context["can_ask_quarterly"] = context["can_export"] and (
            quarterly_area_of(self.request.user) is not None  # "": the whole country
        )
        # The quarter just ended: in January, the fourth quarter of last year.
        year, quarter = quarter_of(previous_quarter(timezone.localdate()))
        context["quarterly_form"] = QuarterlyForm(
            initial={"year": year, "quarter": quarter},
            auto_id="q-%s",
        )
        return context


class RoundExportView(ExportView):
    export_kind = ROUNDS.kind


class RoundCreateView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.ROUND_MANAGE
    permission_for_reads = True
    form_class = RoundForm
    heading = gettext_lazy("New inspection round")
    cancel_url = "round_list"
    form_width = "col-lg-7"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_initial(self):
        today = timezone.localdate()
        division = self.request.user.division
        return {
            "county": division if division and division.level == DivisionLevel.COUNTY else None,
            "year": today.year,
            "quarter": quarter_of(today)[1],
            "starts_on": today,
            "ends_on": today,
        }

    def form_valid(self, form):
        try:
            inspection = services.round_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(inspection)


class RoundDetailView(ObjectDetailView):
    """The round as far as the reader may know it: the plan (teams' villages) and the
    visits follow `inspections.selectors` (who may know what)."""

    model = InspectionRound
    template_name = "inspections/round_detail.html"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.round_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection, user = self.object, self.request.user
        plan = selectors.round_plan(scope=self.request.scope, inspection=inspection)
        can_manage = user.has_role_perm(Perm.ROUND_MANAGE)
        my_teams = [t for t in plan or [] if any(m.pk == user.pk for m in t.members.all())]
        context.update(
            teams=plan or [],
            plan_hidden=plan is None,
            plan_partial=plan is not None and not inspection.plan_known,
            my_teams=my_teams,
            visits=selectors.visit_list(scope=self.request.scope).filter(round=inspection),
            counts=selectors.finding_counts(scope=self.request.scope, inspection=inspection),
            circular=selectors.circular_list(scope=self.request.scope)
            .filter(round=inspection)
            .first(),
            can_manage=can_manage,
            draw_form=DrawForm(auto_id="draw-%s"),
            candidates=len(services.draw_candidates(inspection)) if can_manage else 0,
            # Each move the round may make, and whether it starts the round (or closes it).
            moves=[
                (to, to == RoundStatus.ACTIVE) for to in services.ROUND_MOVES[inspection.status]
            ],
            can_record_visit=bool(my_teams) and services.round_active(inspection),
        )
        return context


class _RoundAction(ScopedObjectMixin, View):
    model = InspectionRound
    permission = Perm.ROUND_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = self.get_object()
        try:
            result = self.act(inspection)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(inspection)
        return result or redirect(inspection)


class RoundMoveView(_RoundAction):
    def act(self, inspection):
        to = self.request.POST.get("to")
        if to not in RoundStatus.values:
            raise ValidationError(_("Unknown status."))
        services.round_move(acting_user=self.request.user, inspection=inspection, to=to)
        messages.success(
            self.request, _("The round is now “{status}”.").format(status=RoundStatus(to).label)
        )


class DrawView(FormActionView):
    model = InspectionRound
    permission = Perm.ROUND_MANAGE
    form_class = DrawForm
    page_view = RoundDetailView
    form_name = "draw_form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": "draw-%s"}

    def get_queryset(self):
        return selectors.round_list(scope=self.request.scope)

    def form_valid(self, form):
        inspection = self.object
        drawn = services.draw_villages(
            acting_user=self.request.user, inspection=inspection, **form.cleaned_data
        )
        inspection.refresh_from_db()
        messages.success(
            self.request,
            _("{count} villages drawn with seed {seed}.").format(
                count=len(drawn), seed=inspection.draw_seed
            ),
        )
        return redirect(inspection)


class CircularDraftView(_RoundAction):
    def act(self, inspection):
        circular = services.circular_draft(acting_user=self.request.user, inspection=inspection)
        return redirect("circular_detail", pk=circular.pk)


class _RoundFormPage(FormPageMixin, ScopedObjectFormMixin, FormView):
    """A form about a round: Cancel goes back to the round."""

    model = InspectionRound
    permission_for_reads = True
    form_width = "col-lg-7"

    def get_cancel_url(self):
        return self.object.get_absolute_url()


class TeamCreateView(_RoundFormPage):
    permission = Perm.ROUND_MANAGE
    form_class = TeamForm
    heading = gettext_lazy("New inspection team")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "acting_user": self.request.user,
            "inspection": self.object,
        }

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        villages = data.pop("villages")
        try:
            team = services.team_save(
                acting_user=self.request.user,
                inspection=self.object,
                name=data["name"],
                leader=data["leader"],
                members=list(data["members"]),
            )
            services.team_assign(acting_user=self.request.user, team=team, villages=list(villages))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(self.object)


class VisitCreateView(_RoundFormPage):
    permission = Perm.INSPECT
    form_class = VisitForm
    heading = gettext_lazy("Record a visit")

    def get_object(self):
        inspection = super().get_object()
        if not services.may_record_visits(self.request.user, inspection):
            raise PermissionDenied
        return inspection

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "acting_user": self.request.user,
            "inspection": self.object,
        }

    def get_initial(self):
        return {"visited_on": timezone.localdate()}

    def form_valid(self, form):
        try:
            visit = services.visit_record(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("visit_detail", pk=visit.pk)


class VisitListView(ObjectListView):
    model = Visit
    filterset_class = VisitFilterSet
    template_name = "inspections/visit_list.html"
    export_url_name = "visit_export"

    def get_queryset(self):
        return selectors.visit_list(scope=self.request.scope)


class VisitExportView(ExportView):
    export_kind = VISITS.kind


class VisitDetailView(ObjectDetailView):
    model = Visit
    template_name = "inspections/visit_detail.html"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.visit_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_add = (
            user.has_role_perm(Perm.INSPECT)
            and self.object.team.members.filter(pk=user.pk).exists()
        )
        awareness = getattr(self.object, "awareness", None)
        context.update(
            findings=selectors.finding_list(scope=self.request.scope).filter(visit=self.object),
            can_add=can_add,
            finding_form=FindingForm(acting_user=user),
            awareness=awareness,
            awareness_form=AwarenessForm(instance=awareness) if can_add else None,
        )
        return context


class AwarenessRecordView(FormActionView):
    """The household interviews of a visit (群众知晓率), from its page."""

    model = Visit
    permission = Perm.INSPECT
    form_class = AwarenessForm
    page_view = VisitDetailView
    form_name = "awareness_form"

    def form_valid(self, form):
        services.awareness_record(
            acting_user=self.request.user, visit=self.object, **form.cleaned_data
        )
        messages.success(self.request, _("The household interviews have been recorded."))
        return redirect("visit_detail", pk=self.object.pk)


class FindingCreateView(FormActionView):
    model = Visit
    permission = Perm.INSPECT
    form_class = FindingForm
    page_view = VisitDetailView
    form_name = "finding_form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def form_valid(self, form):
        services.finding_add(acting_user=self.request.user, visit=self.object, **form.cleaned_data)
        messages.success(self.request, _("The finding has been recorded."))
        return redirect("visit_detail", pk=self.object.pk)


class FindingListView(ObjectListView):
    model = Finding
    filterset_class = FindingFilterSet
    template_name = "inspections/finding_list.html"
    export_url_name = "finding_export"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.finding_list(scope=self.request.scope).order_by("deadline", "pk")

    def get_context_data(self, **kwargs):
        # An inspector verifies answered findings in bulk on their own page.
        kwargs.setdefault("can_verify_in_bulk", self.request.user.has_role_perm(Perm.INSPECT))
        return super().get_context_data(**kwargs)


class FindingExportView(ExportView):
    export_kind = FINDINGS.kind


class FindingDetailView(ObjectDetailView):
    model = Finding
    template_name = "inspections/finding_detail.html"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.finding_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        from portal.attachments import attachments_of

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            answer_form=AnswerForm(initial={"response": self.object.response}),
            available_actions=services.finding_actions(user=user, finding=self.object),
            overdue=selectors.finding_is_overdue(self.object, timezone.localdate()),
            verify_form=VerifyForm(),
            reviews=self.object.reviews.select_related("reviewed_by"),
            attachments=attachments_of(self.object),
            today=timezone.localdate(),
        )
        return context


class _FindingAction(FormActionView):
    model = Finding
    page_view = FindingDetailView

    def get_queryset(self):
        return selectors.finding_list(scope=self.request.scope)


class FindingAnswerView(_FindingAction):
    permission = Perm.FINDING_ANSWER
    form_class = AnswerForm
    form_name = "answer_form"

    def form_valid(self, form):
        services.finding_answer(
            acting_user=self.request.user,
            finding=self.object,
            response=form.cleaned_data["response"],
            upload=form.cleaned_data["file"],
        )
        messages.success(self.request, _("The rectification has been reported."))
        return redirect(self.object)


class FindingVerifyView(_FindingAction):
    """核实销号, or 退回重新整改 with the reason: both from one form of the finding's page."""

    permission = Perm.INSPECT
    form_class = VerifyForm
    form_name = "verify_form"

    def get_object(self):
        # Not an inspector of the round: 403 before the form, as the service would answer.
        finding = super().get_object()
        if not services.is_inspector_of(self.request.user, finding.visit.round):
            raise PermissionDenied
        return finding

    def form_valid(self, form):
        comment = form.cleaned_data["comment"]
        if form.cleaned_data["decision"] == FindingAction.VERIFY:
            services.finding_verify(
                acting_user=self.request.user, finding=self.object, comment=comment
            )
            messages.success(self.request, _("The finding is verified."))
        else:
            services.finding_send_back(
                acting_user=self.request.user, finding=self.object, comment=comment
            )
            messages.success(
                self.request,
                _("The finding has been sent back to the township for re-rectification."),
            )
        return redirect(self.object)


class FindingPendingView(PortalMixin, FormView):
    """The findings the township has answered in the inspector's own rounds, oldest answer
    first: ticked and verified (核实销号) with one comment, each through `finding_verify` as
    on its page (a finding of another round is refused there, by name)."""

    permission = Perm.INSPECT
    permission_for_reads = True
    form_class = BulkVerifyForm
    template_name = "inspections/finding_pending.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = Team.objects.filter(members=user).values("round_id")
        kwargs.setdefault(
            "findings",
            selectors.finding_list(scope=self.request.scope)
            .filter(status=FindingStatus.RECTIFYING, visit__round__in=mine)
            .order_by("responded_at", "pk"),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        user = self.request.user
        comment = form.cleaned_data["comment"]
        outcome = bulk.run(
            ids=form.cleaned_data["ids"],
            queryset=selectors.finding_list(scope=self.request.scope),
            action=lambda finding: services.finding_verify(
                acting_user=user, finding=finding, comment=comment
            ),
            label=finding_label,
            summary_url=f"{reverse('finding_list')}?status={FindingStatus.VERIFIED}",
        )
        bulk.report(self.request, outcome, done=_verified)
        return redirect("finding_pending")


def _verified(count):
    text = ngettext("%(count)d finding verified.", "%(count)d findings verified.", count)
    return text % {"count": count}


def finding_label(finding):
    """A finding named in a summary: its village and the start of its description."""
    return _("{village}: {description}").format(
        village=finding.visit.village.name, description=Truncator(finding.description).chars(20)
    )


class CircularListView(PortalMixin, TemplateView):
    template_name = "inspections/circular_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            circulars=selectors.circular_list(scope=self.request.scope), **kwargs
        )


class CircularDetailView(ObjectDetailView):
    """The circular, laid out to be printed; its edit form while it is a draft."""

    model = Circular
    template_name = "inspections/circular_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, circular = self.request.user, self.object
        acknowledged = list(circular.acknowledgements.select_related("township", "by"))
        context.update(
            # The heading and the number as the Word file prints them (GB/T 9704).
            organ=organ(circular.county),
            document_number=document_number(circular),
            can_manage=user.has_role_perm(Perm.ROUND_MANAGE),
            form=CircularForm(instance=circular),
            acknowledgements=acknowledged,
            can_acknowledge=circular.published_at is not None
            and user.has_role_perm(Perm.FINDING_ANSWER)
            and user.division_id is not None
            and len(user.division_id) == 9
            and not any(a.township_id == user.division_id for a in acknowledged),
        )
        return context


class _CircularAction(ScopedObjectMixin, View):
    model = Circular
    http_method_names = ["post"]

    def post(self, request, pk):
        circular = self.get_object()
        try:
            self.act(circular)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("circular_detail", pk=circular.pk)


class CircularEditView(FormActionView):
    model = Circular
    permission = Perm.ROUND_MANAGE
    form_class = CircularForm
    page_view = CircularDetailView

    def get_form_kwargs(self):
        # Not the object itself: validating the form would write the input onto it.
        return {**super().get_form_kwargs(), "instance": Circular(pk=self.object.pk)}

    def form_valid(self, form):
        services.circular_update(
            acting_user=self.request.user,
            circular=self.object,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        messages.success(self.request, _("Saved."))
        return redirect("circular_detail", pk=self.object.pk)


class CircularPublishView(_CircularAction):
    permission = Perm.ROUND_MANAGE

    def act(self, circular):
        services.circular_publish(acting_user=self.request.user, circular=circular)
        messages.success(self.request, _("The circular has been published."))


class CircularAcknowledgeView(_CircularAction):
    permission = Perm.FINDING_ANSWER

    def act(self, circular):
        services.circular_acknowledge(acting_user=self.request.user, circular=circular)
        messages.success(self.request, _("Acknowledged."))


class CircularDocxView(ScopedObjectMixin, View):
    model = Circular

    def get(self, request, pk):
        circular = self.get_object()
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{document_number(circular)}.docx"
        )
        circular_document(circular).save(response)
        return response


class QuarterlyReportView(FormActionView):
    """Start (or open) the quarterly report of the reader's county (city, province) from
    the page: progress, then download.
    The form is on the rounds' list."""

    permission = Perm.REPORT_EXPORT
    form_class = QuarterlyForm
    page_view = RoundListView
    page_url_name = "round_list"
    form_name = "quarterly_form"

    def get_object(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": "q-%s"}

    def page_kwargs(self):
        return {}

    def form_valid(self, form):
        request = self.request
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        area = quarterly_area_of(request.user)
        if area is None:
            messages.error(
                request,
                _(
                    "The quarterly report covers a whole county; it is asked for by "
                    "county-level accounts."
                ),
            )
            return redirect("round_list")
        report = quarterly_ask(area=area, year=year, quarter=quarter, acting_user=request.user)
        return redirect(report)


def secretary_awareness_panel(secretary, scope):
    """The villagers' awareness card of a first secretary's page (firstsecretary.panels)."""
    total, per_village = selectors.secretary_awareness(scope=scope, secretary=secretary)
    return {"total": total, "per_village": per_village}
