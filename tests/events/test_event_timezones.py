"""An event is in its own time zone: the zone of its unit's area, stored on the event and
editable, and its times are shown in it everywhere: the staff pages, the public page, the
RSVP confirmation (page and email), the reminder, the cancel page and the turf page's shift
picker. A data migration moves existing events, all made in New York time, to their unit's.

Arizona keeps standard time all year: on a July day Phoenix is UTC-7 while Denver (the
rest of Mountain time) is UTC-6 and New York UTC-4, so 10:00 in Phoenix is 17:00 UTC and
reads 1:00 PM in New York and 11:00 AM in Denver.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundgame.core.errors import ApplicationError
from groundgame.events import services
from groundgame.events.models import Event, Shift
from groundgame.field import services as field
from groundgame.messaging import services as messaging
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing import services as organizing
from tests.conftest import Campaign
from tests.field.turf_builders import build_town

pytestmark = pytest.mark.django_db

MARICOPA = "04013"  # Phoenix's county
PHOENIX_ZIP = "85004"
JULY_DAY = dt.date(timezone.now().year + 1, 7, 10)
STARTS_UTC = dt.datetime.combine(JULY_DAY, dt.time(17), tzinfo=dt.UTC)
LOCAL = "10:00 AM"
NOT_LOCAL = ("1:00 PM", "11:00 AM", "5:00 PM")  # New York, Denver, UTC


@pytest.fixture
def phoenix(campaign: Campaign) -> Any:
    """Arizona's state unit, a region, and the team covering Maricopa County."""
    arizona = organizing.org_unit_create(
        actor=None, name="Arizona", kind="state", state="AZ", parent=campaign.national
    )
    valley = organizing.org_unit_create(actor=None, name="Valley", kind="region", parent=arizona)
    return organizing.org_unit_create(
        actor=None, name="Phoenix", kind="team", parent=valley, counties=[MARICOPA]
    )


@pytest.fixture
def phoenix_organizer(make_staff: Callable[..., Any], client_for: Any, phoenix: Any) -> Client:
    return client_for(make_staff("paz", role="organizer", unit=phoenix))  # type: ignore[no-any-return]


def _create_on_the_form(client: Client, unit: Any, **extra: str) -> Event:
    response = client.post(
        reverse("events:staff_new"),
        {
            "org_unit": unit.pk,
            "title": "Roosevelt Row canvass",
            "kind": "canvass",
            "date": JULY_DAY.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "capacity": "20",
            "zip5": PHOENIX_ZIP,
            **extra,
        },
    )
    assert response.status_code == 302, response.content
    return Event.objects.get(title="Roosevelt Row canvass")


def _local_only(body: str) -> None:
    assert LOCAL in body
    assert "MST" in body
    for other in NOT_LOCAL:
        assert other not in body, other


def test_a_unit_takes_the_zone_of_its_counties_else_its_state(
    campaign: Campaign, phoenix: Any
) -> None:
    assert organizing_selectors.org_unit_timezone(phoenix) == "America/Phoenix"
    assert organizing_selectors.org_unit_timezone(phoenix.parent) == "America/Phoenix"
    assert organizing_selectors.org_unit_timezone(campaign.durham) == "America/New_York"
    # The national unit covers no area: the campaign's own zone.
    assert organizing_selectors.org_unit_timezone(campaign.national) == "America/New_York"


def test_an_arizona_event_is_in_phoenix_time_on_every_page(
    phoenix: Any, phoenix_organizer: Client, client: Client
) -> None:
    event = _create_on_the_form(phoenix_organizer, phoenix)
    assert event.timezone == "America/Phoenix"
    shift = event.shifts.get()
    assert shift.starts_at == STARTS_UTC

    staff_list = phoenix_organizer.get(reverse("events:staff_list")).content.decode()
    assert f"Jul 10, {LOCAL} MST" in staff_list
    roster = phoenix_organizer.get(reverse("events:staff_event", args=[event.pk]))
    _local_only(roster.content.decode())

    public = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    _local_only(public)
    response = client.post(
        reverse("events:detail", args=[event.slug]),
        {
            "shift": shift.pk,
            "first_name": "Rosa",
            "last_name": "Ybarra",
            "email": "rosa@example.org",
        },
    )
    assert response.status_code == 302
    # The confirmation the RSVP's task sends after commit.
    mail.outbox.clear()
    services.rsvp_notice_send(signup_id=shift.signups.get().pk, notice="confirmed")
    messaging.sends_deliver(channel="email")
    (confirmation,) = mail.outbox
    assert f"{LOCAL} MST (America/Phoenix)" in confirmation.body
    cancel_url = reverse("events:cancel", args=[shift.signups.get().cancel_token])
    _local_only(client.get(cancel_url).content.decode())

    # The reminder a day ahead is the same email with its own opening.
    mail.outbox.clear()
    services.rsvp_notice_send(signup_id=shift.signups.get().pk, notice="reminder")
    messaging.sends_deliver(channel="email")
    (reminder,) = mail.outbox
    assert f"{LOCAL} MST (America/Phoenix)" in reminder.body


