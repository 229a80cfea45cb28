"""Volunteer sign-ups in a real browser: an organizer builds and publishes a sign-up form, a
visitor on a phone signs up through it (a field error first), the worker finishes the sign-up,
and the organizer reaches the new volunteer and watches the live dashboard. The embeddable
form and the post-donation ask are rendered too.

Every page is shot at desktop and phone widths into test-artifacts/screenshots/signups-*.png.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DURHAM_ZIP = "27701"


@dataclass
class SignupCampaign:
    organizer_username: str


@pytest.fixture
def signup_campaign(transactional_db: None, settings: Any) -> SignupCampaign:
    """North Carolina with a team per county and an organizer for the state."""
    from groundgame.organizing import services as org

    # Playwright types faster than any person, which the page's bot guard would refuse.
    settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 0
    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    for county, name in [("37063", "Durham"), ("37183", "Wake")]:
        org.org_unit_create(
            actor=None, name=f"{name} Team", kind="team", parent=triangle, counties=[county]
        )
    organizer = org.staff_create(
        actor=None, username="olu.organizer", password=PASSWORD, first_name="Olu"
    )
    org.staff_role_grant(actor=None, user=organizer, org_unit=nc, role="organizer")
    return SignupCampaign(organizer_username=organizer.get_username())


def _shoot(page: Any, folder: Path, name: str) -> None:
    """The page as it is now at both widths, then back to the width the test uses."""
    width = page.viewport_size
    for label, viewport in [("desktop", DESKTOP), ("mobile", MOBILE)]:
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"signups-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(width)


def _run_worker() -> int:
    """The worker's step, run here instead of by a worker process."""
    from groundgame.volunteers import services as volunteers_services

    return volunteers_services.signup_pending_drain()


