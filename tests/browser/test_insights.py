"""The election desk in Chromium: a team's organizer sees the projection for their counties,
and the results charts, on pages the Content-Security-Policy lets through untouched.

Full-page screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import MOBILE, sign_in
from tests.conftest import PASSWORD
from tests.insights.election_files import write_files

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def desk(transactional_db: None, campaign: Any, make_staff: Any, tmp_path: Path) -> Any:
    from groundgame.insights import selectors, services

    services.election_files_load(actor=None, data_dir=write_files(tmp_path / "elections"))
    services.early_votes_import(
        actor=None,
        year=selectors.election_year(),
        text="county_fips,early_ballots\n37063,150000\n37183,520000\n37081,240000\n",
    )
    return make_staff("dana.durham", role="organizer", unit=campaign.durham)


def test_a_team_organizer_sees_their_counties_and_the_results(
    desk: Any, live_server: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, "dana.durham", PASSWORD)
    page.goto(f"{base}/insights/turnout/")
    mine = page.locator("#your-counties")
    expect(mine.get_by_role("heading", name="Your counties")).to_be_visible()
    expect(mine.locator('tr[data-fips="37063"]')).to_contain_text("Durham")
    expect(mine.locator('tr[data-fips="37183"]')).to_have_count(0)
    expect(mine.get_by_role("img", name="Projected turnout, your counties")).to_be_visible()
    expect(page.locator("#unit-projections")).to_contain_text("Triangle")
    expect(page.locator("#state-projections")).to_contain_text("NC")
    page.screenshot(path=str(screenshots / "insights-turnout-desktop.png"), full_page=True)

    page.goto(f"{base}/insights/results/")
    for name in (
        "Presidential votes by election",
        "Swing by state, 2020 to 2024",
        "Third-party votes against the winning margin, 2024",
    ):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator('tr[data-state="MI"]')).to_contain_text("yes")
    expect(page.locator("#third-party")).to_contain_text("state_president_2024_medsl.csv")
    page.screenshot(path=str(screenshots / "insights-results-desktop.png"), full_page=True)
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(screenshots / "insights-results-mobile.png"), full_page=True)
