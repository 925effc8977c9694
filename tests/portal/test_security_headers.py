"""Every response carries the content security policy and the other security headers."""

from django.urls import reverse


def test_pages_forbid_inline_script_framing_and_foreign_resources(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_api_documentation_allows_inline_style_elements(client, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("dashboard")).headers["Content-Security-Policy"]
    docs = client.get(reverse("api_docs")).headers["Content-Security-Policy"]
    assert "style-src 'self';" in page
    assert "style-src 'self' 'unsafe-inline'" in docs and "script-src 'self';" in docs
