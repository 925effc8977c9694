"""DRF defaults named in settings.REST_FRAMEWORK.

Kept apart from portal.api because DRF imports these while it loads its own views, and
portal.api imports those views (a cycle otherwise).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, pagination, permissions, renderers, status
from rest_framework.response import Response

from portal.exceptions import StaleEditError, TransitionError


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`): a key the user created on the
    page “My API tokens”. The request acts as that user, with the same scope and role."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None  # not ours: the session, or anonymous
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key after “Token”, with no spaces."))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token.")) from None
        # Imported here: DRF imports this module while it loads, before the apps are ready.
        from portal.services import api_token_user

        user = api_token_user(key=key, request=request._request)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        return (user, None)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API with its JSON form only. DRF's HTML form draws every related field
    as a <select> of the whole table (a county's ledger page carried 849 options, a
    province's would carry 14,592): too large, and not a scoped search. A script writer
    posts JSON, which the raw form takes; the pages choose through the scoped choosers."""

    def get_rendered_html_form(self, data, view, method, request):
        return None


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
        # A viewset may name a permission per action (apply, close, …) over its default.
        perm = getattr(view, "action_permissions", {}).get(
            getattr(view, "action", None), getattr(view, "permission", None)
        )
        return perm is not None and user.has_role_perm(perm)


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """A service's refusal is the client's error, never a 500.

    StaleEditError and TransitionError → 409 Conflict; any other Django ValidationError
    → 400 with its messages by field. Every 404 says the same translated words: Django's
    own ("No Case matches the given query.") is English and names the model.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, (StaleEditError, TransitionError)):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    # Imported here: rest_framework.views imports this module while it loads.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
