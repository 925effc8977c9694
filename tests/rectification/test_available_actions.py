"""What each role may do with a case at each stage: the service's answer
(`case_actions`), the buttons of the case page and the API's `available_actions` are one
and the same list, written out here by hand."""

from datetime import date

import pytest
from django.urls import reverse

from rectification import services
from rectification.choices import CaseStatus
from tests.rectification.conftest import TASKS
from tests.rectification.test_lifecycle import review
from villages.models import Village

PERSONAS = ("county_admin", "alice", "secretary", "inspector", "viewer")

# The stage of the case → persona → what the page offers and the API lists.
EXPECTED = {
    # Just listed by the township, no plan yet.
    "listed": {
        "county_admin": {"edit", "edit_plan", "attach_evidence"},
        "alice": {"edit", "edit_plan", "attach_evidence"},
        "secretary": set(),
        "inspector": set(),
        "viewer": set(),
    },
    # The plan is with the county: the township may take it back, the county decides.
    "plan_submitted": {
        "county_admin": {"edit", "withdraw_plan", "review_plan", "attach_evidence"},
        "alice": {"edit", "withdraw_plan", "attach_evidence"},
        # His task is named in the plan: he may file its evidence already.
        "secretary": {"attach_evidence"},
        "inspector": set(),
        "viewer": set(),
    },
    # Rectifying; one task is the first secretary's: he records its progress and evidence.
    "rectifying": {
        "county_admin": {"edit", "update_tasks", "attach_evidence", "request_acceptance"},
        "alice": {"edit", "update_tasks", "attach_evidence", "request_acceptance"},
        "secretary": {"update_tasks", "attach_evidence"},
        "inspector": set(),
        "viewer": set(),
    },
    # Applied for: the township may withdraw, the county reviews.
    "acceptance_requested": {
        "county_admin": {
            "edit",
            "update_tasks",
            "attach_evidence",
            "withdraw_request",
            "review_acceptance",
        },
        "alice": {"edit", "update_tasks", "attach_evidence", "withdraw_request"},
        "secretary": {"update_tasks", "attach_evidence"},
        "inspector": set(),
        "viewer": set(),
    },
    # Transformed: the county closes it out.
    "transformed": {
        "county_admin": {"edit", "update_tasks", "attach_evidence", "close"},
        "alice": {"edit", "update_tasks", "attach_evidence"},
        "secretary": {"update_tasks", "attach_evidence"},
        "inspector": set(),
        "viewer": set(),
    },
    # Closed out (销号): nothing is changed any more, by anyone.
    "closed": {name: set() for name in PERSONAS},
}


STAGES = (
    "listed",
    "plan_submitted",
    "rectifying",
    "acceptance_requested",
    "transformed",
    "closed",
)


@pytest.fixture
def case_at(case_a, alice, county_admin, secretary):
    """case_a brought on to a stage of STAGES through the services (never back)."""
    tasks = [{**TASKS[0], "assignee": secretary}, TASKS[1]]
    steps = {
        "plan_submitted": lambda case: (
            services.plan_save(
                case=case, acting_user=alice, version=1, goal="一年内转化", tasks=tasks
            ),
            services.plan_submit(case=case, acting_user=alice),
        ),
        "rectifying": lambda case: services.plan_review(
            case=case, acting_user=county_admin, approve=True
        ),
        "acceptance_requested": lambda case: services.case_transition(
            case=case, action="request_acceptance", acting_user=alice
        ),
        "transformed": lambda case: review(case, county_admin, 85),
        "closed": lambda case: services.case_transition(
            case=case, action="close", acting_user=county_admin, on=date(2026, 12, 1)
        ),
    }
    reached = ["listed"]

    def bring(stage):
        for step in STAGES[STAGES.index(reached[0]) + 1 : STAGES.index(stage) + 1]:
            steps[step](case_a)
            reached[0] = step
        case_a.refresh_from_db()
        return case_a

    return bring


# A button or link of the case page per action: the address it posts to or opens.
PAGE_MARKS = {
    "edit": ("href", "case_edit"),
    "edit_plan": ("href", "plan_edit"),
    "submit_plan": ("action", "plan_submit"),
    "withdraw_plan": ("action", "plan_withdraw"),
    "review_plan": ("action", "plan_review"),
    "attach_evidence": ("action", "case_evidence"),
    "request_acceptance": ("action", "case_apply"),
    "withdraw_request": ("action", "case_withdraw"),
    "review_acceptance": ("href", "case_acceptance"),
    "close": ("action", "case_close"),
}


def offered_on_the_page(page, case):
    offered = {
        name
        for name, (attribute, url_name) in PAGE_MARKS.items()
        if f'{attribute}="{reverse(url_name, args=[case.pk])}"' in page
    }
    tasks = case.plan.tasks.all() if hasattr(case, "plan") else []
    if any(f'action="{reverse("task_progress", args=[t.pk])}"' in page for t in tasks):
        offered.add("update_tasks")
    return offered


@pytest.mark.parametrize("stage", sorted(EXPECTED))
def test_each_role_is_offered_what_it_may_do_at_each_stage(client, persona, case_at, stage):
    case = case_at(stage)
    for name in PERSONAS:
        user = persona(name)
        expected = EXPECTED[stage][name]
        case.refresh_from_db()
        assert services.case_actions(user=user, case=case) == expected, (stage, name)
        client.force_login(user)
        page = client.get(reverse("case_detail", args=[case.pk]))
        assert page.status_code == 200, (stage, name)
        assert offered_on_the_page(page.content.decode(), case) == expected, (stage, name)
        api = client.get(reverse("case-detail", args=[case.pk]))
        assert api.json()["available_actions"] == sorted(expected), (stage, name)


def test_the_ledger_api_lists_each_rows_actions(client, case_at, county_admin, alice, list_case):
    submitted = case_at("plan_submitted")
    other = Village.objects.filter(township_id=submitted.village.township_id, kind="village")
    listed = list_case(alice, other.exclude(pk=submitted.village_id).order_by("code").first())
    client.force_login(county_admin)
    rows = client.get(reverse("case-list")).json()["results"]
    actions = {row["id"]: row["available_actions"] for row in rows}
    assert actions == {
        submitted.pk: ["attach_evidence", "edit", "review_plan", "withdraw_plan"],
        listed.pk: ["attach_evidence", "edit", "edit_plan"],
    }


def test_a_button_not_offered_is_a_post_refused(client, case_at, alice, county_admin):
    case = case_at("acceptance_requested")
    client.force_login(alice)
    assert client.post(reverse("case_close", args=[case.pk])).status_code == 403
    client.force_login(county_admin)
    client.post(reverse("case_close", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTANCE_REQUESTED
