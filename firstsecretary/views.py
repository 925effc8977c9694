"""Pages of the first-secretary app: roster, a secretary's page, the work log, presence,
each case's supporters and the cases whose five ones are incomplete."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from firstsecretary import panels, selectors, services
from firstsecretary.choices import FIVE_ONES, SupportKind
from firstsecretary.exports import ROSTER, presence_workbook
from firstsecretary.filtersets import FirstSecretaryFilterSet
from firstsecretary.forms import (
    AssignForm,
    ContactVisitForm,
    EndForm,
    EvaluationForm,
    MonthForm,
    SecretaryForm,
    SupportForm,
    UnitForm,
    WorkLogCorrectForm,
    WorkLogForm,
)
from firstsecretary.imports import ROSTER_IMPORT, RosterUploadForm
from firstsecretary.models import Assignment, FirstSecretary, SupportLink, WorkLog, WorkLogPhoto
from portal import choosers, import_views
from portal.choices import Role
from portal.generic import (
    ExportView,
    FormActionView,
    FormPageMixin,
    ObjectDetailView,
    ObjectListView,
    PortalMixin,
    ScopedObjectMixin,
    TableListView,
    add_service_errors,
)
from portal.months import previous_month
from portal.roles import Perm
from rectification.choices import CASE_STATUS_COLOURS
from rectification.filtersets import CaseFilterSet
from rectification.models import Case

FIVE_LABELS = {
    **dict(SupportKind.choices),
    "first_secretary": gettext_lazy("First secretary stationed in the village"),
}


class SecretaryListView(ObjectListView):
    model = FirstSecretary
    filterset_class = FirstSecretaryFilterSet
    template_name = "firstsecretary/secretary_list.html"
    export_url_name = "secretary_export"

    def get_queryset(self):
        return selectors.secretary_list(scope=self.request.scope).order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_role_perm(Perm.SECRETARY_MANAGE)
        return context


class SecretaryExportView(ExportView):
    export_kind = ROSTER.kind


# The posting's end form sits in a table row: its own ids, the same bound or not.
END_FORM_ID = "end-%s"


class SecretaryDetailView(ObjectDetailView):
    model = FirstSecretary
    template_name = "firstsecretary/secretary_detail.html"

    def get_queryset(self):
        return selectors.secretary_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        secretary, user = self.object, self.request.user
        assignments = secretary.assignments.select_related("village__township")
        active = next((a for a in assignments if a.is_active), None)
        today = timezone.localdate()
        scope = self.request.scope
        if services.may_review_trust(user):
            context.update(
                duplicate_logs=len(
                    selectors.near_duplicate_logs(scope=scope, today=today, secretary=secretary)
                ),
                reused_photos=len(
                    selectors.reused_photos(scope=scope, today=today, secretary=secretary)
                ),
                trust_shown=True,
            )
        context.update(
            panels=panels.render_context(secretary, scope),
            assignments=assignments,
            active=active,
            logs=selectors.worklogs_of(active)[:30] if active else [],
            presence=selectors.monthly_presence(active) if active else [],
            evaluations=secretary.evaluations.select_related("evaluated_by"),
            can_manage=user.has_role_perm(Perm.SECRETARY_MANAGE),
            assign_form=AssignForm(acting_user=user, initial={"started_on": today}),
            end_form=EndForm(initial={"ended_on": today}, auto_id=END_FORM_ID),
            evaluation_form=EvaluationForm(initial={"year": today.year}),
        )
        return context


class _ManageFormView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.SECRETARY_MANAGE
    permission_for_reads = True
    cancel_url = "secretary_list"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}


class SecretaryCreateView(_ManageFormView):
    form_class = SecretaryForm
    heading = gettext_lazy("Add a first secretary")

    def get_initial(self):
        division = self.request.user.division
        return {"county": division} if division and division.level == "county" else {}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            secretary = services.secretary_save(acting_user=self.request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("{name} is on the roster.").format(name=secretary))
        return redirect("secretary_detail", pk=secretary.pk)


class SecretaryUpdateView(ScopedObjectMixin, _ManageFormView):
    model = FirstSecretary
    form_class = SecretaryForm
    heading = gettext_lazy("Edit a first secretary")

    def get_form_kwargs(self):
        self.object = self.get_object()
        return {**super().get_form_kwargs(), "instance": self.object}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.secretary_save(acting_user=self.request.user, secretary=self.object, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect("secretary_detail", pk=self.object.pk)


class UnitCreateView(_ManageFormView):
    form_class = UnitForm
    heading = gettext_lazy("Add a dispatching unit")

    def get_initial(self):
        division = self.request.user.division
        return {"county": division} if division and division.level == "county" else {}

    def form_valid(self, form):
        try:
            services.unit_save(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect("secretary_list")


class _SecretaryAction(FormActionView):
    """A form of the secretary's page: done, back to the page; refused, the page again with
    what was typed and the errors under their fields."""

    model: type[Model] | None = FirstSecretary
    permission = Perm.SECRETARY_MANAGE
    page_view = SecretaryDetailView

    def form_valid(self, form):
        self.act(self.object, form.cleaned_data)
        return redirect("secretary_detail", **self.page_kwargs())


class AssignView(_SecretaryAction):
    form_class = AssignForm
    form_name = "assign_form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def act(self, secretary, data):
        services.assignment_start(acting_user=self.request.user, secretary=secretary, **data)
        messages.success(self.request, _("Posted to {village}.").format(village=data["village"]))


class EndAssignmentView(_SecretaryAction):
    model = Assignment
    form_class = EndForm
    form_name = "end_form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": END_FORM_ID}

    def page_kwargs(self):
        return {"pk": self.object.secretary_id}

    def act(self, assignment, data):
        services.assignment_end(acting_user=self.request.user, assignment=assignment, **data)
        messages.success(self.request, _("The posting has ended; it stays in the history."))


class EvaluateView(_SecretaryAction):
    form_class = EvaluationForm
    form_name = "evaluation_form"

    def act(self, secretary, data):
        services.evaluation_set(acting_user=self.request.user, secretary=secretary, **data)
        messages.success(self.request, _("The evaluation has been recorded."))


class StartView(PortalMixin, View):
    """Where a login lands: a first secretary on his own page, everyone else at home."""

    def get(self, request):
        if request.user.role == Role.FIRST_SECRETARY:
            return redirect("my_village")
        return redirect("home")


class MyVillageView(PortalMixin, TemplateView):
    """The first secretary's start page, phone first: today's log (one tap), his village
    and its case, the plan tasks he is responsible for, and his month so far."""

    permission = Perm.WORKLOG_WRITE
    permission_for_reads = True
    template_name = "firstsecretary/my_village.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        assignment = services.active_assignment_of(user)
        today = timezone.localdate()
        logs = selectors.worklogs_with_photos(assignment)[:7] if assignment else []
        return super().get_context_data(
            assignment=assignment,
            today=today,
            logs=logs,
            correctable={log.pk for log in logs if services.worklog_correctable(user, log)},
            today_log=selectors.worklogs_of(assignment).filter(date=today).first()
            if assignment
            else None,
            tally=selectors.month_tally(assignment, today) if assignment else None,
            case=selectors.village_case(scope=self.request.scope, village=assignment.village)
            if assignment
            else None,
            tasks=selectors.tasks_of(scope=self.request.scope, user=user, today=today),
            **kwargs,
        )


class WorkLogView(PortalMixin, FormView):
    """The first secretary's own page, sized for a phone: today's log and the recent days."""

    permission = Perm.WORKLOG_WRITE
    permission_for_reads = True
    form_class = WorkLogForm
    template_name = "firstsecretary/worklog.html"

    def get_initial(self):
        return {"date": timezone.localdate(), "on_site": True, "kind": "visit"}

    def get_context_data(self, **kwargs):
        assignment = services.active_assignment_of(self.request.user)
        month = timezone.localdate()
        mine = [
            p
            for p in selectors.presence(scope=self.request.scope, month=month)
            if assignment and p.assignment.pk == assignment.pk
        ]
        logs = selectors.worklogs_with_photos(assignment)[:14] if assignment else []
        return super().get_context_data(
            assignment=assignment,
            logs=logs,
            correctable={
                log.pk for log in logs if services.worklog_correctable(self.request.user, log)
            },
            this_month=mine[0] if mine else None,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.worklog_save(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The day has been recorded."))
        return redirect("my_village")


class WorkLogEditView(ScopedObjectMixin, FormView):
    """Correct a day of the log, with more photos: by its author, within 7 days."""

    model = WorkLog
    permission = Perm.WORKLOG_WRITE
    permission_for_reads = True
    form_class = WorkLogCorrectForm
    template_name = "firstsecretary/worklog_edit.html"

    def _own_log(self):
        log = self.get_object()
        if log.assignment.secretary.user_id != self.request.user.pk:
            raise PermissionDenied
        return log

    def get(self, request, *args, **kwargs):
        self.object = self._own_log()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self._own_log()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            log=self.object,
            photos=self.object.photos.all(),
            correctable=services.worklog_correctable(self.request.user, self.object),
            **kwargs,
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.worklog_correct(acting_user=self.request.user, log=self.object, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The day has been corrected."))
        return redirect("my_village")


class WorkLogPhotoView(ObjectDetailView):
    """A photo of a day, to whoever may see the village's work log (scope by village)."""

    model = WorkLogPhoto

    def get(self, request, *args, **kwargs):
        photo = self.get_object()
        content_type = "image/png" if photo.image.name.endswith(".png") else "image/jpeg"
        response = FileResponse(photo.image.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class PresenceView(TableListView):
    """Every posting's month: days in the village, households visited, against the threshold."""

    template_name = "firstsecretary/presence.html"

    def month(self):
        form = MonthForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            return form, form.cleaned_data["month"]
        last = previous_month(timezone.localdate())
        return MonthForm(initial={"month": last}), last

    def get_queryset(self):
        self.form, self.shown_month = self.month()
        # ?below=true&q=<division> come from the dashboard's presence figures.
        within = self.request.GET.get("q", "").strip()
        # One county's postings at a time for a wider reader (a province's made 400 KB),
        # unless the dashboard's figure named the area.
        scope, self.county_box = (
            (self.request.scope, None) if within else choosers.county_choice(self.request)
        )
        # Paged in the database: the figure above the table counts every posting of the
        # list (the paginator's count), the table shows 50 of them.
        return selectors.presence_postings(
            scope=scope,
            month=self.shown_month,
            below_only=self.request.GET.get("below") == "true",
            within=within if within.isdigit() else "",
        )

    def get_context_data(self, **kwargs):
        from django.conf import settings

        # "Show every posting": the same month, area and county without ?below=, from page 1.
        every = self.request.GET.copy()
        for key in ("below", "page"):
            every.pop(key, None)
        every["month"] = self.shown_month.strftime("%Y-%m")
        # The export takes the list as shown, every page of it.
        shown = self.request.GET.copy()
        shown.pop("page", None)
        shown["month"] = self.shown_month.strftime("%Y-%m")
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            month=self.shown_month,
            county_choice=self.county_box,
            rows=selectors.presence_rows(context["page_obj"].object_list),
            every_query=every.urlencode(),
            export_query=shown.urlencode(),
            threshold=settings.FIRST_SECRETARY_MIN_DAYS_ON_SITE,
            can_export=self.request.user.has_role_perm(Perm.REPORT_EXPORT),
        )
        return context