def test_a_form_is_built_signed_up_through_and_followed_up(
    live_server: Any, signup_campaign: SignupCampaign, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    staff = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page = staff.new_page()

    # Staff: no forms yet, then a new one with its fields, questions and consents.
    sign_in(page, base, signup_campaign.organizer_username)
    page.goto(f"{base}/volunteers/forms/")
    expect(page.get_by_role("heading", name="No forms yet")).to_be_visible()
    _shoot(page, screenshots, "forms-empty")
    page.get_by_role("link", name="New form").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New sign-up form")
    _shoot(page, screenshots, "form-new")

    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    _shoot(page, screenshots, "form-new-error")

    page.get_by_label("Title").fill("Weekend of action")
    page.get_by_label("Feeds").select_option(label="North Carolina")
    page.get_by_label("Intro").fill("Knock doors with neighbours in your county this weekend.")
    page.get_by_label("Phone").select_option("required")
    page.get_by_label("ZIP code").select_option("required")
    page.get_by_label("Questions").fill("Shirt size: S, M, L *\nCan you drive?")
    consents = page.get_by_role("group", name="Consent checkboxes")
    consents.get_by_label("Events and trainings").uncheck()
    consents.get_by_label("How, when and where to vote").check()
    page.get_by_label("Source").fill("web")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".messages")).to_contain_text("Created the draft")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    _shoot(page, screenshots, "form-draft")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied")).to_be_visible()
    public_url = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"{re.escape(base)}/f/weekend-of-action/", public_url)
    embed_code = page.locator("#embed-code").inner_text()
    _shoot(page, screenshots, "form-published")

    page.goto(f"{base}/volunteers/forms/")
    expect(page.get_by_role("row", name=re.compile("Weekend of action"))).to_contain_text(
        "Published"
    )
    _shoot(page, screenshots, "forms")

    # A visitor on a phone: one mistake, then a sign-up.
    visitor = browser.new_context(viewport=MOBILE)
    phone = visitor.new_page()
    try:
        phone.goto(public_url)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Weekend of action")
        _shoot(phone, screenshots, "public")
        phone.get_by_label("First name").fill("Maya")
        phone.get_by_label("Last name").fill("Lopez")
        phone.get_by_label("Email").fill("maya.lopez@")
        phone.get_by_label("Mobile phone").fill("919-555-0123")
        phone.get_by_label("ZIP code").fill(DURHAM_ZIP)
        phone.get_by_label("Shirt size").select_option("M")
        phone.get_by_role("group", name="Can you drive?").get_by_label("Yes").check()
        phone.get_by_label("Volunteer opportunities near me").check()
        phone.get_by_role("button", name="Sign me up").click()

        email = phone.get_by_label("Email")
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(phone.locator("#id_email_error")).to_be_visible()
        summary = phone.get_by_role("alert")
        expect(summary).to_contain_text("Please check one field")
        expect(summary.get_by_role("link", name=re.compile("^Email"))).to_be_visible()
        expect(phone.get_by_label("First name")).to_have_value("Maya")
        expect(phone.get_by_label("Shirt size")).to_have_value("M")
        _shoot(phone, screenshots, "public-error")

        summary.get_by_role("link", name=re.compile("^Email")).click()
        expect(email).to_be_focused()
        email.fill("maya.lopez@example.org")
        phone.get_by_role("button", name="Sign me up").click()
        expect(phone.get_by_role("heading", name="Thank you, Maya!")).to_be_visible()
        expect(phone.get_by_label(re.compile("share your link"))).to_have_value(
            re.compile(r"/f/weekend-of-action/\?ref=")
        )
        _shoot(phone, screenshots, "thanks")

        # The embeddable form, framed by another page the way the embed code frames it.
        phone.goto(public_url + "embed/")
        expect(phone.get_by_role("button", name="Sign me up")).to_be_visible()
        _shoot(phone, screenshots, "embed")
        phone.set_content(f"<!doctype html><title>Host site</title><h1>Our group</h1>{embed_code}")
        frame = phone.frame_locator("iframe")
        expect(frame.get_by_role("heading", name="Weekend of action")).to_be_visible()
        expect(frame.get_by_label("First name")).to_be_visible()
        _shoot(phone, screenshots, "embed-framed")

        # After a donation: the ask, filled in from the signed link; a changed link is not.
        from groundgame.volunteers import signups as signup_rules

        token = signup_rules.prefill_token(
            {"first_name": "Dana", "last_name": "Diallo", "email": "dana@example.org"}
        )
        phone.goto(f"{base}/thanks/donation/?form=weekend-of-action&t={token}")
        expect(phone.get_by_role("heading", name="Now, will you volunteer?")).to_be_visible()
        expect(phone.get_by_label("First name")).to_have_value("Dana")
        expect(phone.get_by_label("Email")).to_have_value("dana@example.org")
        _shoot(phone, screenshots, "donation")
        phone.goto(f"{base}/thanks/donation/?form=weekend-of-action&t={token[:-2]}xx")
        expect(phone.get_by_role("status")).to_contain_text("could not read your details")
        expect(phone.get_by_label("First name")).to_have_value("")
        _shoot(phone, screenshots, "donation-tampered")
    finally:
        visitor.close()

    try:
        # Before the worker runs, the sign-up is counted and shown as pending.
        page.goto(f"{base}/volunteers/intake/")
        expect(page.locator("[data-live=pending]")).to_have_text("1")
        expect(page.locator("[data-live=total]")).to_have_text("1")
        expect(page.get_by_text("Nobody waiting in your units.")).to_be_visible()
        _shoot(page, screenshots, "dashboard-pending")

        assert _run_worker() == 1

        # The organizer's queue: the new volunteer, placed in the team of their ZIP.
        page.goto(f"{base}/volunteers/")
        volunteer = page.get_by_role("listitem").filter(has_text="Maya Lopez")
        expect(volunteer).to_contain_text("Durham Team")
        expect(volunteer).to_contain_text("web")
        expect(volunteer.get_by_role("link", name="maya.lopez@example.org")).to_be_visible()
        _shoot(page, screenshots, "queue")

        # The dashboard polls: the figures move without a reload once the worker is done.
        page.goto(f"{base}/volunteers/intake/")
        expect(page.locator("[data-live=pending]")).to_have_text("0")
        expect(page.locator("[data-live=uncontacted]")).to_have_text("1")
        by_state = page.get_by_role("table", name="By state, last hour")
        expect(by_state.get_by_role("row", name="NC 1")).to_be_visible()
        by_source = page.get_by_role("table", name="By source, last hour")
        expect(by_source.get_by_role("row", name="web 1")).to_be_visible()
        chart = page.get_by_role("img", name=re.compile("Sign-ups per minute"))
        expect(chart).to_be_visible()
        expect(page.locator("[data-live-oldest]")).to_contain_text("Maya Lopez")
        _shoot(page, screenshots, "dashboard")

        page.goto(f"{base}/volunteers/")
        volunteer = page.get_by_role("listitem").filter(has_text="Maya Lopez")
        volunteer.get_by_text("Reached", exact=True).click()
        volunteer.get_by_role("button", name="Record the call with Maya").click()
        expect(page.get_by_role("status")).to_contain_text("Maya Lopez: reached")
        expect(page.get_by_text("Nobody is due a call")).to_be_visible()
        _shoot(page, screenshots, "queue-empty")

        page.goto(f"{base}/volunteers/intake/")
        expect(page.locator("[data-live=uncontacted]")).to_have_text("0")
        expect(page.locator("[data-live=last_hour]")).to_have_text("1")
        _shoot(page, screenshots, "dashboard-contacted")
    finally:
        staff.close()
