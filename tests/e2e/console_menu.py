"""The console's grouped menu: items live in folded groups (销售 / 客户 / 分销与结算 / …), so a test
opens an item's group before clicking it, as a user does."""

from playwright.sync_api import Page


def open_menu(page: Page, test_id: str) -> None:
    """Click the menu item ``test_id``, unfolding its group first when it is folded."""
    item = page.get_by_test_id(test_id)
    item.wait_for(state="attached")
    if not item.is_visible():
        page.locator(".el-sub-menu", has=item).locator(".el-sub-menu__title").first.click()
    item.click()
