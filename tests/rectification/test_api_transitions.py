"""A transition by the API (issue 19: 100 a second): the view names the case and leaves the
reading and locking to the service, and answers with the service's own case."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_an_application_by_the_api_reads_the_case_once(client, rectifying_case, county_admin):
    client.force_login(county_admin)
    url = reverse("case-apply", args=[rectifying_case.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"comment": "整改完成"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acceptance_requested"
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "rectification_case"."id"')]
    # Locked by the service, with its village and township; not read again for the answer.
    assert len(reads) == 1
    assert "FOR UPDATE" in reads[0]


def test_the_answer_to_a_transition_is_what_reading_the_case_shows(
    client, rectifying_case, county_admin
):
    client.force_login(county_admin)
    response = client.post(
        reverse("case-apply", args=[rectifying_case.pk]),
        {"comment": "整改完成"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer == client.get(reverse("case-detail", args=[rectifying_case.pk])).json()
    # What the answer adds to the case row: its categories, plan (the actions) and version.
    assert len(answer["categories"]) == 2
    assert answer["available_actions"] == [
        "attach_evidence",
        "edit",
        "review_acceptance",
        "update_tasks",
        "withdraw_request",
    ]
    assert answer["version"] == rectifying_case.version + 1


def test_another_countys_administrator_cannot_apply_by_the_api(
    client, rectifying_case, other_county_admin
):
    client.force_login(other_county_admin)
    response = client.post(
        reverse("case-apply", args=[rectifying_case.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    rectifying_case.refresh_from_db()
    assert rectifying_case.status == "rectifying"


def test_a_case_out_of_scope_is_not_found_before_a_bad_body_is_refused(
    client, rectifying_case, county_admin, other_county_admin
):
    url = reverse("case-apply", args=[rectifying_case.pk])
    client.force_login(other_county_admin)
    response = client.post(url, {"on": "昨天"}, content_type="application/json")
    assert response.status_code == 404
    # In the reader's language, naming no model (Django's own words were English).
    assert response.json() == {"detail": "未找到。"}
    client.force_login(county_admin)
    response = client.post(url, {"on": "昨天"}, content_type="application/json")
    assert response.status_code == 400
    assert "on" in response.json()


def test_an_acceptance_out_of_scope_is_not_found(client, rectifying_case, other_county_admin):
    client.force_login(other_county_admin)
    url = reverse("case-acceptance", args=[rectifying_case.pk])
    body = {"reviewed_on": "2026-11-10", "scores": {}, "satisfaction": "90", "conclusion": "好"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_a_case_out_of_scope_read_by_the_api_is_not_found_in_chinese(
    client, rectifying_case, other_county_admin
):
    client.force_login(other_county_admin)
    response = client.get(reverse("case-detail", args=[rectifying_case.pk]))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_a_case_named_by_anything_but_a_number_is_not_found(client, county_admin):
    client.force_login(county_admin)
    for pk in ("abc", "99999999999999999999"):
        response = client.post(f"/api/v1/cases/{pk}/close/", {}, content_type="application/json")
        assert response.status_code == 404, (pk, response.content)
