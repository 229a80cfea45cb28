"""A campaign's own questions, from the script page to the door to the numbers, in Chromium:
an organizer starts a new version of the team's door script and writes a scale question and a
choice question on its page; the chair approves it, reading the questions with the text; a
canvasser downloads the walk list, loses the connection, answers the questions at two doors,
and syncs when back online; the reporting page counts the answers for the team and the state.

Screenshots go to test-artifacts/screenshots/survey-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    DESKTOP,
    MOBILE,
    PASSWORD,
    offline_for_service_worker,
    sign_in,
    wait_for_service_worker,
)
from tests.field.builders import Canvass, build_walk_list

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCALE = "How excited are you to vote this year?"
CHOICE = "How will you cast your ballot?"


@pytest.fixture
def canvass(transactional_db: None) -> Canvass:
    from groundgame.organizing import services as org

    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    durham = org.org_unit_create(
        actor=None, name="Durham Team", kind="team", parent=triangle, counties=["37063"]
    )
    for username, role, unit in (
        ("olga.organizer", "organizer", durham),
        ("carl.chair", "admin", national),
    ):
        user = org.staff_create(actor=None, username=username, password=PASSWORD)
        org.staff_role_grant(actor=None, user=user, org_unit=unit, role=role)
    return build_walk_list(team=durham, code="SURVEY42", doors=4)


def _add_question(page: Any, prompt: str, kind: str, **fields: str) -> None:
    from playwright.sync_api import expect

    adding = page.locator("details.question-add")
    if adding.get_attribute("open") is None:
        adding.locator("summary").click()
    form = adding.locator("form")
    form.get_by_label("Question", exact=True).fill(prompt)
    form.get_by_label("Answer", exact=True).select_option(label=kind)
    for label, value in fields.items():
        form.get_by_label(label.replace("_", " "), exact=True).fill(value)
    form.get_by_role("button", name="Add question").click()
    expect(page.locator(".notice-success")).to_contain_text("Questions saved")


def _answer(page: Any, door: int, scale: str, choice: str) -> None:
    from playwright.sync_api import expect

    page.locator("ol.doors > li").nth(door - 1).get_by_role("link").click()
    page.get_by_role("radio", name="Talked", exact=True).check()
    page.get_by_role("group", name=SCALE).get_by_role("radio", name=scale).check()
    page.get_by_role("group", name=CHOICE).get_by_role("radio", name=choice).check()
    page.get_by_role("button", name="Save result").click()
    expect(page.locator(".notice-success")).to_contain_text("Saved on this phone")


def test_questions_written_on_a_script_are_answered_offline_and_counted(
    live_server: Any, canvass: Canvass, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.field.models import CanvassAnswer

    base = live_server.url
    item_url = f"{base}/content/{canvass.walk_list.script_id}/"

    # The organizer starts version 2 of the team's script and writes its questions.
    desk = browser.new_context(viewport=DESKTOP)
    author = desk.new_page()
    sign_in(author, base, "olga.organizer")
    author.goto(item_url)
    author.get_by_label("Text").fill("Hi, I'm a volunteer with the campaign. Two questions today.")
    author.get_by_role("button", name="Save draft").click()
    expect(author.get_by_role("heading", name="Version 2 Draft")).to_be_visible()
    # It starts from version 1's questions: the campaign's issues.
    expect(author.locator(".question-list li[data-question=issues]")).to_be_visible()

    # A scale upside down is refused next to its field, and nothing is added.
    adding = author.locator("details.question-add")
    adding.locator("summary").click()
    form = adding.locator("form")
    form.get_by_label("Question", exact=True).fill(SCALE)
    form.get_by_label("Answer", exact=True).select_option(label="Scale")
    form.get_by_label("Scale from", exact=True).fill("5")
    form.get_by_label("to", exact=True).fill("1")
    form.get_by_role("button", name="Add question").click()
    expect(author.locator(".field-error")).to_contain_text("the top of the scale must be above")
    author.locator("details.question-add").screenshot(
        path=str(screenshots / "survey-question-refused.png")
    )

    _add_question(
        author,
        SCALE,
        "Scale",
        Key="enthusiasm",
        Scale_from="1",
        to="5",
        Label_of_the_bottom="Not at all",
        Label_of_the_top="Very",
    )
    _add_question(
        author,
        CHOICE,
        "One choice",
        Key="ballot",
        **{"Options (choices)": "early | Early, in person\nmail | By mail\nday | On Election Day"},
    )
    # The issues go last: the two new questions come first at the door.
    issues = author.locator(".question-list li[data-question=issues]")
    issues.get_by_role("button", name="Down").click()
    issues = author.locator(".question-list li[data-question=issues]")
    issues.get_by_role("button", name="Down").click()
    keys = author.locator(".question-list > li[data-question]").evaluate_all(
        "items => items.map((li) => li.dataset.question)"
    )
    assert keys == ["enthusiasm", "ballot", "issues"]
    author.locator("#edit-heading").scroll_into_view_if_needed()
    author.screenshot(path=str(screenshots / "survey-script-editor.png"), full_page=True)
    author.get_by_role("button", name="Submit for approval").first.click()
    expect(author.locator(".notice-success")).to_contain_text("Submitted")
    expect(author.locator("details.question-add")).to_have_count(0)

    # The chair reads the questions with the text and approves.
    chair = desk.new_page()
    sign_in(chair, base, "carl.chair")
    chair.goto(item_url)
    pending = chair.locator("section.card", has=chair.get_by_role("heading", name="Version 2"))
    expect(pending.get_by_text(SCALE)).to_be_visible()
    expect(pending.get_by_text("1 (Not at all) to 5 (Very)")).to_be_visible()
    expect(pending.get_by_text("Early, in person")).to_be_visible()
    chair.screenshot(path=str(screenshots / "survey-approver.png"), full_page=True)
    pending.get_by_role("button", name="Approve").click()
    expect(chair.locator(".notice-success")).to_contain_text("Approved")

    # The canvasser downloads the list with the approved questions, then loses the signal.
    phone_context = browser.new_context(
        viewport=MOBILE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    phone = phone_context.new_page()
    phone.goto(f"{base}/canvass/?list=SURVEY42")
    expect(phone.locator("ol.doors > li")).to_have_count(4)
    wait_for_service_worker(phone)
    phone_context.route("**/*", offline_for_service_worker)
    phone_context.set_offline(True)
    expect(phone.locator("#offline-banner")).to_contain_text("You are offline")

    phone.locator("ol.doors > li").nth(0).get_by_role("link").click()
    phone.get_by_role("radio", name="Talked", exact=True).check()
    expect(phone.get_by_role("group", name=SCALE)).to_be_visible()
    phone.get_by_role("group", name=SCALE).get_by_role("radio", name="4").check()
    phone.get_by_role("group", name=CHOICE).get_by_role("radio", name="By mail").check()
    phone.get_by_role("checkbox", name="Housing").check()
    phone.get_by_role("group", name=SCALE).scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshots / "survey-phone.png"))
    phone.get_by_role("button", name="Save result").click()
    expect(phone.locator(".notice-success")).to_contain_text("Saved on this phone")
    _answer(phone, 2, "5 · Very", "By mail")
    _answer(phone, 3, "1 · Not at all", "Early, in person")
    expect(phone.locator("#sync-status")).to_have_text("3 waiting to sync")
    assert not CanvassAnswer.objects.exists()

    phone_context.unroute("**/*", offline_for_service_worker)
    phone_context.set_offline(False)
    expect(phone.locator("#sync-status")).to_have_text("All synced · 0 waiting", timeout=20_000)
    stored = CanvassAnswer.objects.order_by("result__recorded_at", "question", "position")
    assert [(a.question, a.option, a.number) for a in stored] == [
        ("ballot", "mail", None),
        ("enthusiasm", "", 4),
        ("issues", "housing", None),
        ("ballot", "mail", None),
        ("enthusiasm", "", 5),
        ("ballot", "early", None),
        ("enthusiasm", "", 1),
    ]
    phone_context.close()

    # The reporting page counts them for the state, with the team's column.
    state = canvass.team.parent.parent
    report = desk.new_page()
    sign_in(report, base, "carl.chair")
    report.goto(f"{base}/field/reporting/?unit={state.pk}&days=7")
    report.get_by_label("Script").select_option(label="Durham doors, October")
    report.get_by_role("button", name="Show").click()
    ballot = report.locator("section.answer-question[data-question=ballot]")
    expect(ballot).to_contain_text("answered in 3 conversations under North Carolina")
    expect(ballot.get_by_role("row", name="By mail 2 2")).to_be_visible()
    expect(ballot.get_by_role("row", name="Early, in person 1 1")).to_be_visible()
    expect(ballot.locator(".chart")).to_be_visible()
    enthusiasm = report.locator("section.answer-question[data-question=enthusiasm]")
    expect(enthusiasm.get_by_role("row", name="5 (Very) 1 1")).to_be_visible()
    enthusiasm.scroll_into_view_if_needed()
    report.locator("#answers-heading").scroll_into_view_if_needed()
    report.screenshot(path=str(screenshots / "survey-reporting.png"), full_page=True)
    desk.close()