class PresenceExportView(PresenceView):
    permission = Perm.REPORT_EXPORT
    http_method_names = ["post"]

    def post(self, request):
        # The list the page shows, every page of it: the same month, county, area and
        # "below the threshold" (its query string), as the other lists' exports.
        rows = selectors.presence_rows(self.get_queryset())
        month = self.shown_month
        content = io.BytesIO()
        presence_workbook(rows, month).save(content)
        content.seek(0)
        filename = _("first-secretary-presence-{month}.xlsx").format(month=month.strftime("%Y-%m"))
        return FileResponse(content, as_attachment=True, filename=filename)


class TrustReviewView(PortalMixin, TemplateView):
    """Work logs to look at (请核实): near-duplicate entries and reused photos of the last
    months, each pair side by side. Signals, never verdicts."""

    template_name = "firstsecretary/trust.html"

    def get_context_data(self, **kwargs):
        from django.conf import settings
        from django.shortcuts import get_object_or_404

        if not services.may_review_trust(self.request.user):
            raise PermissionDenied
        today = timezone.localdate()
        scope, county_box = choosers.county_choice(self.request)
        secretary = None
        if self.request.GET.get("secretary", "").isdigit():
            secretary = get_object_or_404(
                selectors.secretary_list(scope=scope), pk=self.request.GET["secretary"]
            )
        return super().get_context_data(
            county_choice=county_box,
            secretary=secretary,
            since=selectors.trust_window_start(today),
            logs=selectors.near_duplicate_logs(scope=scope, today=today, secretary=secretary),
            photos=selectors.reused_photos(scope=scope, today=today, secretary=secretary),
            similarity=round(settings.TRUST_TEXT_SIMILARITY * 100),
            max_distance=settings.TRUST_PHOTO_MAX_DISTANCE,
            min_chars=settings.TRUST_TEXT_MIN_CHARS,
            **kwargs,
        )


