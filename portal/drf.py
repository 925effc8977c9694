"""DRF defaults named in settings.REST_FRAMEWORK.

Kept apart from portal.api because DRF imports these while it loads its own views, and
portal.api imports those views (a cycle otherwise).
"""

from rest_framework import pagination, permissions


class RolePermission(permissions.BasePermission):
    """Logged in; for writes, the viewset's `permission` from `portal.roles.Perm`."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed
        perm = getattr(view, "permission", None)
        return perm is not None and user.has_role_perm(perm)


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
