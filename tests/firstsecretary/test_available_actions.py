"""What each role may do with a case's supporters (the five ones, 包保): add one to the
case, remove a link. The services' answers (`support_actions`, `support_link_actions`),
the supporters' card of the case page and the API's `available_actions` agree, as
written out here by hand; a closed case keeps its supporters."""

import pytest
from django.urls import reverse

from firstsecretary import services
from firstsecretary.models import SupportLink
from tests.rectification.test_available_actions import case_at  # noqa: F401

PERSONAS = ("county_admin", "alice", "secretary", "inspector", "viewer")

# The case's stage → persona → (what it may do on the case, on one of its links).
EXPECTED = {
    "rectifying": {
        "county_admin": ({"add"}, {"remove"}),
        "alice": (set(), set()),
        "secretary": (set(), set()),
        "inspector": (set(), set()),
        "viewer": (set(), set()),
    },
    "closed": {name: (set(), set()) for name in PERSONAS},
}


@pytest.fixture
def supported(case_at, county_admin):  # noqa: F811 (the imported fixture)
    """The case at a stage, with one supporter added while it was open."""

    def bring(stage):
        case = case_at("rectifying")
        link = services.support_add(
            acting_user=county_admin, case=case, kind="enterprise", name="天津某建材公司"
        )
        case = case_at(stage)
        link.refresh_from_db()
        return case, link

    return bring


def offered_on_the_page(page, case, link):
    on_case = {"add"} if f'action="{reverse("support_add", args=[case.pk])}"' in page else set()
    on_link = (
        {"remove"} if f'action="{reverse("support_remove", args=[link.pk])}"' in page else set()
    )
    return on_case, on_link


@pytest.mark.parametrize("stage", sorted(EXPECTED))
def test_each_role_is_offered_what_it_may_do_with_the_supporters(client, persona, supported, stage):
    case, link = supported(stage)
    for name in PERSONAS:
        user = persona(name)
        on_case, on_link = EXPECTED[stage][name]
        case.refresh_from_db()
        assert services.support_actions(user=user, case=case) == on_case, (stage, name)
        assert services.support_link_actions(user=user, link=link) == on_link, (stage, name)
        client.force_login(user)
        page = client.get(reverse("case_detail", args=[case.pk]))
        assert page.status_code == 200, (stage, name)
        assert offered_on_the_page(page.content.decode(), case, link) == (on_case, on_link)
        api = client.get(reverse("support-detail", args=[link.pk]))
        assert api.json()["available_actions"] == sorted(on_link), (stage, name)


def test_a_closed_cases_supporter_is_not_removed_by_the_api_or_the_page(
    client, supported, county_admin
):
    _case, link = supported("closed")
    client.force_login(county_admin)
    assert client.delete(reverse("support-detail", args=[link.pk])).status_code == 400
    page = client.post(reverse("support_remove", args=[link.pk]), follow=True)
    assert [str(m) for m in page.context["messages"]] == ["已销号的整顿对象不能再修改。"]
    assert SupportLink.objects.filter(pk=link.pk).exists()
