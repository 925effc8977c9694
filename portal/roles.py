"""What each role may do inside its scope: the one table every view and API checks.

Scope (which objects a user sees at all) is a separate question answered by
`ScopedQuerySet.visible_to`; this table only says which actions a role may take on
what it can see. Missing permission is 403, out of scope is 404.
"""

from portal.choices import Role


class Perm:
    """Names of the actions the portal checks; one constant per action."""

    VILLAGE_CHANGE = "village.change"
    USER_MANAGE = "user.manage"
    REPORT_EXPORT = "report.export"


ROLE_PERMISSIONS = {
    Role.COUNTY_ADMIN: {Perm.VILLAGE_CHANGE, Perm.USER_MANAGE, Perm.REPORT_EXPORT},
    Role.TOWNSHIP_ORGANIZER: {Perm.VILLAGE_CHANGE, Perm.REPORT_EXPORT},
    Role.INSPECTOR: {Perm.REPORT_EXPORT},
    Role.FIRST_SECRETARY: set(),
    Role.VIEWER: {Perm.REPORT_EXPORT},
}


def role_has_perm(role, perm):
    return perm in ROLE_PERMISSIONS.get(role, set())
