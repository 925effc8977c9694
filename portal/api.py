"""The API's base viewsets: scope applied once, like the pages' ScopedMixin."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets


class ScopedViewSetMixin:
    """Every queryset goes through `visible_to(request.user)`: out of scope is 404.

    `permission` (a `portal.roles.Perm`) is what writes require; see portal.drf.
    """

    permission: str | None = None

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

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
