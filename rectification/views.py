"""Pages of the ledger: the list, one page per case, and the forms that call the services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from portal import bulk, import_views
from portal.attachments import attachments_of
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
from portal.roles import Perm
from rectification import batches, panels, selectors, services
from rectification.choices import (
    CASE_STATUS_COLOURS,
    PLAN_STATUS_COLOURS,
    CaseStatus,
    PlanStatus,
)
from rectification.exports import LEDGER, RATINGS
from rectification.filtersets import CaseFilterSet, VillageRatingFilterSet
from rectification.forms import (
    AcceptanceForm,
    CampaignForm,
    CampaignUpdateForm,
    CaseBatchForm,
    CaseForm,
    CategoryForm,
    CriterionForm,
    EvidenceForm,
    PlanBulkReviewForm,
    PlanForm,
    PlanReviewForm,
    RatingForm,
    TaskFormSet,
    TaskProgressForm,
    TransitionForm,
    batch_actions,
)
from rectification.imports import (
    ACCEPTANCE_IMPORT,
    LEDGER_IMPORT,
    RATING_IMPORT,
    LedgerUploadForm,
)
from rectification.models import (
    AcceptanceCriterion,
    Campaign,
    Case,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)

COLOURS = {"status_colours": CASE_STATUS_COLOURS, "plan_colours": PLAN_STATUS_COLOURS}


class CaseListView(ObjectListView):
    model = Case
    filterset_class = CaseFilterSet
    template_name = "rectification/case_list.html"
    export_url_name = "case_export"
    extra_context = {**COLOURS, "status_choices": CaseStatus, "plan_choices": PlanStatus}

    def get_queryset(self):
        # The badge 久拖未转化 (one query for the campaigns' thresholds).
        return selectors.with_stalled(selectors.ledger_rows(scope=self.request.scope))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_list"] = self.request.user.has_role_perm(Perm.CASE_CHANGE)
        # The ledger filtered to plans awaiting approval offers to decide them together.
        awaiting = self.request.GET.get("plan_status") == PlanStatus.SUBMITTED
        may_approve = self.request.user.has_role_perm(Perm.PLAN_APPROVE)
        context["can_review_plans"] = awaiting and may_approve
        context["can_accept"] = self.request.user.has_role_perm(Perm.CASE_ACCEPT)
        if batch_actions(self.request.user):
            form = CaseBatchForm(
                acting_user=self.request.user,
                initial={"query": self.request.GET.urlencode()},
                auto_id="batch-%s",
            )
            count = context["paginator"].count if context.get("paginator") else 0
            form.fields["everything"].label = ngettext(
                "All %(count)d case matching the filter, not only those ticked",
                "All %(count)d cases matching the filter, not only those ticked",
                count,
            ) % {"count": count}
            context["batch_form"] = form
        return context


class CaseExportView(ExportView):
    export_kind = LEDGER.kind


class CaseDetailView(ObjectDetailView):
    """One page per case: ledger row, plan and tasks, history, acceptance, actions."""

    model = Case
    template_name = "rectification/case_detail.html"
    extra_context = COLOURS

    def get_queryset(self):
        return selectors.case_detail(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        actions = services.case_actions(user=user, case=case)
        plan = getattr(case, "plan", None)
        tasks = list(plan.tasks.select_related("assignee")) if plan else []
        # Progress inputs only on the tasks this user may write (a first secretary: his own).
        task_forms = {
            task.pk: TaskProgressForm(
                initial={"progress": task.progress, "note": task.note},
                auto_id=progress_form_id(task.pk),
            )
            for task in tasks
            if actions.update_tasks and services.may_update_task(user, task)
        }
        evidence_form = None
        if actions.attach_evidence:
            mine = [t.pk for t in tasks if services.may_attach_evidence(user, t)]
            evidence_form = EvidenceForm(
                tasks=PlanTask.objects.filter(pk__in=mine).order_by("pk"),
                whole_case=services.may_attach_evidence(user),
                auto_id="evidence-%s",
            )
        attachments = list(attachments_of(case))
        task_attachments = {task.pk: list(attachments_of(task)) for task in tasks}
        today = timezone.localdate()
        context.update(
            panels=panels.render_context(case, user),
            attachments=attachments,
            task_attachments=task_attachments,
            has_files=bool(attachments) or any(task_attachments.values()),
            plan=plan,
            plan_approved=plan is not None and services.plan_approved(plan),
            tasks=tasks,
            task_forms=task_forms,
            evidence_form=evidence_form,
            events=selectors.case_events(case),
            acceptances=case.acceptances.select_related("reviewer"),
            available_actions=actions,
            transitions=services.TRANSITIONS,
            review_form=PlanReviewForm(),
            transition_form=TransitionForm(),
            overdue=selectors.case_is_overdue(case, today),
            today=today,
        )
        return context


class CaseCreateView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.CASE_CHANGE
    permission_for_reads = True
    form_class = CaseForm
    heading = gettext_lazy("List a village on the ledger")
    page_title = gettext_lazy("Ledger")
    cancel_url = "case_list"
    form_width = "col-xl-8"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_initial(self):
        today = timezone.localdate()
        campaign = selectors.campaigns_for(scope=self.request.scope).order_by("-year").first()
        return {
            "village": self.request.GET.get("village"),
            "campaign": campaign,
            "identified_on": today,
            "deadline": services.default_deadline(today),
        }

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            case = services.case_create(acting_user=self.request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("{village} is on the ledger.").format(village=case.village)
        )
        return redirect(case)


class CaseUpdateView(FormPageMixin, ScopedObjectFormMixin, FormView):
    model = Case
    permission = Perm.CASE_CHANGE
    permission_for_reads = True
    form_class = CaseForm
    page_title = gettext_lazy("Ledger")
    form_width = "col-xl-8"

    def get_heading(self):
        return _("Edit the ledger row of %(village)s") % {"village": self.object.village.name}

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "acting_user": self.request.user,
            "instance": self.object,
        }

    def get_initial(self):
        return {"version": self.object.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            case = services.case_update(
                case=self.object, acting_user=self.request.user, version=version, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The ledger row has been saved."))
        return redirect(case)


def progress_form_id(task_pk):
    """The ids of one task's progress inputs: one form per row of the plan's table."""
    return f"task-{task_pk}-%s"


class _CaseFormView(FormActionView):
    """A form of the case page: done, back to the page; refused, the page again with what
    was typed and the errors under their fields."""

    model = Case
    page_view = CaseDetailView

    def get_queryset(self):
        return selectors.case_detail(scope=self.request.scope)


class _CaseActionView(ScopedObjectMixin, View):
    """A POST from a button of the case page; refusals come back as a message, not a 500."""

    model = Case
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_object()
        try:
            self.act(case)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(case)


class _TransitionView(_CaseActionView):
    action: str | None = None

    def act(self, case):
        form = TransitionForm(self.request.POST)
        if not form.is_valid():
            # A malformed date or an oversize comment is refused, not silently dropped.
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.case_transition(
            case=case,
            action=self.action,
            acting_user=self.request.user,
            comment=form.cleaned_data.get("comment", ""),
            on=form.cleaned_data.get("on"),
        )
        messages.success(self.request, services.TRANSITIONS[self.action].label)


class RequestAcceptanceView(_TransitionView):
    permission = Perm.CASE_APPLY
    action = "request_acceptance"


class WithdrawRequestView(_TransitionView):
    permission = Perm.CASE_APPLY
    action = "withdraw_request"


class CloseCaseView(_TransitionView):
    permission = Perm.CASE_ACCEPT
    action = "close"


class PlanSubmitView(_CaseActionView):
    permission = Perm.CASE_CHANGE

    def act(self, case):
        services.plan_submit(case=case, acting_user=self.request.user)
        messages.success(self.request, _("The plan has been submitted to the county."))


class PlanWithdrawView(_CaseActionView):
    """The township takes its submitted plan back, until the county has decided."""

    permission = Perm.CASE_CHANGE

    def act(self, case):
        services.plan_withdraw(case=case, acting_user=self.request.user)
        messages.success(self.request, _("The plan has been withdrawn; it is a draft again."))


class PlanReviewView(_CaseFormView):
    permission = Perm.PLAN_APPROVE
    form_class = PlanReviewForm
    form_name = "review_form"

    def form_valid(self, form):
        approve = form.cleaned_data["decision"] == form.APPROVE
        services.plan_review(
            case=self.object,
            acting_user=self.request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            self.request, _("The plan is approved.") if approve else _("The plan was returned.")
        )
        return redirect(self.object)


class PlanEditView(ScopedObjectFormMixin, FormView):
    """The plan's goal and its tasks as one form with a task formset."""

    model = Case
    permission = Perm.CASE_CHANGE
    permission_for_reads = True
    form_class = PlanForm
    template_name = "rectification/plan_form.html"

    def plan(self):
        return Plan.objects.filter(case=self.object).first()

    def formset(self, data=None):
        plan = self.plan()
        assignees = services.task_assignees(case=self.object, acting_user=self.request.user)
        return TaskFormSet(
            data if data is not None else (self.request.POST or None),
            queryset=plan.tasks.all() if plan else PlanTask.objects.none(),
            form_kwargs={"assignees": assignees, "deadline": self.object.deadline},
            prefix="tasks",
        )

    def post(self, request, *args, **kwargs):
        if "add_row" not in request.POST:
            return super().post(request, *args, **kwargs)
        # "Add a row" without JavaScript: the page again, one more empty row, nothing saved
        # and nothing typed lost.
        self.object = self.get_object()
        data = request.POST.copy()
        try:
            rows = int(data.get("tasks-TOTAL_FORMS", 0))
        except ValueError:
            rows = 0
        data["tasks-TOTAL_FORMS"] = str(max(rows, 0) + 1)
        return self.render_to_response(
            self.get_context_data(form=self.get_form(), formset=self.formset(data))
        )

    def get_initial(self):
        plan = self.plan()
        return {"goal": plan.goal if plan else "", "version": plan.version if plan else 1}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.formset())
        return super().get_context_data(object=self.object, plan=self.plan(), **kwargs)

    def form_valid(self, form):
        formset = self.formset()
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        tasks = [
            {**f.cleaned_data, "id": f.instance.pk}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.plan_save(
                case=self.object,
                acting_user=self.request.user,
                version=form.cleaned_data["version"],
                goal=form.cleaned_data["goal"],
                tasks=tasks,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(self.request, _("The plan has been saved."))
        kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if any(f.due_after_deadline() for f in kept):
            messages.warning(
                self.request,
                _(
                    "Some tasks are due after the case's deadline ({deadline}): the county "
                    "decides whether that is acceptable when it reviews the plan."
                ).format(deadline=self.object.deadline.isoformat()),
            )
        return redirect(self.object)


class EvidenceUploadView(_CaseFormView):
    """An evidence file for the case, or for one task of its plan (field `task`)."""

    permission = Perm.TASK_UPDATE
    form_class = EvidenceForm
    form_name = "evidence_form"

    def get_form_kwargs(self):
        # The choices the page offered; a task of another case is not one of them.
        user = self.request.user
        tasks = PlanTask.objects.filter(plan__case=self.object).order_by("pk")
        mine = [t.pk for t in tasks if services.may_attach_evidence(user, t)]
        return {
            **super().get_form_kwargs(),
            "tasks": tasks.filter(pk__in=mine),
            "whole_case": services.may_attach_evidence(user),
            "auto_id": "evidence-%s",
        }

    def form_valid(self, form):
        services.evidence_add(
            case=self.object,
            acting_user=self.request.user,
            upload=form.cleaned_data["file"],
            task=form.cleaned_data["task"],
        )
        messages.success(self.request, _("The file has been added."))
        return redirect(self.object)


class TaskProgressView(FormActionView):
    """A task's progress, from its row of the case page."""

    model = PlanTask
    permission = Perm.TASK_UPDATE
    form_class = TaskProgressForm
    page_view = CaseDetailView

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": progress_form_id(self.object.pk)}

    def page_kwargs(self):
        return {"pk": self.object.plan.case_id}

    def put_form(self, context, form):
        context["task_forms"][self.object.pk] = form

    def form_valid(self, form):
        services.task_progress(task=self.object, acting_user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Progress saved."))
        return redirect(self.object.plan.case)


class AcceptanceCreateView(ScopedObjectFormMixin, FormView):
    model = Case
    permission = Perm.CASE_ACCEPT
    permission_for_reads = True
    form_class = AcceptanceForm
    template_name = "rectification/acceptance_form.html"

    def get_initial(self):
        return {"reviewed_on": timezone.localdate()}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object, pass_mark=settings.ACCEPTANCE_PASS_MARK, **kwargs
        )

    def form_valid(self, form):
        try:
            acceptance = services.acceptance_record(
                case=self.object,
                acting_user=self.request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                scores=form.scores(),
                satisfaction=form.cleaned_data["satisfaction"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if acceptance.passed:
            messages.success(self.request, _("Acceptance passed: the case is transformed."))
        else:
            messages.warning(self.request, _("Acceptance failed: the case is back to rectifying."))
        return redirect(self.object)


class ScreeningView(ObjectListView):
    """Screening (排查): the year's star ratings, and the class-3 villages not yet listed."""

    model = VillageRating
    filterset_class = VillageRatingFilterSet
    template_name = "rectification/screening.html"
    export_url_name = "rating_export"

    def get_queryset(self):
        return selectors.rating_list(scope=self.request.scope).order_by("-year", "village__code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.filterset.form.cleaned_data.get("year") if self.filterset.is_valid() else None
        year = int(year or timezone.localdate().year)
        context.update(
            year=year,
            candidates=selectors.screening_candidates(scope=self.request.scope, year=year)[:200],
            can_rate=user.has_role_perm(Perm.CASE_CHANGE),
            rating_form=RatingForm(acting_user=user, initial={"year": year}),
            grade_colours={1: "success", 2: "secondary", 3: "danger"},
            class3=settings.RATING_CLASS3_MAX_STARS,
        )
        return context


class RatingCreateView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.CASE_CHANGE
    permission_for_reads = True
    form_class = RatingForm
    heading = gettext_lazy("Rate a village")
    intro = gettext_lazy("The grade follows the stars, by the thresholds the county has set.")
    cancel_url = "screening"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_initial(self):
        return {"year": timezone.localdate().year, "village": self.request.GET.get("village")}

    def form_valid(self, form):
        try:
            rating = services.rating_set(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("{village}: {stars} stars in {year}, {grade}.").format(
                village=rating.village,
                stars=rating.stars,
                year=rating.year,
                grade=rating.get_grade_display(),
            ),
        )
        return redirect(f"{reverse('screening')}?year={rating.year}")


# --- Imports (preview, then confirm) -------------------------------------------------------


class _LedgerImport:
    # Typed as the import views that this is mixed into declare them.
    permission: str | None = Perm.CASE_CHANGE
    import_kind: str | None = LEDGER_IMPORT.kind
    upload_url_name: str | None = "case_import"
    preview_url_name: str | None = "case_import_preview"
    confirm_url_name: str | None = "case_import_confirm"
    errors_url_name: str | None = "case_import_errors"
    template_url_name: str | None = "case_import_template"


class CaseImportView(_LedgerImport, import_views.ImportUploadView):
    form_class = LedgerUploadForm


class CaseImportTemplateView(_LedgerImport, import_views.ImportTemplateView):
    pass


class CaseImportPreviewView(_LedgerImport, import_views.ImportPreviewView):
    pass


class CaseImportConfirmView(_LedgerImport, import_views.ImportConfirmView):
    pass


class _AcceptanceImport:
    """Acceptance results from a workbook: the county's reviews scored on paper."""

    # Typed as the import views that this is mixed into declare them.
    permission: str | None = Perm.CASE_ACCEPT
    import_kind: str | None = ACCEPTANCE_IMPORT.kind
    upload_url_name: str | None = "acceptance_import"
    preview_url_name: str | None = "acceptance_import_preview"
    confirm_url_name: str | None = "acceptance_import_confirm"
    errors_url_name: str | None = "acceptance_import_errors"
    template_url_name: str | None = "acceptance_import_template"


class AcceptanceImportView(_AcceptanceImport, import_views.ImportUploadView):
    pass


class AcceptanceImportTemplateView(_AcceptanceImport, import_views.ImportTemplateView):
    pass


class AcceptanceImportPreviewView(_AcceptanceImport, import_views.ImportPreviewView):
    pass


class AcceptanceImportConfirmView(_AcceptanceImport, import_views.ImportConfirmView):
    pass


class AcceptanceImportErrorsView(_AcceptanceImport, import_views.ImportErrorsView):
    pass


class CaseImportErrorsView(_LedgerImport, import_views.ImportErrorsView):
    pass


class RatingExportView(ExportView):
    export_kind = RATINGS.kind


class _RatingImport:
    # Typed as the import views that this is mixed into declare them.
    permission: str | None = Perm.CASE_CHANGE
    import_kind: str | None = RATING_IMPORT.kind
    upload_url_name: str | None = "rating_import"
    preview_url_name: str | None = "rating_import_preview"
    confirm_url_name: str | None = "rating_import_confirm"
    errors_url_name: str | None = "rating_import_errors"
    template_url_name: str | None = "rating_import_template"


class RatingImportView(_RatingImport, import_views.ImportUploadView):
    pass


class RatingImportTemplateView(_RatingImport, import_views.ImportTemplateView):
    pass


class RatingImportPreviewView(_RatingImport, import_views.ImportPreviewView):
    pass


class RatingImportConfirmView(_RatingImport, import_views.ImportConfirmView):
    pass


class RatingImportErrorsView(_RatingImport, import_views.ImportErrorsView):
    pass


# --- Campaigns and categories (the county's settings) ---------------------------------------


class CampaignListView(PortalMixin, TemplateView):
    template_name = "rectification/campaign_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # A campaign a year per county: a province's list is paged, newest first.
        campaigns = (
            selectors.campaigns_for(scope=self.request.scope)
            .annotate(case_count=Count("cases"))
            .order_by("-year", "division_id", "pk")
        )
        return super().get_context_data(
            page_obj=Paginator(campaigns, 50).get_page(self.request.GET.get("page")),
            can_manage=user.has_role_perm(Perm.CAMPAIGN_MANAGE),
            editable_campaigns=set(
                Campaign.objects.editable_by(self.request.scope).values_list("pk", flat=True)
            ),
            categories=Category.objects.visible_to(self.request.scope)
            .select_related("division")
            .annotate(case_count=Count("case")),
            editable=set(
                Category.objects.editable_by(self.request.scope).values_list("pk", flat=True)
            ),
            can_manage_categories=user.has_role_perm(Perm.CATEGORY_MANAGE),
            # The checklist in force in the user's area, and the items he may edit.
            checklist=selectors.checklist(scope=self.request.scope),
            editable_criteria=set(
                AcceptanceCriterion.objects.editable_by(self.request.scope).values_list(
                    "pk", flat=True
                )
            ),
            can_manage_checklist=user.has_role_perm(Perm.CHECKLIST_MANAGE),
            **kwargs,
        )


class CampaignCreateView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.CAMPAIGN_MANAGE
    permission_for_reads = True
    form_class = CampaignForm
    heading = gettext_lazy("New campaign")
    cancel_url = "campaign_list"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_initial(self):
        today = timezone.localdate()
        return {"year": today.year, "started_on": today}

    def form_valid(self, form):
        try:
            services.campaign_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The campaign has been opened."))
        return redirect("campaign_list")


class CampaignUpdateView(FormPageMixin, PortalMixin, FormView):
    """Rename a campaign or correct its start (the API's PATCH calls the same service)."""

    permission = Perm.CAMPAIGN_MANAGE
    permission_for_reads = True
    form_class = CampaignUpdateForm
    cancel_url = "campaign_list"

    @cached_property
    def campaign(self):
        campaign = get_object_or_404(
            selectors.campaigns_for(scope=self.request.scope), pk=self.kwargs["pk"]
        )
        if not Campaign.objects.editable_by(self.request.scope).filter(pk=campaign.pk).exists():
            raise services.refusal_to_change(campaign, self.request.scope)
        return campaign

    def get_heading(self):
        return _("Campaign {year}: {county}").format(
            year=self.campaign.year, county=self.campaign.division.name
        )

    def get_initial(self):
        return {"name": self.campaign.name, "started_on": self.campaign.started_on}

    def form_valid(self, form):
        try:
            services.campaign_update(
                acting_user=self.request.user, campaign=self.campaign, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The campaign has been saved."))
        return redirect("campaign_list")


def _editable(model, scope, pk):
    """The object `pk` of a setting (category, checklist item) if the scope may change it:
    404 out of sight, 403 (saying who set it) if it is inherited from above."""
    item = get_object_or_404(model.objects.visible_to(scope).select_related("division"), pk=pk)
    if not model.objects.editable_by(scope).filter(pk=item.pk).exists():
        raise services.refusal_to_change(item, scope)
    return item


class CategoryEditView(FormPageMixin, PortalMixin, FormView):
    """Add a category (no pk) or change one; the county's own list of problem types."""

    permission = Perm.CATEGORY_MANAGE
    permission_for_reads = True
    form_class = CategoryForm
    heading = gettext_lazy("Problem category")
    # The categories are listed on the campaigns' page.
    cancel_url = "campaign_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "pk" in self.kwargs:
            kwargs["instance"] = _editable(Category, self.request.scope, self.kwargs["pk"])
        return kwargs

    def form_valid(self, form):
        try:
            services.category_save(
                acting_user=self.request.user,
                category=form.instance.pk and form.instance,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The category has been saved."))
        return redirect("campaign_list")


class CriterionEditView(FormPageMixin, PortalMixin, FormView):
    """Add an item to the area's own acceptance checklist (no pk) or change one; once the
    area has items of its own they replace the checklist it inherited."""

    permission = Perm.CHECKLIST_MANAGE
    permission_for_reads = True
    form_class = CriterionForm
    heading = gettext_lazy("Acceptance checklist item")
    cancel_url = "campaign_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "pk" in self.kwargs:
            kwargs["instance"] = _editable(
                AcceptanceCriterion, self.request.scope, self.kwargs["pk"]
            )
        return kwargs

    def form_valid(self, form):
        try:
            services.criterion_save(
                acting_user=self.request.user,
                criterion=form.instance.pk and form.instance,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The checklist item has been saved."))
        return redirect("campaign_list")


class PlanPendingView(PortalMixin, FormView):
    """The plans awaiting the county's approval in its area, oldest first: ticked and
    approved (or returned) with one opinion, each through `plan_review` as on its page."""

    permission = Perm.PLAN_APPROVE
    permission_for_reads = True
    form_class = PlanBulkReviewForm
    template_name = "rectification/plan_pending.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault(
            "cases",
            Case.objects.visible_to(self.request.scope)
            .filter(plan__status=PlanStatus.SUBMITTED)
            .select_related("village__township", "campaign", "plan__submitted_by")
            .order_by("plan__submitted_at", "pk"),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        user = self.request.user
        approve = form.cleaned_data["decision"] == form.APPROVE
        comment = form.cleaned_data["comment"]
        outcome = bulk.run(
            ids=form.cleaned_data["ids"],
            queryset=Case.objects.visible_to(self.request.scope).select_related("village"),
            action=lambda case: services.plan_review(
                case=case, acting_user=user, approve=approve, comment=comment
            ),
            label=lambda case: case.village.name,
            summary_url="{}?plan_status={}".format(
                reverse("case_list"), PlanStatus.APPROVED if approve else PlanStatus.RETURNED
            ),
        )
        bulk.report(self.request, outcome, done=_approved if approve else _returned)
        return redirect("plan_pending")


def _approved(count):
    text = ngettext("%(count)d plan approved.", "%(count)d plans approved.", count)
    return text % {"count": count}


def _returned(count):
    text = ngettext("%(count)d plan returned.", "%(count)d plans returned.", count)
    return text % {"count": count}


class CaseBatchView(PortalMixin, FormView):
    """The ledger's batch: one action on the ticked cases (or all matching the filter),
    each through its own service; up to BULK_SYNC_MAX_ITEMS now, with what was done and
    what was refused and why on the ledger; more as a background job with its own page."""

    permission = Perm.CASE_APPLY
    form_class = CaseBatchForm
    http_method_names = ["post"]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def back(self, query):
        return redirect(f"{reverse('case_list')}?{query}" if query else reverse("case_list"))

    def form_invalid(self, form):
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(self.request, " ".join(errors))
        return self.back(form.data.get("query", ""))

    def ids(self, form):
        if not form.cleaned_data["everything"]:
            return form.cleaned_data["ids"]
        # "All matching": the list's own filter over the user's scope, as the page showed it.
        filterset = CaseFilterSet(
            QueryDict(form.cleaned_data["query"]),
            queryset=selectors.case_list(scope=self.request.scope),
            request=self.request,
        )
        if not filterset.is_valid():
            return []
        return list(filterset.qs.values_list("pk", flat=True)[: settings.BULK_MAX_ITEMS + 1])

    def form_valid(self, form):
        request, query = self.request, form.cleaned_data["query"]
        name, ids = form.cleaned_data["action"], self.ids(form)
        if len(ids) > settings.BULK_MAX_ITEMS:
            messages.error(
                request,
                _("At most {limit} cases in one batch: narrow the filter.").format(
                    limit=settings.BULK_MAX_ITEMS
                ),
            )
            return self.back(query)
        if not ids:
            messages.error(request, _("No cases match."))
            return self.back(query)
        fields = form.action_fields()
        if len(ids) > settings.BULK_SYNC_MAX_ITEMS:
            job = bulk.batch_job_start(
                kind=batches.KIND,
                action=name,
                ids=ids,
                params=batches.dump(fields),
                acting_user=request.user,
                scope=request.scope,
            )
            return redirect(job)
        results = bulk.batch_apply(
            kind=batches.KIND,
            action=name,
            ids=ids,
            fields=fields,
            acting_user=request.user,
            scope=request.scope,
        )
        label = batches.CASES.label
        outcome = bulk.Outcome(
            done=[label(r.record) for r in results if r.ok],
            refused=[
                (label(r.record), r.error)
                if r.record is not None
                else (_("No. {id}").format(id=r.id), bulk.out_of_scope())
                for r in results
                if not r.ok
            ],
        )
        action = batches.ACTIONS[name].label
        bulk.report(request, outcome, done=lambda count: _done(action, count))
        return self.back(query)


def _done(action, count):
    text = ngettext("{action}: %(count)d case done.", "{action}: %(count)d cases done.", count)
    return (text % {"count": count}).format(action=action)
