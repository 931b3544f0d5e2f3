"""Browser tests: Playwright driving Debian's Chromium against live_server (never a downloaded
browser). A missing Chromium is a failure, not a skip."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (see .ci/run)")
    dist = Path(settings.FRONTEND_DIST)
    if not (dist / "owner.html").exists():
        pytest.fail(f"the front end is not built ({dist}): run `make frontend`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 414, "height": 896})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def url_on(live_server):
    """``url_on("datang", "/agent/")`` -> http://datang.localhost:<port>/agent/ (*.localhost resolve
    to 127.0.0.1 in Chromium)."""
    port = live_server.url.rsplit(":", 1)[1]

    def make(schema: str | None, path: str = "/") -> str:
        host = f"{schema}.localhost" if schema else "localhost"
        return f"http://{host}:{port}{path}"

    return make