class SupportOverviewView(TableListView):
    """The county's view of the five ones: which cases miss which supporter."""

    template_name = "firstsecretary/support_overview.html"

    def get_queryset(self):
        # One county's cases at a time for a wider reader, unless the dashboard's card
        # named the area (?q=<division>).
        scope, self.county_box = (
            (self.request.scope, None)
            if self.request.GET.get("q")
            else choosers.county_choice(self.request)
        )
        cases = selectors.open_cases_with_support(scope=scope, today=timezone.localdate()).order_by(
            "village__code", "pk"
        )
        # The ledger's FilterSet: ?year=&q=<area> from the dashboard's card narrows the
        # list as it narrows the ledger; a malformed value is ignored.
        cases = CaseFilterSet(self.request.GET, queryset=cases, request=self.request).qs
        self.only_missing = self.request.GET.get("missing", "true") != "false"
        if self.only_missing:
            cases = cases.filter(selectors.five_ones_incomplete_q())
        # The dashboard's coverage figure opens the open cases with (or without) a secretary.
        # The dashboard's figure: open cases with a contact overdue for a visit.
        if self.request.GET.get("visit_overdue") == "true":
            cases = cases.filter(selectors.contact_overdue_q(scope=scope))
        posted = self.request.GET.get("first_secretary")
        if posted in ("true", "false"):
            cases = cases.filter(has_first_secretary=posted == "true")
        return cases

    def get_context_data(self, **kwargs):
        # The toggle shows the other list, from its first page.
        toggle = self.request.GET.copy()
        toggle.pop("page", None)
        toggle["missing"] = "false" if self.only_missing else "true"
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context.update(
            rows=[
                (case, [getattr(case, f"has_{kind}") for kind in FIVE_ONES])
                for case in page.object_list
            ],
            county_choice=self.county_box,
            # The whole filtered list, as the dashboard's card counts it, not the page.
            count=page.paginator.count,
            headers=[FIVE_LABELS[kind] for kind in FIVE_ONES],
            only_missing=self.only_missing,
            toggle_query=toggle.urlencode(),
            status_colours=CASE_STATUS_COLOURS,
        )
        return context


