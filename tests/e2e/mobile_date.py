"""The mobile apps' date fields (DateField.vue): a read-only field that opens Vant's date picker.
A test picks a date as a user does: open the field, tap the year, month and day wheels towards the
date (a tap selects an option in view, up to two rows away), then 确认."""

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

from tests.e2e.test_branding_login import field

SELECTED = re.compile(r"van-picker-column__item--selected")


def _turn_to(column: Locator, text: str) -> None:
    items = column.locator(".van-picker-column__item")
    while True:
        texts = [t.strip() for t in items.all_text_contents()]
        at = items.evaluate_all(
            "els => els.findIndex(el => el.classList.contains('van-picker-column__item--selected'))"
        )
        if texts[at] == text:
            return
        step = max(-2, min(2, texts.index(text) - at))
        items.nth(at + step).click()
        expect(items.nth(at + step)).to_have_class(SELECTED)


def pick_date(page: Page, test_id: str, day: date) -> None:
    """Set the date field ``test_id`` to ``day`` through its picker."""
    field(page, test_id).click()
    sheet = page.get_by_test_id(f"{test_id}-picker")
    columns = sheet.locator(".van-picker-column")
    expect(columns).to_have_count(3)
    for i, text in enumerate((f"{day.year}", f"{day.month:02d}", f"{day.day:02d}")):
        _turn_to(columns.nth(i), text)
    sheet.get_by_role("button", name="确认").click()
    expect(field(page, test_id)).to_have_value(day.isoformat())
    expect(sheet).to_be_hidden()
