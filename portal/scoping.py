"""The one scoping mechanism: every object a user may see is found by a division code prefix.

A village code is a materialised path (2 digits province, 2 city, 2 county, 3 township,
3 village), so "everything in Wuqing District" is `code LIKE '120114%'`. Each scoped model
names the path to its code in `scope_path`; `visible_to(user)` narrows any queryset of it
to the user's prefix. Pages apply it through `portal.generic.ScopedMixin`, the API through
`portal.api.ScopedViewSetMixin`; nothing else reads these models on behalf of a user.
"""

from django.db import models


def scope_prefix(user):
    """The code prefix `user` may see: "" for everything, None for nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "scope_prefix", None)


def in_scope(code, user):
    """Whether a division or village code lies inside the user's scope."""
    prefix = scope_prefix(user)
    return prefix is not None and code is not None and str(code).startswith(prefix)


class ScopedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what one user may see."""

    def visible_to(self, user):
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.model.scope_path}__startswith": prefix})


class SharedDownQuerySet(ScopedQuerySet):
    """For a county's objects that its townships and villages use too (a campaign, a
    dispatching unit): visible inside the scope, and from anywhere below the county."""

    def visible_to(self, user):
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        path = self.model.scope_path
        ancestors = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
        return self.filter(
            models.Q(**{f"{path}__startswith": prefix}) | models.Q(**{f"{path}__in": ancestors})
        )


class NationalQuerySet(models.QuerySet):
    """For rules set once for the whole country (the acceptance checklist): every user with
    an area sees them all, a user with none (inactive, no role) nothing."""

    def visible_to(self, user):
        return self.none() if scope_prefix(user) is None else self.all()
