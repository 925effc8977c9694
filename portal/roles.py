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
