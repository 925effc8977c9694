"""The permission check every service starts with, and the answer to "what may this user do
with this object now" (an object's `available_actions`).

A rule lives in its app's services.py: the service's guard and the object's actions ask the
same predicate, so a button the page shows is a request the service accepts.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from portal.models import User


def require(user: "User", perm: str) -> None:
    """Refuse (403) a user whose role lacks `perm` (portal.roles.Perm)."""
    if not user.has_role_perm(perm):
        raise PermissionDenied(_("Your role does not allow this action."))


class Actions(frozenset):
    """The names of the actions a user may take on an object now.

    A frozenset of strings (the API lists it sorted); a template asks `actions.close`, which
    is True when "close" is among them.
    """

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self

    def names(self) -> list[str]:
        """The action names, sorted: what the API's `available_actions` field lists."""
        return sorted(self)


def allowed(user: "User", rules: Mapping[str, tuple[str, bool]]) -> Actions:
    """The Actions of `rules`, a mapping of action name → (permission, whether the object's
    state allows it now): those whose state allows them and whose permission the user has."""
    return Actions(name for name, (perm, ok) in rules.items() if ok and user.has_role_perm(perm))
