"""The election desk in a real browser: a team's organizer, with no national role, opens the
desk from the navigation, reads the polling average of the campaign's states, opens a state's
chart with its 80% band, and reads the table of every state. Screenshots land in the run's
screenshot folder for review."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import MOBILE, PASSWORD, Campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def desk_campaign(browser_campaign: Campaign) -> tuple[Campaign, str, str]:
    """The browser campaign with the demo's synthetic polls, and a team organizer."""
    from groundgame.demo.polls import synthetic_polls
    from groundgame.insights import services as insights
    from groundgame.organizing import services as org
    from groundgame.organizing.models import OrgUnit

    team = OrgUnit.objects.filter(kind="team").order_by("pk").first()
    assert team is not None
    # A path runs from the root: national, then the state.
    state = OrgUnit.objects.get(path="/".join(team.path.split("/")[:2]) + "/")
    organizer = org.staff_create(actor=None, username="tomas.team", password=PASSWORD)
    org.staff_role_grant(actor=None, user=organizer, org_unit=team, role="organizer")
    states = dict(OrgUnit.objects.filter(kind="state").values_list("state", "name"))
    content = synthetic_polls(seed=7, states=states, today=dt.date(2026, 10, 20))
    run = insights.poll_import_start(
        actor=None, filename="synthetic.csv", content=content.encode(), enqueue=False
    )
    insights.poll_import_execute(import_id=run.pk)
    return browser_campaign, organizer.get_username(), state.name


def test_a_team_organizer_reads_the_desk(
    live_server: Any, desk_campaign: tuple[Campaign, str, str], page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    _campaign, username, state_name = desk_campaign
    base = live_server.url
    sign_in(page, base, username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Election desk", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="National")).to_be_visible()
    expect(table.get_by_role("link", name=state_name)).to_be_visible()
    page.screenshot(path=str(screenshots / "election-desk.png"), full_page=True)

    table.get_by_role("link", name=state_name).click()
    expect(page.get_by_role("heading", name=state_name, level=1)).to_be_visible()
    interval = re.compile(r"80% interval [DR]\+\d+\.\d to [DR]\+\d+\.\d")
    expect(page.get_by_text(interval)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(f"Polling average in {state_name}"))
    expect(chart).to_be_visible()
    band = chart.locator(".poll-band-area")
    expect(band).to_have_count(1)
    box = band.bounding_box()
    assert box is not None
    assert box["height"] > 10
    assert box["width"] > 300
    page.screenshot(path=str(screenshots / "election-desk-state.png"), full_page=True)

    page.get_by_role("link", name="Polls", exact=True).first.click()
    expect(page.get_by_role("heading", name="All states")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(8)  # the nation and the seven states
    page.screenshot(path=str(screenshots / "election-desk-all-states.png"), full_page=True)

    page.set_viewport_size(MOBILE)
    page.reload()
    page.screenshot(path=str(screenshots / "election-desk-all-states-mobile.png"), full_page=True)
