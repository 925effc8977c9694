"""The portal's own pages: home, users, generated reports, health."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views import View, defaults
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView

from home import todo
from home.dossier import village_dossier
from home.forms import ApiTokenForm, UserCreateForm, UserUpdateForm
from portal import selectors, services, workdays
from portal.choices import Role
from portal.filtersets import UserFilterSet
from portal.generic import (
    ObjectDetailView,
    ObjectListView,
    PortalMixin,
    ScopedMixin,
    ScopedObjectFormMixin,
    add_service_errors,
)
from portal.models import ApiToken, Attachment, GeneratedReport, Notification, User
from portal.roles import Perm
from rectification.choices import CASE_STATUS_COLOURS
from villages import selectors as village_selectors
from villages.choices import VENUE_STATE_COLOURS
from villages.models import Division, Village


class HomeView(PortalMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        division = village_selectors.scope_division(user=user)
        context["division"] = division
        context["division_path"] = village_selectors.division_path(division)
        # A first secretary works for one village: it is their page's heading.
        context["village"] = user.village if self.request.scope.prefix == user.village_id else None
        context["counts"] = village_selectors.village_counts(scope=self.request.scope)
        context["recent_reports"] = selectors.report_list(scope=self.request.scope)[:5]
        # The day starts here: what the user has to do now, overdue first (home.todo).
        context["todo"] = todo.todo_for(user)
        # Before the year turns, a county's department is warned when next year's holiday
        # arrangement is neither in the package nor entered (portal.workdays).
        if user.role == Role.COUNTY_ADMIN and len(user.division_id or "") == 6:
            context["calendar_missing"] = workdays.arrangement_missing(
                user.division_id, timezone.localdate()
            )
        return context


# --- Users -------------------------------------------------------------------------------


class UserListView(ObjectListView):
    model = User
    permission = Perm.USER_MANAGE
    permission_for_reads = True
    filterset_class = UserFilterSet
    template_name = "portal/user_list.html"

    def get_queryset(self):
        return selectors.user_list(scope=self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # An administrator sees his colleagues and those above his grants, without an
        # Edit link: the edit page would refuse him (portal.roles.GRANTS).
        for person in context["object_list"]:
            person.manageable = services.may_manage(self.request.user, person)
        return context


class _UserFormMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["acting_user"] = self.request.user
        return kwargs

    def save_with(self, form, service, **extra):
        try:
            user = service(acting_user=self.request.user, **extra, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("User {name} has been saved.").format(name=user))
        return redirect("user_list")


class UserCreateView(_UserFormMixin, PortalMixin, FormView):
    permission = Perm.USER_MANAGE
    permission_for_reads = True
    form_class = UserCreateForm
    template_name = "portal/user_form.html"

    def form_valid(self, form):
        return self.save_with(form, services.user_create)


class UserUpdateView(_UserFormMixin, ScopedObjectFormMixin, FormView):
    model = User
    permission = Perm.USER_MANAGE
    permission_for_reads = True
    form_class = UserUpdateForm
    template_name = "portal/user_form.html"

    def get_object(self):
        user = super().get_object()
        if not services.may_manage(self.request.user, user):
            # In scope (listed), but of a role or level the user may not grant: 403, said.
            raise PermissionDenied(
                _("At your level you cannot manage a user with the role “{role}”.").format(
                    role=user.role_title
                )
            )
        return user

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object.pk == self.request.user.pk:
            kwargs["current_role"] = self.object.role  # his own, which he may keep
        return kwargs

    def get_initial(self):
        user = self.object
        return {
            "display_name": user.display_name,
            "phone": user.phone,
            "role": user.role,
            "division": user.division,
            "village": user.village,
            "is_active": user.is_active,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        return self.save_with(form, services.user_update, user=self.object)


# --- Generated reports ------------------------------------------------------------------


class ReportListView(PortalMixin, TemplateView):
    template_name = "portal/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = selectors.report_list(scope=self.request.scope)[:100]
        context["retention_days"] = settings.REPORT_RETENTION_DAYS
        return context


class ReportDetailView(ObjectDetailView):
    model = GeneratedReport
    select_related = ("requested_by",)
    template_name = "portal/report_detail.html"

    def get_template_names(self):
        # htmx polls the progress fragment until the report is finished.
        if self.request.htmx:
            return ["portal/_report_progress.html"]
        return [self.template_name]


class ReportDownloadView(ObjectDetailView):
    model = GeneratedReport

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        if not report.file:
            raise Http404(_("This report has no file yet."))
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.file.name.rsplit("/", 1)[-1],
        )


class AttachmentDownloadView(ObjectDetailView):
    """An evidence file, to whoever may see the record it belongs to (scope by village)."""

    model = Attachment

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        return FileResponse(
            attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
        )


# --- API tokens ----------------------------------------------------------------------------


class ApiTokenListView(PortalMixin, FormView):
    """The user's own API tokens, and a new one: its key is in the answer to its creation
    only (no redirect that would have to carry it, nothing kept but its digest)."""

    form_class = ApiTokenForm
    template_name = "portal/api_tokens.html"

    def get_context_data(self, **kwargs):
        tokens = ApiToken.objects.filter(user=self.request.user)
        return super().get_context_data(tokens=tokens, **kwargs)

    def form_valid(self, form):
        token, key = services.api_token_create(
            acting_user=self.request.user, name=form.cleaned_data["name"]
        )
        context = self.get_context_data(form=self.form_class(), new_token=token, new_key=key)
        response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(PortalMixin, View):
    """Revoke one of the user's own tokens; another user's is not found."""

    http_method_names = ["post"]

    def post(self, request, pk):
        services.api_token_revoke(acting_user=request.user, token_id=pk)
        messages.success(request, _("The token has been revoked: scripts using it are refused."))
        return redirect("api_tokens")


class NotificationListView(PortalMixin, TemplateView):
    """The user's own notifications, newest first; opening the page marks none read."""

    template_name = "portal/notifications.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            notifications=Notification.objects.filter(user=self.request.user)[:100], **kwargs
        )


