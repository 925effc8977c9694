"""What each role may do with a finding at each stage: the service's answer
(`finding_actions`), the forms of the finding's page and the API's `available_actions`
agree, as written out here by hand."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import services
from portal.choices import Role
from tests.factories import UserFactory
from tests.inspections.test_inspections import (  # noqa: F401
    WUQING,
    active,
    finding,
    inspection,
    team,
    visit,
)

PERSONAS = ("county_admin", "alice", "secretary", "inspector", "stranger", "viewer")

# The finding's stage → persona → what the page offers and the API lists. "inspector" is
# on the round's team; "stranger" is an inspector of the county who is not.
EXPECTED = {
    "open": {
        "county_admin": {"answer"},
        "alice": {"answer"},
        "secretary": set(),
        "inspector": set(),
        "stranger": set(),
        "viewer": set(),
    },
    # Answered by the township: the round's inspector gives the verdict; the township may
    # still answer again until then.
    "answered": {
        "county_admin": {"answer"},
        "alice": {"answer"},
        "secretary": set(),
        "inspector": {"send_back", "verify"},
        "stranger": set(),
        "viewer": set(),
    },
    # Verified: closed, for everyone.
    "verified": {name: set() for name in PERSONAS},
}


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger", role=Role.INSPECTOR, division_id=WUQING)


@pytest.fixture
def finding_at(finding, alice, inspector):  # noqa: F811 (the imported fixture)
    def bring(stage):
        if stage != "open":
            services.finding_answer(acting_user=alice, finding=finding, response="已补齐会议记录")
        if stage == "verified":
            services.finding_verify(acting_user=inspector, finding=finding)
        finding.refresh_from_db()
        return finding

    return bring


def offered_on_the_page(page, record):
    offered = set()
    if f'action="{reverse("finding_answer", args=[record.pk])}"' in page:
        offered.add("answer")
    # One form gives the verdict either way.
    if f'action="{reverse("finding_verify", args=[record.pk])}"' in page:
        offered |= {"verify", "send_back"}
    return offered


@pytest.mark.parametrize("stage", sorted(EXPECTED))
def test_each_role_is_offered_what_it_may_do_with_a_finding(
    client, persona, stranger, finding_at, stage
):
    finding = finding_at(stage)  # noqa: F811
    for name in PERSONAS:
        user = stranger if name == "stranger" else persona(name)
        expected = EXPECTED[stage][name]
        assert services.finding_actions(user=user, finding=finding) == expected, (stage, name)
        client.force_login(user)
        page = client.get(reverse("finding_detail", args=[finding.pk]))
        assert page.status_code == 200, (stage, name)
        assert offered_on_the_page(page.content.decode(), finding) == expected, (stage, name)
        api = client.get(reverse("finding-detail", args=[finding.pk]))
        assert api.json()["available_actions"] == sorted(expected), (stage, name)


def test_the_api_answers_a_verdict_with_what_is_left_to_do(client, finding_at, inspector):
    finding = finding_at("answered")  # noqa: F811
    client.force_login(inspector)
    response = client.post(
        reverse("finding-send-back", args=[finding.pk]),
        {"comment": "缺少会议签到表"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    # Open again: the township answers anew; the inspector waits for it.
    assert response.json()["available_actions"] == []


def test_an_inspectors_finding_list_costs_the_same_queries_for_one_answered_finding_or_four(
    client,
    finding_at,
    inspector,
    alice,
    visit,  # noqa: F811
    django_assert_num_queries,
):
    """Each finding's available_actions asks whether the reader is on its round's teams:
    that is answered for the whole page at once, not once per finding."""
    from inspections.models import Finding
    from rectification.models import Category

    finding_at("answered")
    client.force_login(inspector)
    url = reverse("finding-list")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        extra = services.finding_add(
            acting_user=inspector,
            visit=visit,
            category=Category.objects.first(),
            description=f"党员发展材料缺失{n}",
            severity="serious",
            deadline=date(2026, 11, 30),
        )
        services.finding_answer(acting_user=alice, finding=extra, response="已整改")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    rows = response.json()["results"]
    assert len(rows) == 4 == Finding.objects.count()
    assert all(set(row["available_actions"]) == {"verify", "send_back"} for row in rows)
