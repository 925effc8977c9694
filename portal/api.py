"""The API's base viewsets: scope applied once, like the pages' ScopedMixin."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets

from portal.scoping import Scope


class ScopedViewSetMixin:
    """Every queryset goes through `visible_to(request.scope)`: out of scope is 404.

    `permission` (a `portal.roles.Perm`) is what writes require; see portal.drf.
    """

    permission: str | None = None

    def initialize_request(self, request, *args, **kwargs):
        # A request made up without the middleware (the schema generator's) gets its
        # scope too: the caller's, read once authenticated.
        drf_request = super().initialize_request(request, *args, **kwargs)
        if not hasattr(request, "scope"):
            request.scope = SimpleLazyObject(lambda: Scope.of(drf_request.user))
        return drf_request

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.scope)

    def filter_queryset(self, queryset):
        # The FilterSet narrows lists. An object's own address ignores it: a list filter
        # may rely on the list's annotations, and ?status= on /cases/7/ means nothing.
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its script served from a URL (no inline script). Swagger UI adds a
    <style> element of its own, so this page alone allows inline styles."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
                "style-src 'self'", "style-src 'self' 'unsafe-inline'", 1
            )
        return response
