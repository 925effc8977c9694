"""Tick boxes and radio buttons are drawn as such: each option an input with Bootstrap's
form-check-input and a label of its own, never the text-input class that draws a check box
as an empty bar (the ledger form's problem categories, a team's members, a plan review)."""

import re

from django.urls import reverse

from inspections import services as inspections
from rectification import services as rectification
from tests.rectification.conftest import TASKS
from villages.models import Division

CHOICE_INPUT = re.compile(r'<input type="(?:checkbox|radio)"[^>]*>')


def choice_inputs(response, name):
    html = response.content.decode()
    return [tag for tag in CHOICE_INPUT.findall(html) if f'name="{name}"' in tag]


def assert_drawn_as_choices(response, name, at_least):
    inputs = choice_inputs(response, name)
    assert len(inputs) >= at_least, inputs
    for tag in inputs:
        assert 'class="form-check-input"' in tag, tag
        found = re.search(r'id="([^"]+)"', tag)
        assert found, tag
        assert f'<label class="form-check-label" for="{found[1]}">' in response.content.decode()


def test_the_ledger_forms_problem_categories_are_tick_boxes(client, alice, campaign):
    client.force_login(alice)
    assert_drawn_as_choices(client.get(reverse("case_create")), "categories", at_least=10)


def test_a_teams_members_are_tick_boxes(client, county_admin, inspector):
    round_ = inspections.round_create(
        acting_user=county_admin,
        county=Division.objects.get(pk="120114"),
        year=2026,
        quarter=4,
        kind="random",
        starts_on="2026-10-08",
        ends_on="2026-10-30",
    )
    client.force_login(county_admin)
    assert_drawn_as_choices(client.get(reverse("team_create", args=[round_.pk])), "members", 1)


def test_a_plan_review_is_two_radio_buttons(client, case_a, alice, county_admin):
    rectification.plan_save(case=case_a, acting_user=alice, version=1, goal="转化", tasks=TASKS)
    rectification.plan_submit(case=case_a, acting_user=alice)
    client.force_login(county_admin)
    response = client.get(case_a.get_absolute_url())
    assert_drawn_as_choices(response, "decision", at_least=2)
    assert len(choice_inputs(response, "decision")) == 2


def test_a_ticked_category_stays_ticked_when_the_form_comes_back_with_an_error(
    client, alice, campaign, categories, village_a
):
    client.force_login(alice)
    response = client.post(
        reverse("case_create"),
        {"campaign": campaign.pk, "village": village_a.code, "categories": [categories[0].pk]},
    )
    assert response.status_code == 200  # the required texts are missing
    ticked = [tag for tag in choice_inputs(response, "categories") if "checked" in tag]
    assert len(ticked) == 1 and f'value="{categories[0].pk}"' in ticked[0]
