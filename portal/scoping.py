"""The one scoping mechanism: reading on someone's behalf takes a `Scope`, a value.

A village code is a materialised path (2 digits province, 2 city, 2 county, 3 township,
3 village), so "everything in Wuqing District" is `code LIKE '120114%'`. A `Scope` is such a
prefix (a province, a city, a county, a township, a first secretary's village: the same
value, another code), with what its reader knows of inspections beyond it (see
`inspections.selectors`). Each scoped model names the path to its code in `scope_path`;
`visible_to(scope)` narrows any queryset of it, and takes a Scope only (a user is refused).

Where a Scope comes from: `Scope.of(user)` (done once per request by `ScopeMiddleware`, as
`request.scope`; services that act for a user take it inside), `Scope.under(code)` for a
report of one area, `narrowed(code)` for the dashboard's drill-down, and
`Scope.everything(reason=...)` for a job that reads the whole country; `Scope.nothing()`
reads nothing.
"""

from dataclasses import dataclass, field, replace

from django.db import models
from django.utils.functional import SimpleLazyObject

from portal.roles import Perm, Role

# The lengths of a province's, city's, county's and township's code, and a village's.
DIVISION_LENGTHS = (2, 4, 6, 9)
VILLAGE_CODE_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Scope:
    """What may be read on someone's behalf: the codes under `prefix` ("" for everything,
    None for nothing), and what the reader knows of inspections beyond scope by division:
    `knows_all_inspections` (the county department) and `inspector_id` (the user whose own
    rounds are known in full)."""

    prefix: str | None
    knows_all_inspections: bool = False
    inspector_id: int | None = None
    reason: str = field(default="", compare=False)

    def __post_init__(self):
        if self.prefix is not None and not isinstance(self.prefix, str):
            raise TypeError(f"A scope's prefix is a code, not {type(self.prefix).__name__}.")
        if self.prefix == "" and not self.reason:
            raise ValueError("Everything is read only by name: use Scope.everything(reason=...).")

    @classmethod
    def of(cls, user) -> "Scope":
        """What `user` may read: nothing when inactive or without a role; everything for a
        superuser without a division; a first secretary his village; anyone else his
        division."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls.nothing()
        knows_all = bool(user.has_role_perm(Perm.ROUND_MANAGE))
        if user.is_superuser and not user.division_id:
            return cls("", knows_all, user.pk, reason="superuser")
        if user.role == Role.FIRST_SECRETARY:
            prefix = user.village_id
        elif not user.role:
            prefix = None
        else:
            prefix = user.division_id
        if prefix is None:
            return cls.nothing()
        return cls(prefix, knows_all, user.pk)

    @classmethod
    def under(cls, code) -> "Scope":
        """The area of one division or village `code`, for a reader who is no one (a report
        no person asked for): it knows inspections as someone outside the department."""
        code = str(code or "")
        if not code.isdigit() or len(code) not in (*DIVISION_LENGTHS, VILLAGE_CODE_LENGTH):
            raise ValueError(f"Not a division or village code: {code!r}")
        return cls(code)

    @classmethod
    def nothing(cls) -> "Scope":
        return cls(None)

    @classmethod
    def everything(cls, *, reason: str) -> "Scope":
        """Everything, for a job that reads the whole country; `reason` names why."""
        if not reason:
            raise ValueError("Say why everything is read.")
        return cls("", True, None, reason=reason)

    @property
    def is_nothing(self) -> bool:
        return self.prefix is None

    @property
    def is_everything(self) -> bool:
        return self.prefix == ""

    @property
    def is_village(self) -> bool:
        return self.prefix is not None and len(self.prefix) >= VILLAGE_CODE_LENGTH

    def contains(self, code) -> bool:
        """Whether a division or village code lies inside the scope."""
        return self.prefix is not None and code is not None and str(code).startswith(self.prefix)

    def narrowed(self, code: str) -> "Scope":
        """The same reader limited to the division `code` when it lies strictly inside the
        scope (the dashboard's drill-down); anything else (wider, malformed, a village) is
        ignored and the scope returned unchanged."""
        if (
            self.prefix is not None
            and code.isdigit()
            and len(code) in DIVISION_LENGTHS
            and len(code) > len(self.prefix)
            and code.startswith(self.prefix)
        ):
            return replace(self, prefix=code, reason=self.reason)
        return self

    def q(self, path: str) -> models.Q:
        """The condition "the code at `path` is inside the scope" (for a non-empty scope)."""
        return models.Q(**{f"{path}__startswith": self.prefix})


def checked(scope) -> Scope:
    """`scope` itself; anything else (a user, a code, None) is a TypeError."""
    if not isinstance(scope, Scope):
        raise TypeError(f"visible_to() takes a Scope, not {type(scope).__name__}.")
    return scope


class ScopeMiddleware:
    """Sets `request.scope`, `Scope.of(request.user)`, computed at its first use (after the
    API has authenticated its caller)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope.of(request.user))
        return self.get_response(request)


class ScopedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to a scope."""

    def visible_to(self, scope):
        scope = checked(scope)
        if scope.is_nothing:
            return self.none()
        if scope.is_everything:
            return self
        return self.filter(scope.q(self.model.scope_path))


class SharedDownQuerySet(ScopedQuerySet):
    """For a county's objects that its townships and villages use too (a campaign, a
    dispatching unit): visible inside the scope, and from anywhere below the county."""

    def visible_to(self, scope):
        scope = checked(scope)
        if scope.is_nothing:
            return self.none()
        if scope.is_everything:
            return self
        prefix = scope.prefix
        path = self.model.scope_path
        ancestors = [prefix[:n] for n in DIVISION_LENGTHS if n < len(prefix)]
        return self.filter(scope.q(path) | models.Q(**{f"{path}__in": ancestors}))
