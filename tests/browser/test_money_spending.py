"""The treasurer's pages in a real browser: a TV reservation recorded on the budget page,
a payment against it, where the money went drawn as charts, and the cash-flow forecast
raising its alert once a floor is set. Full-page screenshots land with the others."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def treasurer(transactional_db: None) -> str:
    from groundgame.organizing import services as org

    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    user = org.staff_create(actor=None, username="tess.treasurer", password=PASSWORD)
    org.staff_role_grant(actor=None, user=user, org_unit=national, role="finance")
    return user.get_username()


def test_a_reservation_is_recorded_paid_and_forecast(
    live_server: Any, treasurer: str, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    sign_in(page, base, treasurer)
    page.goto(f"{base}/money/budget/")
    form = page.locator("form", has=page.locator("input[value=commitment]"))
    form.get_by_label("Kind").select_option("tv_reservation")
    form.get_by_label("Title").fill("Fall flight, Philadelphia")
    form.get_by_label("Vendor").fill("Keystone Broadcasting")
    form.get_by_label("Category").select_option("media_tv")
    form.get_by_label("Starts (flight, term, issued)").fill(monday.isoformat())
    form.get_by_label("Ends (flight, term, due)").fill((monday + dt.timedelta(weeks=7)).isoformat())
    form.get_by_label("TV: each week ($)").fill("120,000")
    form.get_by_label("TV: days' notice to cancel a week").fill("14")
    form.get_by_role("button", name="Record commitment").click()
    expect(page.locator("#commitments-table")).to_contain_text("$960,000.00")

    paid = page.locator("form", has=page.locator("input[value=disbursement]"))
    paid.get_by_label("Vendor").fill("Keystone Broadcasting")
    paid.get_by_label("Paid on").fill(monday.isoformat())
    paid.get_by_label("Amount ($)").fill("120000")
    paid.get_by_label("Category").select_option("media_tv")
    paid.get_by_label("Purpose").fill("TV airtime")
    paid.get_by_label("Commitment").select_option(label="Fall flight, Philadelphia")
    paid.get_by_role("button", name="Record").click()
    expect(page.locator("#disbursements-table")).to_contain_text("$120,000.00")
    page.screenshot(path=str(screenshots / "money-budget.png"), full_page=True)

    page.goto(f"{base}/money/spending/")
    expect(page.locator("#category-table")).to_contain_text("$960,000.00")
    expect(page.locator("svg.chart-bar").first).to_be_visible()
    page.screenshot(path=str(screenshots / "money-spending.png"), full_page=True)

    page.goto(f"{base}/money/cashflow/")
    expect(page.locator("#cash-on-hand")).to_have_text("-$120,000.00")
    settings = page.locator("form", has=page.locator("input[value=settings]"))
    settings.get_by_label("Floor ($): warn before cash falls below").fill("50,000")
    settings.get_by_label("Warn this many days ahead").fill("30")
    settings.get_by_role("button", name="Save").click()
    expect(page.locator("#cash-alerts")).to_contain_text("fall below zero")
    expect(page.locator("svg.chart-line polygon.chart-band")).to_have_count(1)
    page.screenshot(path=str(screenshots / "money-cashflow.png"), full_page=True)
