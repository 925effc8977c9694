"""The base classes every page is built from: login, role permission, scope, filter, export.

A page declares its model, permission, FilterSet and template; the base classes do the
rest the same way everywhere (the NetBox pattern). Out of scope is 404 because every
object is looked up through `Model.objects.visible_to(user)`; a missing permission is 403.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from portal import services
from portal.roles import Perm


class PortalMixin(LoginRequiredMixin):
    """Login required; `permission` (a `Perm`) required for unsafe methods or always."""

    permission = None
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
    """Every object and list comes from `visible_to(user)`: out of scope is 404."""

    model = None
    select_related = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
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


class ObjectListView(ScopedMixin, FilterView):
    """A filtered, paginated list; the same FilterSet serves the API and the export."""

    paginate_by = 50
    export_url_name = None

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


class ObjectDetailView(ScopedMixin, DetailView):
    pass


class ExportView(PortalMixin, View):
    """POST with the list's query string: a small export streams at once, a large one
    becomes a generated report built by Celery, and the user is sent to its progress page."""

    permission = Perm.REPORT_EXPORT
    export_kind = None
    http_method_names = ["post"]

    def post(self, request):
        outcome = services.export_start(
            kind=self.export_kind, params=request.GET, acting_user=request.user
        )
        if outcome.report is not None:
            return HttpResponseRedirect(outcome.report.get_absolute_url())
        return FileResponse(outcome.content, as_attachment=True, filename=outcome.filename)