class SupportAddView(FormActionView):
    """The supporters' card of the case page posts here."""

    model = Case
    permission = Perm.SUPPORT_MANAGE
    form_class = SupportForm

    @property
    def page_view(self):
        from rectification.views import CaseDetailView

        return CaseDetailView

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def put_form(self, context, form):
        for _template, panel in context["panels"]:
            if "support_form" in panel:
                panel.update(support_form=form, support_open=True)

    def form_valid(self, form):
        services.support_add(acting_user=self.request.user, case=self.object, **form.cleaned_data)
        messages.success(self.request, _("The supporter has been added."))
        return redirect(self.object)


class ContactVisitAddView(FormActionView):
    """The support card's visit form posts here (联系包保走访)."""

    model = Case
    permission = Perm.CASE_CHANGE
    form_class = ContactVisitForm

    @property
    def page_view(self):
        from rectification.views import CaseDetailView

        return CaseDetailView

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.object}

    def put_form(self, context, form):
        for _template, panel in context["panels"]:
            if "visit_form" in panel:
                panel.update(visit_form=form, visit_open=True)

    def form_valid(self, form):
        services.contact_visit_record(acting_user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The visit has been recorded."))
        return redirect(self.object)


class SupportRemoveView(ScopedObjectMixin, View):
    model = SupportLink
    permission = Perm.SUPPORT_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        link = self.get_object()
        try:
            services.support_remove(acting_user=request.user, link=link)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The supporter has been removed."))
        return redirect(link.case)


def case_panel(case, user):
    """The supporters' card of the case page (registered with rectification.panels)."""
    return {
        "five_ones": [(FIVE_LABELS[kind], ok) for kind, ok in selectors.five_ones(case)],
        # Each link with what the user may do with it (remove), as the API lists it.
        "support": [
            (link, services.support_link_actions(user=user, link=link))
            for link in selectors.support_of(case)
        ],
        "posting": selectors.first_secretary_of(case.village),
        "available_actions": services.support_actions(user=user, case=case),
        "support_form": SupportForm(acting_user=user),
        "visits": selectors.visits_of(case),
        # The township and the county record their contacts' visits, while the case is open.
        "can_record_visit": user.has_role_perm(Perm.CASE_CHANGE) and case.status != "closed",
        "visit_form": ContactVisitForm(case=case),
    }


# --- Roster import ------------------------------------------------------------------------------


class _RosterImport:
    # Typed as the import views that this is mixed into declare them.
    permission: str | None = Perm.SECRETARY_MANAGE
    import_kind: str | None = ROSTER_IMPORT.kind
    upload_url_name: str | None = "secretary_import"
    preview_url_name: str | None = "secretary_import_preview"
    confirm_url_name: str | None = "secretary_import_confirm"
    errors_url_name: str | None = "secretary_import_errors"
    template_url_name: str | None = "secretary_import_template"


class SecretaryImportView(_RosterImport, import_views.ImportUploadView):
    form_class = RosterUploadForm


class SecretaryImportTemplateView(_RosterImport, import_views.ImportTemplateView):
    pass


class SecretaryImportPreviewView(_RosterImport, import_views.ImportPreviewView):
    pass


class SecretaryImportConfirmView(_RosterImport, import_views.ImportConfirmView):
    pass


class SecretaryImportErrorsView(_RosterImport, import_views.ImportErrorsView):
    pass
