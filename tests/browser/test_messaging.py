"""Mailings in a real browser: compose with the preview following the typing (and naming a
typo's line), step through recipients, schedule, and watch the mailing page turn to sent by
itself; a person's consent card; the unsubscribe page on a phone.

The pages without JavaScript are covered by tests/messaging/test_pages.py and
tests/consent/test_pages.py. Full-page screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, Campaign, build_campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser_campaign(transactional_db: None, settings: Any) -> Campaign:
    """The browser campaign; Pennsylvanians subscribed to volunteering email (all but one),
    and to fundraising email (every other one)."""
    from groundgame.consent import services as consent
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    built = build_campaign()
    pennsylvania = people.universe_save(
        actor=None, name="Pennsylvania volunteers", filters={"state": ["PA"]}
    )
    ids = list(people_selectors.universe_people(pennsylvania.filters).values_list("pk", flat=True))
    for n, person_id in enumerate(sorted(ids)[1:]):
        topics = ["volunteering", "fundraising"] if n % 2 == 0 else ["volunteering"]
        consent.subscription_join(
            person_id=person_id, channel="email", topic_keys=topics, source="signup_form:1"
        )
    built.extra.update(universe_id=pennsylvania.pk, subscribed=len(ids) - 1, skipped=min(ids))
    return built


def _shoot(page: Any, folder: Path, name: str) -> None:
    """The page at desktop and phone widths."""
    size = page.viewport_size
    # From the top, so that the sticky preview sits where a reader first sees it.
    page.evaluate("window.scrollTo(0, 0)")
    for label, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(viewport)
        # The email preview is a frame of its own: let it paint at the new width.
        page.wait_for_timeout(300)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def _first_recipient() -> tuple[str, str]:
    """The first name and email of the first person the preview shows (lowest id reachable)."""
    from groundgame.consent import selectors as consent_selectors
    from groundgame.people import selectors as people_selectors

    topic = consent_selectors.topic_get("volunteering")
    audience = people_selectors.universe_people({"state": ["PA"]})
    person = consent_selectors.reachable(audience, channel="email", topic=topic).order_by("pk")[0]
    return person.first_name, person.email


def test_compose_preview_schedule_and_watch_it_send(
    live_server: Any, browser_campaign: Campaign, page: Any, screenshots: Path
) -> None:
    from django.core import mail
    from playwright.sync_api import expect

    from groundgame.messaging import services as messaging
    from groundgame.messaging.models import Mailing

    base = live_server.url
    sign_in(page, base, browser_campaign.admin_username)
    page.get_by_role("link", name="Messaging").first.click()
    expect(page.get_by_role("heading", name="Mailings", level=1)).to_be_visible()
    page.get_by_role("link", name="New mailing").first.click()

    page.get_by_label("Name").fill("Canvass kickoff")
    page.get_by_label("Topic").select_option("volunteering")
    page.get_by_label("Universe").select_option(str(browser_campaign.extra["universe_id"]))
    page.get_by_label("Subject").fill("{{ first_name }}, are you in for Saturday?")
    body = page.locator("textarea#id_body")
    body.press_sequentially("Hi {{ first_name }}, we knock doors Saturday.", delay=5)

    first_name, email = _first_recipient()
    mail_frame = page.frame_locator("iframe.mail-frame")
    expect(mail_frame.locator("body")).to_contain_text(f"Hi {first_name}, we knock doors Saturday.")
    expect(page.locator("[data-preview-subject]")).to_have_text(
        f"{first_name}, are you in for Saturday?"
    )
    expect(page.locator("[data-preview]")).to_contain_text(email)
    expect(mail_frame.locator("body")).to_contain_text("Choose what you hear about")

    # As the body changes, so does the preview, without a page load.
    body.press_sequentially(" Bring water, {{ frist_name }}!", delay=5)
    problem = page.get_by_role("alert").filter(has_text="unknown field 'frist_name'")
    expect(problem).to_contain_text("Line 1")
    expect(body).to_have_attribute("aria-invalid", "true")
    for _ in range(len("{{ frist_name }}!")):
        body.press("Backspace")
    body.press_sequentially("friend!", delay=5)
    expect(mail_frame.locator("body")).to_contain_text("Bring water, friend!")
    expect(body).not_to_have_attribute("aria-invalid", "true")

    # The field buttons insert a tag where the cursor is.
    page.get_by_role("button", name="city").click()
    expect(body).to_have_value(
        "Hi {{ first_name }}, we knock doors Saturday. Bring water, friend!{{ city }}"
    )
    body.press("Backspace")
    for _ in range(len("{{ city }")):
        body.press("Backspace")

    # Next recipient: another name in the same message.
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("[data-preview]")).to_contain_text("Recipient 2 of the first")
    expect(page.locator("[data-preview-name]")).not_to_have_text(f"{first_name} ", timeout=5000)
    page.get_by_role("button", name="← Previous").click()
    expect(page.locator("[data-preview]")).to_contain_text("Recipient 1 of the first")
    _shoot(page, screenshots, "mailing-compose")

    # A text instead: no subject, and the footer names the organization and STOP.
    page.get_by_label("Text message").check()
    expect(page.get_by_label("Subject")).to_be_hidden()
    expect(page.locator("[data-preview]")).to_contain_text("segment")
    page.get_by_label("Email", exact=True).check()
    expect(page.get_by_label("Subject")).to_be_visible()

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved “Canvass kickoff”")).to_be_visible()
    mailing = Mailing.objects.get(name="Canvass kickoff")
    _shoot(page, screenshots, "mailing-draft")
    assert mailing.body == "Hi {{ first_name }}, we knock doors Saturday. Bring water, friend!"

    # A test to the staff member's own address.
    page.get_by_label("Your email address").fill("ada@campaign.example")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Test sent to ada@campaign.example.")).to_be_visible()
    assert [m.subject for m in mail.outbox] == ["[TEST] Test, are you in for Saturday?"]

    page.get_by_label("Send now").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Sending now")).to_be_visible()
    expect(page.locator("[data-mailing-status]")).to_have_text("Scheduled")

    # The worker's step, run here; the page follows by itself.
    result = messaging.mailing_fan_out(mailing_id=mailing.pk)
    assert result is not None
    assert result.queued == browser_campaign.extra["subscribed"]
    messaging.sends_deliver(channel="email")
    expect(page.locator("[data-mailing-status]")).to_have_text("Sent", timeout=15000)
    expect(page.locator(".send-row-sent td")).to_have_text(str(result.queued))
    expect(page.get_by_text(f"{result.queued} of {result.queued} done")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel mailing")).to_have_count(0)
    assert len(mail.outbox) == 1 + result.queued
    # The page loaded itself again once sent: its preview shows the first recipient.
    expect(page.frame_locator("iframe.mail-frame").locator("body")).to_contain_text(
        f"Hi {first_name}, we knock doors Saturday."
    )
    _shoot(page, screenshots, "mailing-detail")

    page.get_by_role("link", name="Mailings").first.click()
    row = page.get_by_role("row").filter(has_text="Canvass kickoff")
    expect(row).to_contain_text("Sent")
    _shoot(page, screenshots, "mailing-list")
    page.get_by_role("link", name="Contact caps").click()
    expect(page.get_by_role("heading", name="Contact caps", level=1)).to_be_visible()
    _shoot(page, screenshots, "contact-caps")
    page.goto(f"{base}/consent/topics/")
    _shoot(page, screenshots, "topics")


def test_person_consent_card_and_unsubscribe_page_on_a_phone(
    live_server: Any, browser_campaign: Campaign, page: Any, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.consent import selectors as consent_selectors
    from groundgame.consent import services as consent

    base = live_server.url
    person_id = browser_campaign.person_id
    consent.subscription_join(
        person_id=person_id,
        channel="email",
        topic_keys=["fundraising", "volunteering"],
        source="signup_form:1",
    )
    sign_in(page, base, browser_campaign.admin_username)
    page.goto(f"{base}/people/{person_id}/#consent")
    card = page.locator("#consent")
    expect(card.get_by_role("heading", name="Consent")).to_be_visible()
    card.get_by_label("Text message, Voting information").select_option("subscribed")
    card.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Saved 1 change of subscription.")).to_be_visible()
    expect(page.locator("#consent")).to_contain_text("via staff by ada.admin")
    _shoot(page, screenshots, "person-consent")

    phone = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    try:
        visitor = phone.new_page()
        url = consent_selectors.unsubscribe_url(
            person_id=person_id, channel="email", topic_key="fundraising"
        )
        visitor.goto(base + url[url.index("/u/") :])
        expect(visitor.get_by_role("heading", name="Choose what you hear about")).to_be_visible()
        # Nothing sideways on a phone.
        width = visitor.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"]
        visitor.screenshot(path=str(screenshots / "unsubscribe-mobile.png"), full_page=True)
        visitor.get_by_label("Fundraising").uncheck()
        visitor.get_by_role("button", name="Save my choices").click()
        expect(visitor.get_by_role("status")).to_contain_text("Saved.")
        expect(visitor.get_by_label("Volunteering")).to_be_checked()
        visitor.screenshot(path=str(screenshots / "unsubscribe-saved-mobile.png"), full_page=True)
    finally:
        phone.close()
    assert consent_selectors.subscribed_topic_keys(person_id=person_id, channel="email") == {
        "volunteering"
    }
