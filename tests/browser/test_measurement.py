"""Measurement in a real browser: a program with a holdout, refused at 0%, drawn, started;
an outcome file with bad rows named row by row, then a good one, and the lift read with its
interval; the turnout model's backtest and calibration chart. No CSP violation on the way
(the ``page`` fixture). Full-page screenshots land in the screenshots folder for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Campaign, build_campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def measured_campaign(transactional_db: None, tmp_path: Path) -> Campaign:
    """The browser campaign, a generated Pennsylvania file with a fitted turnout model, and a
    universe of the file's voters."""
    from groundgame.demo.state_files import write
    from groundgame.insights import services as insights
    from groundgame.people import services as people

    built = build_campaign()
    files = write("pa", tmp_path / "pa", rows=1_500, seed=5, dirty_rate=0.0)
    people.voter_file_import(
        actor=None, layout="pa", voters=files.voters_path, history=files.history_path
    )
    insights.propensity_fit(actor=None, state="PA")
    universe = people.universe_save(actor=None, name="Pennsylvania file", filters={"state": ["PA"]})
    built.extra["universe"] = universe.pk
    built.extra["files"] = files
    return built


def _shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _voter_ids(count: int) -> list[str]:
    from groundgame.people import selectors as people_selectors

    ids = people_selectors.voter_ids_of(
        people_selectors.universe_people({"state": ["PA"]}).values_list("pk", flat=True)
    )
    return [voter for _, voter in list(ids.values())[:count]]


def test_program_holdout_outcome_and_lift(
    live_server: Any, measured_campaign: Campaign, page: Any, screenshots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, measured_campaign.admin_username)
    page.goto(f"{base}/insights/propensity/")
    expect(
        page.get_by_role("heading", name="PA: scores for the general of 3 November 2026")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Calibration", exact=False)).to_be_visible()
    _shoot(page, screenshots, "insights-propensity")

    page.goto(f"{base}/insights/programs/")
    page.get_by_label("Name", exact=True).first.fill("PA postcard")
    page.get_by_label("Universe").select_option(str(measured_campaign.extra["universe"]))
    page.get_by_label("Unit").select_option(label="National HQ")
    page.get_by_label("Households held out (%)").fill("0")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("alert")).to_contain_text("hold out between 1% and 99%")
    _shoot(page, screenshots, "insights-program-refused")
    page.get_by_label("Households held out (%)").fill("10")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name="PA postcard", level=1)).to_be_visible()
    page.get_by_label("Seed (blank: a fresh one)").fill("2024")
    page.get_by_role("button", name="Draw the holdout").click()
    expect(page.get_by_text("seed 2024")).to_be_visible()
    page.get_by_label("Channel").select_option("mail")
    page.get_by_label("Mailing number or list name").fill("PA postcard drop")
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_text("mail:PA postcard drop (mail)")).to_be_visible()
    page.get_by_role("button", name="Start the program").click()
    expect(page.get_by_text("Running")).to_be_visible()
    expect(page.get_by_role("button", name="Draw again")).to_have_count(0)

    ids = _voter_ids(120)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"state,voter_id\nPA,{ids[0]}\nPA,{ids[0]}\nPA,NOSUCHID\n")
    page.goto(f"{base}/insights/programs/")
    form = page.locator("form", has=page.get_by_role("button", name="Record outcome"))
    form.get_by_label("Name").fill("Donated in October")
    form.get_by_label("What it measures").select_option("donated")
    form.get_by_label("File (CSV with state and voter_id)").set_input_files(str(bad))
    form.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("heading", name="The outcome was not recorded")).to_be_visible()
    expect(page.get_by_role("row", name="3 PA voter")).to_contain_text("repeats row 2")
    expect(page.get_by_role("row", name="4 no PA voter")).to_contain_text("NOSUCHID")
    _shoot(page, screenshots, "insights-outcome-refused")

    good = tmp_path / "good.csv"
    good.write_text("state,voter_id\n" + "".join(f"PA,{v}\n" for v in ids))
    page.goto(f"{base}/insights/programs/")
    form = page.locator("form", has=page.get_by_role("button", name="Record outcome"))
    form.get_by_label("Name").fill("Donated in October")
    form.get_by_label("What it measures").select_option("donated")
    form.get_by_label("File (CSV with state and voter_id)").set_input_files(str(good))
    form.get_by_role("button", name="Record outcome").click()
    page.get_by_role("link", name="PA postcard").click()
    expect(page.get_by_role("heading", name="Donated in October")).to_be_visible()
    expect(page.get_by_text("95% interval", exact=False).first).to_be_visible()
    expect(page.get_by_role("img", name="Effect", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Power")).to_be_visible()
    _shoot(page, screenshots, "insights-program-lift")