def test_a_proposal_is_read_in_the_zone_of_its_zip(phoenix: Any, client: Client) -> None:
    response = client.post(
        reverse("events:propose"),
        {
            "title": "Porch party",
            "kind": "meeting",
            "date": JULY_DAY.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "capacity": "10",
            "zip5": PHOENIX_ZIP,
            "venue": "My porch",
            "host_first_name": "Ana",
            "host_last_name": "Ruiz",
            "host_email": "ana@example.org",
        },
    )
    assert response.status_code in (200, 302), response.content
    event = Event.objects.get(title="Porch party")
    assert (event.org_unit, event.timezone) == (phoenix, "America/Phoenix")
    assert event.shifts.get().starts_at == STARTS_UTC


def test_the_zone_is_editable_and_shifts_keep_their_clock_time(
    campaign: Campaign, phoenix: Any, phoenix_organizer: Client
) -> None:
    event = _create_on_the_form(phoenix_organizer, phoenix, timezone="America/Denver")
    assert event.timezone == "America/Denver"
    response = phoenix_organizer.post(
        reverse("events:staff_event", args=[event.pk]),
        {"action": "timezone", "timezone": "America/Phoenix"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.timezone == "America/Phoenix"
    assert event.shifts.get().starts_at == STARTS_UTC  # 10:00 in Phoenix now

    services.rsvp_create(
        actor=None,
        shift_id=event.shifts.get().pk,
        first_name="Rosa",
        last_name="Ybarra",
        email="rosa@example.org",
    )
    with pytest.raises(ApplicationError) as refused:
        services.event_timezone_set(
            actor=None, event_id=event.pk, timezone_name="America/Los_Angeles"
        )
    assert refused.value.field == "timezone"
    event.refresh_from_db()
    assert event.timezone == "America/Phoenix"
    assert event.shifts.get().starts_at == STARTS_UTC


def test_staff_outside_the_unit_cannot_change_the_zone(
    campaign: Campaign, phoenix: Any, phoenix_organizer: Client, make_staff: Any, client_for: Any
) -> None:
    event = _create_on_the_form(phoenix_organizer, phoenix)
    outsider = client_for(make_staff("olivia", role="organizer", unit=campaign.durham))
    outsider.post(
        reverse("events:staff_event", args=[event.pk]),
        {"action": "timezone", "timezone": "America/New_York"},
    )
    event.refresh_from_db()
    assert event.timezone == "America/Phoenix"


def test_existing_events_take_their_units_zone(campaign: Campaign, phoenix: Any) -> None:
    """As made before: every event in New York time, whatever its unit."""
    shift_start = STARTS_UTC
    made = {}
    for unit in (phoenix, campaign.durham):
        made[unit.pk] = services.event_create(
            actor=None,
            org_unit=unit,
            title=f"Canvass {unit.name}",
            kind="canvass",
            zip5=PHOENIX_ZIP,
            timezone_name="America/New_York",
            shifts=[services.ShiftSpec(shift_start, shift_start + dt.timedelta(hours=3), 5)],
        )
    migration = importlib.import_module(
        "groundgame.events.migrations.0003_event_timezone_from_unit"
    )
    migration.zones_from_units(apps, None)
    migration.zones_from_units(apps, None)  # again: nothing more changes
    assert Event.objects.get(pk=made[phoenix.pk].pk).timezone == "America/Phoenix"
    assert Event.objects.get(pk=made[campaign.durham.pk].pk).timezone == "America/New_York"
    # The moments volunteers were told stay as they were.
    assert set(Shift.objects.values_list("starts_at", flat=True)) == {shift_start}


def test_the_turf_pages_shift_picker_shows_the_events_time(
    campaign: Campaign, phoenix: Any, phoenix_organizer: Client, make_staff: Any, client_for: Any
) -> None:
    _create_on_the_form(phoenix_organizer, phoenix)
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 24})
    cut = field.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=12
    )
    turf = cut.turfs.first()
    assert turf is not None
    national = client_for(make_staff("nadia", role="organizer", unit=campaign.national))
    page = national.get(reverse("field:turf", args=[turf.pk])).content.decode()
    label = f"{JULY_DAY:%a %b} 10, {LOCAL} MST · Roosevelt Row canvass"
    assert f">{label}</option>" in page
