"""Content-Security-Policy in Chromium (issue 18, item 1): the three front ends and the platform
console load and work with no violation, and a script injected into a page does not run."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

# Runs before the page's own scripts (Playwright adds it through the DevTools protocol, which the
# page's policy does not govern): every violation the browser reports is kept for the test.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


def watch(page: Page) -> list[str]:
    """Violations as the page reports them and as Chromium logs them to the console."""
    seen: list[str] = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return seen


def violations(page: Page, console: list[str]) -> list[Any]:
    return [*page.evaluate("window.__csp || []"), *console]


def test_the_front_ends_load_and_work_with_no_csp_violation(page: Page, url_on) -> None:
    console = watch(page)

    page.goto(url_on("datang", "/"))  # the owner H5 (Vant)
    page.get_by_test_id("login-tab-password").click()
    login(page, PEOPLE["datang_owner"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("赵车主")
    assert violations(page, console) == []

    page.goto(url_on("datang", "/agent/"))  # the agent app (Vant)
    login(page, PEOPLE["datang_agent"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("王海峰")
    page.get_by_test_id("tab-messages").click()
    expect(page).to_have_url(re.compile(r"#/messages"))
    assert violations(page, console) == []

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on("datang", "/console/"))  # the tenant console (Element Plus)
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("陈大唐")
    open_menu(page, "menu-announcements")
    page.get_by_test_id("announcement-new").click()  # a dialog, a date picker, a rich text box
    expect(page.get_by_test_id("announcement-body")).to_be_visible()
    page.locator(
        '[data-testid="announcement-from"] input, input[data-testid="announcement-from"]'
    ).first.click()
    expect(page.locator(".el-picker-panel").first).to_be_visible()
    assert violations(page, console) == []

    page.goto(url_on(None, "/console/"))  # the platform console
    login(page, PEOPLE["platform_admin"].mobile, PASSWORD)
    expect(page.get_by_test_id("tenant-new")).to_be_visible()
    assert violations(page, console) == []


def test_a_script_injected_into_a_page_does_not_run(page: Page, url_on) -> None:
    console = watch(page)
    page.goto(url_on("datang", "/agent/"))
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.__pwned = "inline script"';
          document.body.appendChild(s);
          document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__pwned = \\'handler\\'">');
          document.body.insertAdjacentHTML('beforeend', '<a id="jsurl" href="javascript:window.__pwned=\\'url\\'">x</a>');
        }"""
    )
    page.click("#jsurl", force=True)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    seen = " ".join(violations(page, console))
    assert "script-src-elem" in seen and "script-src-attr" in seen