class NotificationReadView(PortalMixin, View):
    """Mark one notification (pk) or all of the user's notifications read, then follow it."""

    http_method_names = ["post"]

    def post(self, request, pk=None):
        mine = Notification.objects.filter(user=request.user, read_at__isnull=True)
        if pk is not None:
            note = Notification.objects.filter(user=request.user, pk=pk).first()
            if note is None:
                raise Http404
            mine.filter(pk=pk).update(read_at=timezone.now())
            # Links are the portal's own paths, written by its jobs.
            return redirect(note.url if note.url.startswith("/") else "notifications")
        mine.update(read_at=timezone.now())
        return redirect("notifications")


def page_not_found(request, exception):
    """An unknown /api/ address answers JSON like the rest of the API; pages get 404.html."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("No such address in the API.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A crash answers without a trace: JSON under /api/, 500.html elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request)


@require_GET
def healthz(request):
    """For the load balancer and docker-compose: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class DashboardMixin(PortalMixin):
    """The dashboard's figures for ?year= (a campaign year) and ?area= (a division inside
    the user's area: the drill-down). The page, its print view and its workbook share it."""

    def dashboard_context(self):
        # Every figure is counted here (`**figures` reads them all), in one transaction in
        # which PostgreSQL compiles no statement (JIT): at national scale compiling the
        # per-unit case figures took 240 ms for a 32 ms query (where the server is set up
        # with jit = off, as the README advises, this changes nothing). Local to this
        # transaction, so behind pgbouncer no other request inherits it.
        # Inside a transaction already (a test's), no savepoint: a read, nothing to undo.
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('jit', 'off', true)")
            return self._dashboard_context()

    def _dashboard_context(self):
        from home import dashboard

        scope = self.request.scope
        # A value the page cannot use (a year without a campaign, another area's campaign,
        # an area outside the user's) is ignored, as a hand-edited address deserves; the
        # statistics API answers 400 or 404 to the same values (home.dashboard.filters).
        chosen = dashboard.filters(
            scope=scope,
            year=self.request.GET.get("year", ""),
            campaign=self.request.GET.get("campaign", ""),
            area=self.request.GET.get("area", ""),
        )
        reader, years, year, campaign = chosen.reader, chosen.years, chosen.year, chosen.campaign
        figures = dashboard.dashboard(scope=reader, year=year, campaign=campaign)
        code = reader.prefix
        if code and len(code) == 12:  # a first secretary's village
            area, trail = Village.objects.filter(pk=code).first(), []
        else:
            area = (
                Division.objects.select_related("parent__parent__parent").filter(pk=code).first()
                if code
                else None
            )
            own = len(scope.prefix or "")
            trail = [d for d in village_selectors.division_path(area) if len(d.code) >= own]
        # The filters every link of the page keeps (the drill-down's, the ranking's).
        kept = {"year": year or "", **({"campaign": campaign.pk} if campaign else {})}
        cases_base = reverse("case_list") + "?" + urlencode(kept)
        drilled = reader != scope
        return {
            **figures,
            "cases_base": cases_base,
            "list_url": cases_base + (f"&q={code}" if drilled else ""),
            "support_url": reverse("support_overview")
            + "?"
            + urlencode({**kept, **({"q": code} if drilled else {})}),
            "links": dashboard.figure_links(
                year=year, code=code, drilled=drilled, campaign=campaign
            ),
            "support_base": reverse("support_overview") + "?" + urlencode(kept),
            "kept": urlencode(kept),
            "campaign": campaign,
            "perms_export": self.request.user.has_role_perm(Perm.REPORT_EXPORT),
            "today": timezone.localdate(),
            "years": years,
            "year": year,
            "area": area,
            "area_code": code,
            "trail": trail,
            "drilled": drilled,
            "charts": dashboard.chart_data(figures),
        }


