"""The follow-up queue in a real browser: an organizer opens the queue, reads what a new
volunteer told the sign-up form, records a message left with a note and a call-back, sees
the volunteer leave the calls due; when the call-back comes due, records the shift they
agreed to; finds both calls in the closed entry's history; and reads the region's time to
first call on the reporting page.

Every step is shot at desktop and phone widths into test-artifacts/screenshots/queue-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tests.browser.conftest import DESKTOP, MOBILE, PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class QueueCampaign:
    organizer_username: str
    region_id: int
    follow_up_id: int
    shift_label: str


@pytest.fixture
def queue_campaign(transactional_db: None) -> QueueCampaign:
    """Durham with its organizer, a Saturday canvass, and Maya, who signed up on the team's
    form and answered its questions."""
    from groundgame.events import services as events
    from groundgame.organizing import services as org
    from groundgame.volunteers import services as volunteers
    from groundgame.volunteers.models import FollowUp

    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    durham = org.org_unit_create(
        actor=None, name="Durham Team", kind="team", parent=triangle, counties=["37063"]
    )
    organizer = org.staff_create(
        actor=None, username="olu.organizer", password=PASSWORD, first_name="Olu"
    )
    org.staff_role_grant(actor=None, user=organizer, org_unit=durham, role="organizer")
    starts = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    events.event_create(
        actor=None,
        org_unit=durham,
        title="Saturday canvass",
        kind="canvass",
        zip5="27701",
        shifts=[events.ShiftSpec(starts, starts + dt.timedelta(hours=3), 20)],
    )
    form = volunteers.signup_form_create(
        actor=None,
        title="Weekend of action",
        org_unit=nc,
        fields={"phone": "required", "zip5": "required"},
        questions=[
            {"key": "shirt", "label": "Shirt size", "kind": "choice", "choices": ["S", "M"]},
            {"key": "drive", "label": "Can you drive?", "kind": "yesno"},
            {"key": "why", "label": "Why now?", "kind": "text"},
        ],
        source="web",
    )
    volunteers.signup_form_publish(actor=None, form_id=form.pk)
    form.refresh_from_db()
    submission, _ = volunteers.signup_submit(
        form=form,
        idempotency_key=uuid.uuid4().hex,
        fields={
            "first_name": "Maya",
            "last_name": "Lopez",
            "email": "maya.lopez@example.org",
            "phone": "919-555-0123",
            "zip5": "27701",
        },
        answers={"why": "My kids' schools.", "shirt": "M", "drive": "yes"},
        consents=[],
        source="web",
    )
    volunteers.signup_pending_drain()
    zone = zoneinfo.ZoneInfo(django_settings.GROUNDGAME_TIME_ZONE)
    local = starts.astimezone(zone)
    return QueueCampaign(
        organizer_username=organizer.get_username(),
        region_id=triangle.pk,
        follow_up_id=FollowUp.objects.get(submission=submission).pk,
        shift_label=f"Saturday canvass, {local:%a %b} {local.day}, {local:%-I:%M %p}",
    )


def _shoot(page: Any, folder: Path, name: str) -> None:
    width = page.viewport_size
    for label, viewport in [("desktop", DESKTOP), ("mobile", MOBILE)]:
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"queue-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(width)


def test_an_organizer_leaves_a_message_then_books_the_shift(
    live_server: Any, queue_campaign: QueueCampaign, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.volunteers.models import FollowUp

    base = live_server.url
    sign_in(page, base, queue_campaign.organizer_username)
    page.goto(f"{base}/volunteers/")

    # What Maya told the form, in the form's order, and how to reach her.
    maya = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Maya Lopez"))
    expect(maya).to_contain_text("Weekend of action")
    answers = maya.locator("dl")
    expect(answers.locator("dt")).to_have_text(["Shirt size", "Can you drive?", "Why now?"])
    expect(answers.locator("dd")).to_have_text(["M", "yes", "My kids' schools."])
    expect(maya.get_by_role("link", name="+19195550123")).to_have_attribute(
        "href", "tel:+19195550123"
    )
    expect(maya.get_by_role("link", name="Maya Lopez")).to_have_attribute(
        "href", re.compile(r"/people/\d+/")
    )
    expect(maya).to_contain_text("Never called")
    _shoot(page, screenshots, "due")

    # Sent without an outcome: the entry says what is missing, and nothing is recorded.
    maya.get_by_role("button", name="Record the call with Maya").click()
    expect(maya.get_by_role("alert")).to_contain_text("Outcome: This field is required.")
    expect(maya).to_contain_text("No call yet.")
    _shoot(page, screenshots, "missing-outcome")

    # A message left: the call-back time shows (two days later, filled in), the shift does not.
    call_again = maya.get_by_label("Call again")
    shift = maya.get_by_label("Shift", exact=True)
    maya.get_by_text("Left a message", exact=True).click()
    expect(call_again).to_be_visible()
    expect(shift).to_be_hidden()
    expect(call_again).to_have_value(re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"))
    maya.get_by_label("Note").fill("Voicemail; she works until six.")
    call_again.fill("2099-03-04T18:30")
    _shoot(page, screenshots, "left-message")
    maya.get_by_role("button", name="Record the call with Maya").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Maya Lopez: left a message; call again Wed Mar 4 at 6:30 PM."
    )
    expect(page.get_by_text("Nobody is due a call")).to_be_visible()
    page.get_by_role("link", name=re.compile("Call back later")).click()
    expect(page.get_by_role("listitem").filter(has_text="Maya Lopez")).to_contain_text(
        "Call back Wed Mar 4, 6:30 PM"
    )
    _shoot(page, screenshots, "later")

    # The call-back comes due.
    FollowUp.objects.filter(pk=queue_campaign.follow_up_id).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )
    page.get_by_role("link", name=re.compile("Due now")).click()
    maya = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Maya Lopez"))
    expect(maya).to_contain_text("Call-back due since")
    maya.get_by_text("Scheduled a shift", exact=True).click()
    expect(maya.get_by_label("Call again")).to_be_hidden()
    maya.get_by_label("Shift", exact=True).select_option(label=queue_campaign.shift_label)
    maya.get_by_label("Note").fill("Bringing her neighbour.")
    _shoot(page, screenshots, "scheduled")
    maya.get_by_role("button", name="Record the call with Maya").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Maya Lopez: scheduled a shift. Their entry is closed."
    )
    expect(page.get_by_text("Nobody is due a call")).to_be_visible()

    # Closed, with both calls in order, and a way back.
    page.get_by_role("link", name=re.compile("Closed")).click()
    maya = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Maya Lopez"))
    calls = maya.get_by_role("region", name="Calls to Maya Lopez").locator("ol > li")
    expect(calls).to_have_count(2)
    expect(calls.nth(0)).to_contain_text("Left a message")
    expect(calls.nth(0)).to_contain_text("Voicemail; she works until six.")
    expect(calls.nth(1)).to_contain_text("Scheduled a shift")
    expect(calls.nth(1)).to_contain_text(queue_campaign.shift_label)
    expect(calls.nth(1)).to_contain_text("by olu.organizer")
    expect(maya.get_by_role("button", name="Reopen Maya Lopez")).to_be_visible()
    _shoot(page, screenshots, "closed")

    # The region's reporting: Maya was called within minutes of signing up.
    page.goto(f"{base}/field/reporting/?unit={queue_campaign.region_id}&days=7")
    first_call = page.get_by_role("region", name="New volunteers: time to first call")
    expect(first_call).to_contain_text("Called within 48 hours100%")
    expect(page.get_by_role("row", name=re.compile("Durham Team"))).to_contain_text("100% of 1")
    _shoot(page, screenshots, "reporting")
