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
    # The ledger: file and edit cases, plans and ratings; apply for close-out.
    CASE_CHANGE = "case.change"
    CASE_APPLY = "case.apply"
    # The county's decisions: approve plans, record acceptance reviews, close cases.
    PLAN_APPROVE = "plan.approve"
    CASE_ACCEPT = "case.accept"
    CATEGORY_MANAGE = "category.manage"
    # The acceptance checklist of the administrator's area (a province's, a city's, a county's).
    CHECKLIST_MANAGE = "checklist.manage"
    CAMPAIGN_MANAGE = "campaign.manage"
    # Progress on plan tasks (a first secretary: only on tasks assigned to them).
    TASK_UPDATE = "task.update"
    # First secretaries: the roster, postings, evaluations and each case's supporters.
    SECRETARY_MANAGE = "secretary.manage"
    SUPPORT_MANAGE = "support.manage"
    # A first secretary's own work log (民情日记).
    WORKLOG_WRITE = "worklog.write"
    # Monthly activity plans and records of activities held; the county's sitting in.
    ACTIVITY_WRITE = "activity.write"
    ACTIVITY_SIT_IN = "activity.sit_in"
    # Urging townships to file next month's activity plans before the 25th (催报).
    ACTIVITY_URGE = "activity.urge"
    # Inspections: the county organises rounds and circulars; inspectors record visits and
    # findings (only in rounds where they are on a team) and verify; townships answer.
    ROUND_MANAGE = "round.manage"
    INSPECT = "inspect"
    FINDING_ANSWER = "finding.answer"


_TOWNSHIP = {
    Perm.ACTIVITY_WRITE,
    Perm.FINDING_ANSWER,
    Perm.VILLAGE_CHANGE,
    Perm.REPORT_EXPORT,
    Perm.CASE_CHANGE,
    Perm.CASE_APPLY,
    Perm.TASK_UPDATE,
}

ROLE_PERMISSIONS = {
    Role.COUNTY_ADMIN: _TOWNSHIP
    | {
        Perm.USER_MANAGE,
        Perm.PLAN_APPROVE,
        Perm.CASE_ACCEPT,
        Perm.CATEGORY_MANAGE,
        Perm.CHECKLIST_MANAGE,
        Perm.CAMPAIGN_MANAGE,
        Perm.SECRETARY_MANAGE,
        Perm.SUPPORT_MANAGE,
        Perm.ACTIVITY_SIT_IN,
        Perm.ACTIVITY_URGE,
        Perm.ROUND_MANAGE,
    },
    Role.TOWNSHIP_ORGANIZER: _TOWNSHIP,
    Role.INSPECTOR: {Perm.REPORT_EXPORT, Perm.INSPECT},
    Role.FIRST_SECRETARY: {Perm.TASK_UPDATE, Perm.WORKLOG_WRITE},
    Role.VIEWER: {Perm.REPORT_EXPORT},
}


def role_has_perm(role, perm):
    return perm in ROLE_PERMISSIONS.get(role, set())


# --- Who may grant which role where (DHIS2's rule) -----------------------------------------

# The levels of the division tree, by the length of their code: a user's level is that of
# the division he works for (a first secretary's division is his village's township).
PROVINCE, CITY, COUNTY, TOWNSHIP = 2, 4, 6, 9

# The one table of delegated administration: an organization department's administrator
# (role county_admin, at whatever level his division is) may give a user of his own area
# these roles, each at these levels, and nothing else. Administrators are made by the level
# above (the province's by a superuser), so no administrator makes or unmakes a colleague
# of his own level; leaders (viewers) may sit at the administrator's own level. The
# inspectors, township organizers and first secretaries are the county's work, as before.
GRANTS: dict[int, dict[str, frozenset[int]]] = {
    PROVINCE: {
        Role.COUNTY_ADMIN: frozenset({CITY, COUNTY}),
        Role.VIEWER: frozenset({PROVINCE, CITY, COUNTY}),
    },
    CITY: {
        Role.COUNTY_ADMIN: frozenset({COUNTY}),
        Role.VIEWER: frozenset({CITY, COUNTY}),
    },
    COUNTY: {
        Role.TOWNSHIP_ORGANIZER: frozenset({TOWNSHIP}),
        Role.INSPECTOR: frozenset({COUNTY}),
        # His scope is his village; placed in its township (or, as older records are,
        # in the county).
        Role.FIRST_SECRETARY: frozenset({COUNTY, TOWNSHIP}),
        Role.VIEWER: frozenset({COUNTY, TOWNSHIP}),
    },
}
# A superuser grants any role at any level (the province's administrators are his).
ALL_LEVELS = frozenset({PROVINCE, CITY, COUNTY, TOWNSHIP})


def grants_of(user) -> dict[str, frozenset[int]]:
    """The roles `user` may grant, each with the levels of division it may be given at:
    empty for anyone who does not manage users."""
    if not user.has_role_perm(Perm.USER_MANAGE):
        return {}
    if user.is_superuser:
        return dict.fromkeys(Role.values, ALL_LEVELS)
    if user.role != Role.COUNTY_ADMIN or not user.division_id:
        return {}
    return GRANTS.get(len(user.division_id), {})


def may_grant(user, role, division_code) -> bool:
    """Whether `user` may give `role` to someone of the division `division_code`, by the
    table (the area is checked apart: the division must also lie in the user's scope)."""
    levels = grants_of(user).get(role, frozenset())
    return division_code is not None and len(str(division_code)) in levels
