"""What a client sees when an address is wrong or the server fails: no trace, no HTML in
the API."""

import pytest
from django.test import override_settings
from django.urls import path

from home import urls as portal_urls


def test_an_unknown_api_address_answers_json_404(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/api/v1/cases/not-a-number./")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "接口地址不存在。"}


def test_an_unknown_page_answers_the_portal_404_page(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "页面不存在" in response.content.decode()


def _crash(request):
    raise RuntimeError("SELECT secret FROM users")


urlpatterns = [
    path("api/v1/crash/", _crash),
    path("crash/", _crash),
    *portal_urls.urlpatterns,
]
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.mark.parametrize(("address", "kind"), [("/api/v1/crash/", "json"), ("/crash/", "html")])
@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_answers_without_a_trace(client, county_admin, address, kind):
    client.raise_request_exception = False
    client.force_login(county_admin)
    response = client.get(address)
    assert response.status_code == 500
    body = response.content.decode()
    assert "SELECT" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert kind in response["Content-Type"]


def test_list_filters_on_an_object_address_are_ignored(client, county_admin, case_a):
    """?overdue= relies on the ledger's annotation: on a case's own address it used to 500."""
    client.force_login(county_admin)
    response = client.get(f"/api/v1/cases/{case_a.pk}/", {"overdue": "true", "status": "closed"})
    assert response.status_code == 200
    assert response.json()["id"] == case_a.pk
    events = client.get(f"/api/v1/cases/{case_a.pk}/events/", {"overdue": "false"})
    assert events.status_code == 200
    assert isinstance(events.json(), list)


def test_a_request_too_large_answers_the_portal_400_page(client, county_admin, settings):
    """Over DATA_UPLOAD_MAX_MEMORY_SIZE (or too many fields) Django refuses the request; the
    user sees why in Chinese, not a bare "Bad Request"."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(county_admin)
    response = client.post("/ledger/new/", {"problems": "x" * 5000})
    assert response.status_code == 400
    assert "请求未能处理" in response.content.decode()
