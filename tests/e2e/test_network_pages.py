"""The admin sets up tiers and agents in the console; the agent logs in on the phone and sees the team."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]


def choose(page: Page, select_test_id: str, option: str) -> None:
    """Pick ``option`` and wait until the select shows it and its list has closed: on a busy machine
    the next click could otherwise land on the still-open list (CI once saved the wrong tier)."""
    page.get_by_test_id(select_test_id).click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()
    expect(page.get_by_test_id(select_test_id)).to_contain_text(option)
    expect(page.locator(".el-select-dropdown:visible")).to_have_count(0)


def test_admin_creates_tiers_and_agents_and_the_agent_sees_the_team(page: Page, url_on) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)

    open_menu(page, "menu-tiers")
    for name, rank in (("团队长", "1"), ("代理人", "2")):
        field(page, "tier-form-name").fill(name)
        field(page, "tier-form-rank").fill(rank)
        page.get_by_test_id("tier-form-submit").click()
        expect(page.get_by_test_id("tier-table")).to_contain_text(name)

    open_menu(page, "menu-agents")
    for name, mobile, tier, parent in (
        ("周队长", "13644440001", "团队长", None),
        ("吴新人", "13644440002", "代理人", "周队长"),
    ):
        page.get_by_test_id("agent-new").click()
        field(page, "agent-form-name").fill(name)
        field(page, "agent-form-mobile").fill(mobile)
        field(page, "agent-form-licence_no").fill(f"LIC-{mobile[-4:]}")
        choose(page, "agent-form-tier", tier)
        if parent:
            choose(page, "agent-form-parent", parent)
        field(page, "agent-form-password").fill("Agent@2026x")
        # Creating an agent hashes a password (argon2): slow on a busy machine. Wait for the create's
        # answer itself, so a failure says whether the create was refused or the list did not reload
        # (CI once timed out on the table alone and could not tell which).
        with page.expect_response(
            lambda r: r.url.endswith("/api/v1/network/agents/") and r.request.method == "POST", timeout=60_000
        ) as created:
            page.get_by_test_id("agent-form-submit").click()
        assert created.value.status == 201, created.value.text()
        expect(page.get_by_test_id("agent-form-name")).to_be_hidden()
        expect(page.get_by_test_id("agent-table")).to_contain_text(name, timeout=20_000)

    open_menu(page, "menu-org")
    expect(page.get_by_test_id("org-tree")).to_contain_text("周队长")
    expect(page.get_by_test_id("org-tree")).to_contain_text("团队 1 人")

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 800})
    phone.goto(url_on("datang", "/agent/"))
    login(phone, "13644440001", "Agent@2026x")
    expect(phone.get_by_test_id("user-name")).to_contain_text("周队长")
    phone.get_by_test_id("entry-team").click()
    members = phone.get_by_test_id("team-member")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text("周队长")
    expect(members.nth(1)).to_contain_text("吴新人")

    phone.go_back()
    phone.get_by_test_id("entry-invite").click()
    expect(phone.get_by_test_id("referral-code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    expect(phone.get_by_test_id("referral-qr")).to_be_visible()
