"""Irreversible actions ask first: every form that submits, decides, verifies, ends,
closes, publishes or removes carries `data-confirm` with the question, which
static/portal/confirm.js asks before the form is sent (the browser journey in
tests/browser/test_journeys.py proves that cancelling changes nothing)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# URL name of the action (or a button's name) → what it does that cannot be taken back.
IRREVERSIBLE = {
    "plan_submit": "上报 the one-village-one-policy plan to the county",
    "plan_review": "审批: the county's decision on the plan",
    "case_close": "销号: close out the case",
    "case_apply": "apply for the acceptance review",
    "case_acceptance": "record the acceptance review (decides transformed or not)",
    "finding_verify": "核实销号 or 退回重新整改",
    "plan_pending": "审批 every ticked plan with one opinion",
    "finding_pending": "核实销号 every ticked finding",
    "assignment_end": "结束选派",
    "round_move": "start or close an inspection round",
    "circular_publish": "印发 the circular",
    "circular_acknowledge": "签收 the circular for a township",
    "support_remove": "remove a supporter from the case",
    "api_token_revoke": "revoke an API token (scripts using it are refused)",
    "activity_submit_all": "上报 every draft activity plan of the township",
    "activity_submit": "上报 one village's activity plan (its 'Save and submit' button)",
}


def form_tags():
    """(template, the opening <form …> tag, the form's body) of every template."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<form\b(.*?)>(.*?)</form>", text, re.S):
            yield path.relative_to(TEMPLATES), match.group(1), match.group(2)


def forms_for(name):
    if name == "case_acceptance":  # the acceptance form posts to its own page
        return [
            (p, t, b) for p, t, b in form_tags() if str(p) == "rectification/acceptance_form.html"
        ]
    if name == "activity_submit":
        return [(p, t, b) for p, t, b in form_tags() if 'name="submit"' in b]
    return [(p, t, b) for p, t, b in form_tags() if f"url '{name}'" in t]


@pytest.mark.parametrize("name", sorted(IRREVERSIBLE))
def test_an_irreversible_action_asks_for_confirmation(name):
    found = forms_for(name)
    assert found, f"no form for {name}"
    for path, tag, body in found:
        if name == "activity_submit":
            button = re.search(r'<button[^>]*name="submit"[^>]*>', body).group(0)
            assert "data-confirm=" in button, path
        else:
            assert "data-confirm=" in tag, (path, tag)


def test_the_question_is_asked_by_a_static_script_every_page_loads():
    base = (TEMPLATES / "base.html").read_text()
    assert "portal/confirm.js" in base
    script = (Path(settings.BASE_DIR) / "static" / "portal" / "confirm.js").read_text()
    assert "window.confirm" in script and "preventDefault" in script