class DashboardView(DashboardMixin, TemplateView):
    """The campaign for the user's area, or for one part of it (?area=code)."""

    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.dashboard_context(), **kwargs)


class DashboardPrintView(DashboardView):
    """The same figures as tables on paper: no navigation, no controls, charts in SVG."""

    template_name = "portal/dashboard_print.html"


class DashboardExportView(DashboardMixin, View):
    """The dashboard's tables, one sheet each, in one workbook (small: always streamed)."""

    permission = Perm.REPORT_EXPORT
    http_method_names = ["post"]

    def post(self, request):
        from home.dashboard import workbook

        context = self.dashboard_context()
        content = workbook(context, place=_area_name(context["area"]))
        name = _("dashboard")
        return FileResponse(
            content, as_attachment=True, filename=f"{name}-{context['year'] or ''}.xlsx"
        )


def _area_name(area):
    return area.name if area is not None else _("Whole country")


# --- One village, one file (一村一档) -------------------------------------------------------


class VillageDossierMixin(ScopedMixin):
    """The village of the URL, looked up in the reader's scope (404 outside it), and its
    file as the reader may know it (home.dossier)."""

    model = Village
    select_related = ("township__parent",)

    def get_dossier(self):
        try:
            village = self.get_queryset().get(code=self.kwargs["code"])
        except Village.DoesNotExist:
            raise Http404 from None
        return village_dossier(scope=self.request.scope, village=village)


class VillageDossierView(VillageDossierMixin, TemplateView):
    """The village's file on one page, printable on A4."""

    template_name = "portal/village_dossier.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dossier"] = self.get_dossier()
        context["can_export"] = self.request.user.has_role_perm(Perm.REPORT_EXPORT)
        context["status_colours"] = CASE_STATUS_COLOURS
        context["venue_colours"] = VENUE_STATE_COLOURS
        return context


class VillageDossierDocxView(VillageDossierMixin, View):
    """The village's file as a Word document (A4), for the meeting's papers."""

    permission = Perm.REPORT_EXPORT
    permission_for_reads = True

    def get(self, request, code):
        from home.dossier_docx import dossier_document

        dossier = self.get_dossier()
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        name = _("{village} village file").format(village=dossier.village.name)
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.docx")
        dossier_document(dossier).save(response)
        return response
