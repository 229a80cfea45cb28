"""The universe builder in a real browser: the live count follows the filters without a page
load, and a saved universe is listed with its count and exports as CSV.

The form without JavaScript is covered by tests/people/test_universes.py. Full-page
screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, Campaign, build_campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Pennsylvania sporadic voters"
# Low-propensity Pennsylvanians who sat out 2024: what the builder is driven to below.
SPEC = {"state": ["PA"], "general_votes": [0, 1], "not_voted_in": ["2024-11-05"]}


@pytest.fixture
def browser_campaign(transactional_db: None) -> Campaign:
    """The browser campaign, its voters' turnout propensity taken from their vote history
    (as the voter-file import computes it), so that the turnout filter and chart have shape."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from groundgame.people.models import VoteHistory, VoterRecord

    built = build_campaign()
    ballots = (
        VoteHistory.objects.filter(voter=OuterRef("pk"))
        .order_by()
        .values("voter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    VoterRecord.objects.update(
        general_votes=Coalesce(Subquery(ballots), Value(0), output_field=IntegerField())
    )
    return built


def _count(spec: dict[str, Any]) -> int:
    from groundgame.people import selectors

    return selectors.universe_count(spec)


def _shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _expect_count(page: Any, people: int, *, announced: bool = True) -> None:
    from playwright.sync_api import expect

    number = page.locator("#universe-result [data-count]")
    expect(number).to_have_attribute("data-count", str(people))
    expect(number).to_have_text(f"{people:,}")
    if announced:
        # Screen readers hear a new count from one polite status line, not the whole panel.
        noun = "person" if people == 1 else "people"
        status = page.locator("[role=status][data-universe-announce]")
        expect(status).to_have_text(f"{people:,} {noun}")


def test_build_save_list_and_export(
    live_server: Any, browser_campaign: Campaign, browser: Any, screenshots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    pennsylvania = _count({"state": ["PA"]})
    sporadic = _count({"state": ["PA"], "general_votes": [0, 1]})
    expected = _count(SPEC)
    assert browser_campaign.voters > pennsylvania > sporadic > expected > 0

    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    base = live_server.url
    try:
        sign_in(page, base, browser_campaign.admin_username)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
        page.goto(f"{base}/people/universes/")
        expect(page.get_by_role("heading", name="No universes yet")).to_be_visible()
        page.get_by_role("link", name="New universe").click()
        expect(page.get_by_role("heading", name="New universe", level=1)).to_be_visible()
        _expect_count(page, browser_campaign.voters, announced=False)
        # With JavaScript the count follows the inputs: no button to press.
        expect(page.get_by_role("button", name="Update count")).to_be_hidden()

        # A page load would drop this mark: each new count below arrives without one.
        page.evaluate("window.stillTheSamePage = true")
        page.get_by_role("group", name="State").get_by_text("PA", exact=True).click()
        _expect_count(page, pennsylvania)
        turnout = page.get_by_role("group", name="Turnout")
        turnout.get_by_text("0 of last 3 generals").click()
        turnout.get_by_text("1 of last 3 generals").click()
        _expect_count(page, sporadic)
        page.get_by_role("radiogroup", name="2024 general").get_by_text("Did not vote").click()
        _expect_count(page, expected)
        assert page.evaluate("window.stillTheSamePage") is True
        # The address holds the filters, so a reload or a shared link shows the same universe.
        assert "state=PA" in page.url
        assert "election_2024-11-05=not_voted" in page.url
        expect(page.locator(".universe-used")).to_contain_text("Did not vote in")
        expect(page.get_by_role("img", name=re.compile("Turnout propensity"))).to_be_visible()

        # Keyboard: a chip takes focus and a space toggles it, like the checkbox it is.
        page.get_by_role("checkbox", name="2 of last 3 generals").focus()
        page.keyboard.press("Space")
        _expect_count(page, _count({**SPEC, "general_votes": [0, 1, 2]}))
        page.keyboard.press("Space")
        _expect_count(page, expected)
        # From the top, where the count panel sits beside the filters rather than stuck below.
        page.evaluate("window.scrollTo(0, 0)")
        _shoot(page, screenshots, "universe-builder-desktop")

        page.get_by_label("Name", exact=True).fill(NAME)
        page.get_by_label(re.compile("^Description")).fill("Sat out 2024; door-knock first.")
        page.get_by_role("button", name="Save universe").click()
        expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
        expect(page.get_by_text(f"Saved “{NAME}”: {expected:,} people.")).to_be_visible()
        _expect_count(page, expected, announced=False)

        page.get_by_role("link", name="Universes", exact=True).first.click()
        row = page.get_by_role("row", name=re.compile(NAME))
        expect(row).to_contain_text(f"{expected:,}")
        expect(row).to_contain_text("by ada.admin")
        _shoot(page, screenshots, "universe-list-desktop")

        with page.expect_download() as downloading:
            row.get_by_role("link", name="Export CSV").click()
        download = downloading.value
        assert re.fullmatch(r"universe-\d+-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        with saved.open(newline="", encoding="utf-8") as exported:
            rows = list(csv.DictReader(exported))
        assert len(rows) == expected
        assert {r["voter_state"] for r in rows} == {"PA"}
        assert {r["general_votes"] for r in rows} <= {"0", "1"}
        assert all(r["first_name"] and r["state_voter_id"].startswith("PA") for r in rows)
    finally:
        context.close()


def test_the_builder_on_a_phone(
    live_server: Any, browser_campaign: Campaign, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.people import services

    expected = _count(SPEC)
    universe = services.universe_save(actor=None, name=NAME, filters=SPEC)
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    base = live_server.url
    try:
        sign_in(page, base, browser_campaign.admin_username)
        page.goto(f"{base}/people/universes/")
        expect(page.get_by_role("row", name=re.compile(NAME))).to_contain_text(f"{expected:,}")
        _shoot(page, screenshots, "universe-list-mobile")

        page.get_by_role("link", name=NAME).click()
        expect(page).to_have_url(f"{base}/people/universes/{universe.pk}/")
        _expect_count(page, expected, announced=False)
        # The count stays in view at the foot of the screen while the filters scroll.
        bar = page.locator("[data-universe-bar]")
        expect(bar).to_be_visible()
        expect(bar).to_contain_text(f"{expected:,} people")
        page.get_by_role("group", name="Party").get_by_text("Democratic").click()
        with_party = _count({**SPEC, "party": ["DEM"]})
        _expect_count(page, with_party)
        expect(bar).to_contain_text(f"{with_party:,}")
        _shoot(page, screenshots, "universe-builder-mobile")
    finally:
        context.close()
