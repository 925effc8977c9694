"""The API's base viewsets: scope applied once, like the pages' ScopedMixin."""

from rest_framework import viewsets


class ScopedViewSetMixin:
    """Every queryset goes through `visible_to(request.user)`: out of scope is 404.

    `permission` (a `portal.roles.Perm`) is what writes require; see portal.drf.
    """

    permission = None

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
