"""Browser tests: Playwright drives Debian's Chromium (the `chromium` package, installed
with apt-get by .ci/run; never a downloaded browser) against a live server with the demo
loaded. Screenshots are saved in var/artifacts/ (BROWSER_ARTIFACTS to change it)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from home.management.commands.load_demo import DEMO_PASSWORD
from tests.live import load_demo_committed

ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(settings.BASE_DIR) / "var" / "artifacts"))


def chromium_path():
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """One headless Chromium for the session. Playwright's sync API keeps an event loop
    running in this thread while it is open, so Django is told that its ORM calls here
    (the tests' own data) are safe: they are, the live server runs in its own thread."""
    path = chromium_path()
    if not Path(path).exists():
        reason = "browser tests need Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_server(transactional_db, live_server):
    """The demo `make run` loads, served by a live server thread."""
    load_demo_committed(reuse=True)
    return live_server


@pytest.fixture
def page(chromium, demo_server):
    """A fresh browser context (1440 × 900, Chinese) that fails the test on any page
    error, console error or failed request."""
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", base_url=demo_server.url
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and problems.append(f"console on {page.url}: {message.text[:160]}")
        ),
    )
    # A request cut short by the next navigation is aborted, not failed.
    page.on(
        "requestfailed",
        lambda request: (
            request.failure != "net::ERR_ABORTED"
            and problems.append(f"failed: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status}: {response.url}")
        ),
    )
    yield page
    context.close()
    assert not problems, problems


def log_in(page, username):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name, **kwargs):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path
