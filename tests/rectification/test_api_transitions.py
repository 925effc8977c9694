"""A transition by the API (issue 19: 100 a second): the view finds the case in scope with
one plain query and leaves the reading and locking to the service."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_an_application_by_the_api_reads_the_case_once_before_its_service(
    client, rectifying_case, county_admin
):
    client.force_login(county_admin)
    url = reverse("case-apply", args=[rectifying_case.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"comment": "整改完成"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acceptance_requested"
    before = [q["sql"] for q in queries if q["sql"].startswith('SELECT "rectification_case"."id"')]
    # Found in scope (no join), locked by the service, read whole for the answer.
    assert len(before) == 3
    assert "JOIN" not in before[0] and "FOR UPDATE" in before[1] and "JOIN" in before[2]


def test_another_countys_administrator_cannot_apply_by_the_api(
    client, rectifying_case, other_county_admin
):
    client.force_login(other_county_admin)
    response = client.post(
        reverse("case-apply", args=[rectifying_case.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 404
    rectifying_case.refresh_from_db()
    assert rectifying_case.status == "rectifying"
