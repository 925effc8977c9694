"""The base classes every page is built from: login, role permission, scope, filter, export.

A page declares its model, permission, FilterSet and template; the base classes do the
rest the same way everywhere (the NetBox pattern). Out of scope is 404 because every
object is looked up through `Model.objects.visible_to(request.scope)`; a missing
permission is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from portal import services
from portal.roles import Perm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PortalMixin(LoginRequiredMixin):
    """Login required; `permission` (a `Perm`) required for unsafe methods or always."""

    permission: str | None = None
    # Whether `permission` applies to GET too (a page that only exists to change things).
    permission_for_reads = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        handler = getattr(self, request.method.lower(), None)
        if request.method.lower() not in self.http_method_names or handler is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        needs_perm = self.permission_for_reads or request.method not in ("GET", "HEAD", "OPTIONS")
        if self.permission and needs_perm and not request.user.has_role_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedMixin(PortalMixin):
    """Every object and list comes from `visible_to(request.scope)`: out of scope is 404."""

    model: type[Model] | None = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.scope)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset


def add_service_errors(form, error):
    """Put a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ScopedObjectMixin(ScopedMixin):
    """Looks the object up after the permission check, so a role without the permission
    gets 403 whether or not the object is in its scope (order: login, method, 403, 404)."""

    pk_url_kwarg = "pk"

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs[self.pk_url_kwarg])
        except self.model.DoesNotExist:
            raise Http404 from None


class ScopedObjectFormMixin(ScopedObjectMixin):
    """A form page about one object, looked up on GET and POST after the permission check;
    the template gets it as `object`."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)


class FormPageMixin:
    """A page that is a form and nothing else (templates/form_page.html). The view gives
    the heading (`heading` or get_heading()), where Cancel goes (`cancel_url`, a URL name,
    or get_cancel_url()), and where they differ from the defaults the tab's title
    (`page_title`, else the heading), a line under the heading (`intro`) and the form's
    width (`form_width`, a Bootstrap column class)."""

    template_name: str | None = "form_page.html"
    heading: StrOrPromise | None = None
    page_title: StrOrPromise | None = None
    intro: StrOrPromise | None = None
    cancel_url: str | None = None
    form_width = "col-lg-6"

    def get_heading(self) -> StrOrPromise | None:
        return self.heading

    def get_page_title(self) -> StrOrPromise | None:
        return self.page_title

    def get_cancel_url(self) -> str:
        assert self.cancel_url, f"{type(self).__name__} names no cancel_url"
        return reverse(self.cancel_url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A mixin: the view it is mixed into (a FormView) has the method.
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            heading=self.get_heading(),
            page_title=self.get_page_title(),
            intro=self.intro,
            cancel_url=self.get_cancel_url(),
            form_width=self.form_width,
        )
        return context


class FormActionView(ScopedObjectMixin, View):
    """A form shown on another page (the object's page) that posts here.

    Valid, and accepted by the service (`form_valid`): its answer, a redirect. Invalid, or
    refused by the service (a ValidationError, put under its field by `add_service_errors`):
    the page the form lives on (`page_view`, its template and context) is shown again at
    this address with this BOUND form in place of its empty one (`put_form`), so what was
    typed stays and each error stands under its field. A redirect with a banner would lose
    both. (Only when the page no longer offers the form, its record having moved on
    meanwhile, is the refusal a banner over the page.) The answer is 200, as Django's
    FormView answers a form page's invalid post everywhere else in the portal: the same
    form, the same answer, wherever it is shown.
    """

    http_method_names = ["post"]
    form_class: type[BaseForm] | None = None
    # The view of the page the form lives on (a DetailView by pk, or a list), and the name
    # its context gives the form.
    page_view: type[View] | None = None
    form_name = "form"
    # The page's URL name, where its template has relative links (a list's filter bar).
    page_url_name: str | None = None

    def get_form_kwargs(self):
        return {"data": self.request.POST, "files": self.request.FILES}

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def page_kwargs(self):
        """The URL arguments of the page the form lives on: by default the object's own."""
        return {"pk": self.object.pk}

    def put_form(self, context, form):
        context[self.form_name] = form

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if form.is_valid():
            try:
                return self.form_valid(form)
            except ValidationError as error:
                add_service_errors(form, error)
        return self.form_invalid(form)

    def form_valid(self, form):
        """Each subclass calls its service here and returns the redirect; a ValidationError
        it raises is put on the form under its field by post()."""
        raise NotImplementedError(f"{type(self).__name__} must say what a valid form does")

    def form_invalid(self, form):
        response = self.page_response(form)
        response.render()
        if f'action="{self.request.path}"'.encode() in response.content:
            return response
        # The page no longer offers the form (the record moved on meanwhile: the plan was
        # decided, the case closed): the refusal is said in a banner over the page as it is.
        errors = form.non_field_errors() or [e for errors in form.errors.values() for e in errors]
        messages.error(self.request, " ".join(errors))
        return self.page_response(None)

    def page_response(self, form):
        page = self.page_view()
        page.setup(self.request, **self.page_kwargs())
        response = page.get(self.request, **page.kwargs)
        if form is not None:
            self.put_form(response.context_data, form)
        if self.page_url_name:
            # A list's filter bar and page links are relative: they lead to the list.
            response.context_data["page_path"] = reverse(self.page_url_name, kwargs=page.kwargs)
        return response


class ObjectListView(ScopedMixin, FilterView):
    """A filtered, paginated list; the same FilterSet serves the API and the export."""

    paginate_by = 50
    export_url_name: str | None = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["export_url_name"] = self.export_url_name
        context["can_export"] = bool(self.export_url_name) and self.request.user.has_role_perm(
            Perm.REPORT_EXPORT
        )
        return context


class TableListView(PortalMixin, ListView):
    """A table that is not one model's FilterSet (a month's presence, the five ones), paged
    as ObjectListView pages its lists, footer included (includes/list_footer.html): its
    `get_queryset` gives the whole filtered list, a queryset or a list, and the page's
    figures count `page_obj.paginator.count`, the whole list, not the page."""

    paginate_by = ObjectListView.paginate_by


class ObjectDetailView(ScopedMixin, DetailView):
    model: type[Model]  # every detail page names its model (DetailView requires one)


class ExportView(PortalMixin, View):
    """POST with the list's query string: a small export streams at once, a large one
    becomes a generated report built by Celery, and the user is sent to its progress page."""

    permission = Perm.REPORT_EXPORT
    export_kind: str | None = None
    http_method_names = ["post"]

    def post(self, request):
        outcome = services.export_start(
            kind=self.export_kind, params=request.GET, acting_user=request.user
        )
        if outcome.report is not None:
            return HttpResponseRedirect(outcome.report.get_absolute_url())
        return FileResponse(outcome.content, as_attachment=True, filename=outcome.filename)
