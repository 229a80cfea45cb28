"""The staff pages in a real browser: what a person signing in would see, at two widths.

Full-page screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, PASSWORD, Campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)])
def test_staff_pages(
    live_server: Any,
    browser_campaign: Campaign,
    browser: Any,
    screenshots: Path,
    label: str,
    viewport: dict[str, int],
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    base = live_server.url
    try:
        sign_in(page, base, browser_campaign.admin_username)
        expect(page).to_have_url(f"{base}/")

        # Home: the headline numbers and a chart with an accessible name.
        expect(page.get_by_role("heading", name="Campaign dashboard")).to_be_visible()
        kpis = page.locator(".kpis")
        expect(kpis).to_contain_text(f"{browser_campaign.voters:,}")
        expect(kpis).to_contain_text(f"{browser_campaign.volunteers:,}")
        expect(kpis).to_contain_text(str(browser_campaign.units))
        chart = page.get_by_role("img", name=re.compile("Ballots cast by voters on file"))
        expect(chart).to_be_visible()
        expect(page.get_by_text("Show the numbers").first).to_be_visible()
        _shoot(page, screenshots, f"home-{label}")

        # The main menu folds behind a button on a phone.
        if label == "mobile":
            menu = page.get_by_role("button", name="Menu")
            expect(menu).to_have_attribute("aria-expanded", "false")
            menu.click()
            expect(menu).to_have_attribute("aria-expanded", "true")
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Organizing"
            ).click()
        else:
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Organizing"
            ).click()

        # Organizing tree: a region inside its state, with kind badges and counts.
        expect(page.get_by_role("heading", name="Organizing hierarchy")).to_be_visible()
        expect(page.locator(".tree")).to_contain_text(browser_campaign.region_name)
        expect(page.locator(".tree .badge-region").first).to_be_visible()
        _shoot(page, screenshots, f"tree-{label}")

        # People list, then one person's record.
        page.goto(f"{base}/people/")
        expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
        showing = f"Showing 1\u201350 of {browser_campaign.voters:,}"
        expect(page.get_by_text(showing)).to_be_visible()
        _shoot(page, screenshots, f"people-{label}")

        page.get_by_role("searchbox").fill(browser_campaign.person_name)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name=browser_campaign.person_name).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(browser_campaign.person_name)
        expect(page.get_by_text("Your view of this record is logged")).to_be_visible()
        expect(page.locator(".votes")).to_contain_text("2024")
        _shoot(page, screenshots, f"person-{label}")

        # The read just made shows up in the audit log.
        page.goto(f"{base}/audit/?kind=read")
        rows = page.locator("table tbody tr")
        expect(rows.first).to_contain_text("people.person.read")
        expect(rows.first).to_contain_text(browser_campaign.admin_username)
        _shoot(page, screenshots, f"audit-{label}")

        # A bad date range is a field error with a 400, not a server error.
        response = page.goto(f"{base}/audit/?since=2024-05-01&until=2024-01-01")
        assert response is not None
        assert response.status == 400
        expect(page.locator("#id_until_error")).to_contain_text("before the start date")
        expect(page.locator("#id_until")).to_have_attribute("aria-invalid", "true")

        # The error page is friendly and shows no traceback.
        response = page.goto(f"{base}/people/999999999/")
        assert response is not None
        assert response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Traceback")
        _shoot(page, screenshots, f"error-{label}")
    finally:
        context.close()


def test_analyst_sees_aggregates_notice(
    live_server: Any, browser_campaign: Campaign, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server.url, browser_campaign.analyst_username)
    page.goto(f"{live_server.url}/people/")
    expect(page.get_by_text("Your role works with aggregates only")).to_be_visible()
    expect(page.locator("table")).to_have_count(0)
    # The audit log is for admins only.
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    _shoot(page, screenshots, "people-analyst-desktop")


def test_wrong_password_then_lockout(
    live_server: Any, browser_campaign: Campaign, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    for label, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        _shoot(page, screenshots, f"login-{label}")
        context.close()

    page = browser.new_context(viewport=DESKTOP).new_page()
    try:
        sign_in(page, live_server.url, browser_campaign.admin_username, password="not-the-password")
        error = page.locator("#id_password_error")
        expect(error).to_contain_text("do not match")
        expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
        _shoot(page, screenshots, "login-wrong-password-desktop")

        for _ in range(4):
            sign_in(page, live_server.url, browser_campaign.admin_username, password="still-wrong")
        expect(page.locator("#id_password_error")).to_be_visible()

        # The sixth attempt is refused, even with the right password.
        sign_in(page, live_server.url, browser_campaign.admin_username, password=PASSWORD)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Too many failed sign-ins")
        _shoot(page, screenshots, "login-locked-desktop")
    finally:
        page.context.close()
