"""The event pages in a real browser, at phone and desktop widths: a visitor finds an event by
ZIP code, RSVPs and cancels without an account, a volunteer proposes an event, and an
organizer approves it and marks attendance.

Full-page screenshots land in test-artifacts/screenshots/events-*.png for review.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DURHAM_ZIP = "27701"
RALEIGH_ZIP = "27601"  # about 23 miles east of Durham
CHAPEL_HILL_ZIP = "27514"  # about 10 miles south-west
GREENSBORO_ZIP = "27401"  # about 50 miles west: outside a 25-mile search


@dataclass
class EventsCampaign:
    organizer_username: str
    canvass_slug: str
    canvass_id: int
    full_slug: str


def _build(*, now: dt.datetime) -> EventsCampaign:
    """North Carolina with a team per county and events around Durham, through the services."""
    from groundgame.events import services as events_services
    from groundgame.organizing import services as org

    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    teams = {
        county: org.org_unit_create(
            actor=None, name=f"{name} Team", kind="team", parent=triangle, counties=[county]
        )
        for county, name in [
            ("37063", "Durham"),
            ("37183", "Wake"),
            ("37135", "Orange"),
            ("37081", "Guilford"),
        ]
    }
    organizer = org.staff_create(
        actor=None,
        username="olu.organizer",
        password=PASSWORD,
        first_name="Olu",
        last_name="Okafor",
    )
    org.staff_role_grant(actor=None, user=organizer, org_unit=nc, role="organizer")

    def event(unit: Any, days: int, hour: int, capacity: int, **fields: Any) -> Any:
        day = (now + dt.timedelta(days=days)).date()
        starts = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
        return events_services.event_create(
            actor=organizer,
            org_unit=unit,
            shifts=[events_services.ShiftSpec(starts, starts + dt.timedelta(hours=3), capacity)],
            **fields,
        )

    canvass = event(
        teams["37063"],
        4,
        14,
        12,
        title="Saturday canvass in East Durham",
        kind="canvass",
        venue="Holton Career Center",
        address="401 N Driver St",
        zip5=DURHAM_ZIP,
        description="We knock doors in pairs. Bring water and comfortable shoes; we bring "
        "clipboards, maps and snacks.",
    )
    first = canvass.shifts.get()
    events_services.shift_add(
        actor=organizer,
        event_id=canvass.pk,
        starts_at=first.starts_at + dt.timedelta(days=1),
        ends_at=first.ends_at + dt.timedelta(days=1),
        capacity=12,
    )
    event(
        teams["37183"],
        5,
        22,
        20,
        title="Raleigh phone bank",
        kind="phone_bank",
        venue="Union hall",
        address="123 Fayetteville St",
        zip5=RALEIGH_ZIP,
    )
    full = event(
        teams["37135"],
        6,
        15,
        1,
        title="Chapel Hill voter registration",
        kind="voter_reg",
        venue="Franklin St steps",
        zip5=CHAPEL_HILL_ZIP,
    )
    for first, last in [("Rosa", "Reyes"), ("Caleb", "Quinn")]:
        events_services.rsvp_create(
            actor=None,
            shift_id=full.shifts.get().pk,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@example.org".lower(),
        )
    event(
        teams["37063"], 7, 23, 100, title="New volunteer training", kind="training", is_virtual=True
    )
    event(
        teams["37081"],
        4,
        14,
        10,
        title="Greensboro canvass",
        kind="canvass",
        venue="Center City Park",
        zip5=GREENSBORO_ZIP,
    )
    return EventsCampaign(
        organizer_username=organizer.get_username(),
        canvass_slug=canvass.slug,
        canvass_id=canvass.pk,
        full_slug=full.slug,
    )


@pytest.fixture
def events_campaign(transactional_db: None) -> EventsCampaign:
    from django.utils import timezone

    return _build(now=timezone.now())


def _shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"events-{name}.png"), full_page=True)


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)])
def test_visitor_finds_rsvps_and_cancels_then_staff_approve_and_mark(
    live_server: Any,
    events_campaign: EventsCampaign,
    browser: Any,
    screenshots: Path,
    label: str,
    viewport: dict[str, int],
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    visitor = browser.new_context(viewport=viewport)
    page = visitor.new_page()
    try:
        # The events page before a search: every upcoming event, no map.
        page.goto(f"{base}/events/")
        expect(page.get_by_role("heading", name="Find an event near you")).to_be_visible()
        expect(page.get_by_role("img", name=re.compile("Map of"))).to_have_count(0)
        _shoot(page, screenshots, f"search-{label}")

        # A bad ZIP is a field error.
        page.get_by_label("ZIP code").fill("2770")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#id_zip_error")).to_contain_text("5-digit")
        expect(page.get_by_label("ZIP code")).to_have_attribute("aria-invalid", "true")
        _shoot(page, screenshots, f"search-error-{label}")

        # By ZIP: nearest first, online after, Greensboro outside the 25 miles.
        page.get_by_label("ZIP code").fill(DURHAM_ZIP)
        page.get_by_role("button", name="Search").click()
        results = page.locator(".event-list > li")
        expect(results).to_have_count(4)
        expect(results.nth(0)).to_contain_text("East Durham")
        expect(results.nth(1)).to_contain_text("Chapel Hill")
        expect(results.nth(2)).to_contain_text("Raleigh")
        expect(results.nth(3)).to_contain_text("Online")
        expect(page.locator("main")).not_to_contain_text("Greensboro")
        expect(results.nth(1)).to_contain_text("Full: wait list open")
        map_ = page.get_by_role("img", name=re.compile("Map of 3 in-person events"))
        expect(map_).to_be_visible()
        expect(map_.locator("a")).to_have_count(3)
        _shoot(page, screenshots, f"results-{label}")

        # Nothing near: the empty state offers a way on.
        page.goto(f"{base}/events/?zip=28801&radius=5&kind=canvass")
        expect(page.locator(".empty")).to_contain_text("host one yourself")
        _shoot(page, screenshots, f"results-empty-{label}")

        # The event page, then an RSVP with a bad email first.
        page.goto(f"{base}/events/?zip={DURHAM_ZIP}")
        page.get_by_role("link", name="Saturday canvass in East Durham").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Saturday canvass in East Durham")
        expect(page.get_by_role("group", name="Choose a shift")).to_be_visible()
        _shoot(page, screenshots, f"detail-{label}")

        page.get_by_role("radio").first.check()
        page.get_by_label("First name").fill("Jordan")
        page.get_by_label("Last name").fill("Lee")
        page.get_by_label("Email").fill("jordan.lee@")
        page.get_by_role("button", name="RSVP").click()
        email = page.get_by_label("Email")
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#id_email_error")).to_be_visible()
        # What was typed, and the shift chosen, survive the error.
        expect(page.get_by_label("First name")).to_have_value("Jordan")
        expect(page.get_by_role("radio").first).to_be_checked()
        _shoot(page, screenshots, f"rsvp-error-{label}")

        email.fill("jordan.lee@example.org")
        page.get_by_role("button", name="RSVP").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        _shoot(page, screenshots, f"received-{label}")

        # The link in the confirmation email asks first; confirming frees the spot.
        from groundgame.events.models import ShiftSignup

        token = ShiftSignup.objects.get(person__email="jordan.lee@example.org").cancel_token
        page.goto(f"{base}/events/cancel/{token}/")
        expect(page.get_by_role("heading", name="Cancel your RSVP?")).to_be_visible()
        _shoot(page, screenshots, f"cancel-ask-{label}")
        page.get_by_role("button", name="Cancel my RSVP").click()
        expect(page.get_by_role("heading", name="Your RSVP is cancelled")).to_be_visible()
        _shoot(page, screenshots, f"cancelled-{label}")
        page.goto(f"{base}/events/{events_campaign.canvass_slug}/")
        expect(page.locator(".shift-list li").first).to_contain_text("12 spots left")

        # A full event offers the wait list.
        page.goto(f"{base}/events/{events_campaign.full_slug}/")
        expect(page.locator(".shift-list")).to_contain_text("1 waiting")
        _shoot(page, screenshots, f"detail-full-{label}")

        # A volunteer proposes an event; a missing title is a field error first.
        page.goto(f"{base}/events/")
        page.get_by_role("link", name="Host your own event").click()
        expect(page.get_by_role("heading", name="Host an event")).to_be_visible()
        _shoot(page, screenshots, f"propose-{label}")
        day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
        page.get_by_label("Kind").select_option(label="Meeting")
        page.get_by_label("Date").fill(day)
        page.get_by_label("Starts").fill("18:30")
        page.get_by_label("Ends").fill("20:00")
        page.get_by_label("Capacity").fill("15")
        page.get_by_label("Venue (optional)").fill("Our living room")
        page.get_by_label("Street address").fill("812 Onslow St")
        page.get_by_label("ZIP code").fill(DURHAM_ZIP)
        page.get_by_label("Your first name").fill("Keisha")
        page.get_by_label("Your last name").fill("Morgan")
        page.get_by_label("Your email").fill("keisha.morgan@example.org")
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
        _shoot(page, screenshots, f"propose-error-{label}")
        page.get_by_label("Title").fill("House meeting on Onslow St")
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_role("heading", name="Thank you for offering to host")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Durham Team")
        _shoot(page, screenshots, f"proposed-{label}")
    finally:
        visitor.close()

    staff = browser.new_context(viewport=viewport)
    page = staff.new_page()
    try:
        sign_in(page, base, events_campaign.organizer_username)
        page.goto(f"{base}/events/staff/")
        expect(page.get_by_role("link", name="Proposals (1)")).to_be_visible()
        _shoot(page, screenshots, f"staff-list-{label}")

        page.get_by_role("link", name="Proposals (1)").click()
        proposal = page.get_by_role("region", name="House meeting on Onslow St")
        expect(proposal).to_contain_text("Keisha Morgan")
        _shoot(page, screenshots, f"proposals-{label}")
        proposal.get_by_role("button", name="Approve and publish").click()
        expect(page.get_by_role("status")).to_contain_text("Approved and published")
        expect(page.get_by_text("No proposals are waiting")).to_be_visible()
        _shoot(page, screenshots, f"proposals-empty-{label}")

        # The approved event is public now.
        page.goto(f"{base}/events/?zip={DURHAM_ZIP}")
        expect(page.locator(".event-list")).to_contain_text("House meeting on Onslow St")

        # The roster of the full event: mark Rosa as attended.
        page.goto(f"{base}/events/staff/")
        page.get_by_role("link", name="Chapel Hill voter registration").click()
        row = page.get_by_role("row", name=re.compile("Rosa Reyes"))
        expect(row).to_contain_text("Confirmed")
        _shoot(page, screenshots, f"roster-{label}")
        row.get_by_role("button", name="Attended").click()
        expect(page.get_by_role("status")).to_contain_text("Rosa Reyes: attended")
        attended = page.get_by_role("row", name=re.compile("Rosa Reyes")).get_by_role(
            "button", name="Attended"
        )
        expect(attended).to_have_attribute("aria-pressed", "true")
        _shoot(page, screenshots, f"roster-marked-{label}")

        # A roster with nobody on it yet.
        page.goto(f"{base}/events/staff/{events_campaign.canvass_id}/")
        expect(page.get_by_text("No RSVPs yet").first).to_be_visible()
        _shoot(page, screenshots, f"roster-empty-{label}")
    finally:
        staff.close()
