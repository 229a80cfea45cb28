"""Imports of events, shifts and RSVPs from another system are writes like any other: staff
bring a unit's records up to date only inside their units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from groundgame.core.errors import PermissionDenied
from groundgame.events import services
from groundgame.events.models import Event, Shift, ShiftSignup
from tests.conftest import Campaign

EVENT = {
    "kind": "canvass",
    "description": "",
    "timezone_name": "America/New_York",
    "is_virtual": False,
    "venue": "Field office",
    "address": "1 Main St",
    "zip5": "27406",
    "latitude": None,
    "longitude": None,
}


def _guilford_rsvp(campaign: Campaign) -> tuple[Event, Shift, ShiftSignup]:
    event, _ = services.event_import(
        actor=None, event_id=None, org_unit=campaign.guilford, title="Guilford canvass", **EVENT
    )
    starts = timezone.now() + dt.timedelta(days=2)
    spec = services.ShiftSpec(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    shift, _ = services.shift_import(actor=None, event=event, shift_id=None, spec=spec)
    signup, _ = services.rsvp_import(
        actor=None,
        signup_id=None,
        shift=shift,
        person_id=campaign.bob.pk,
        status=ShiftSignup.Status.CONFIRMED,
        attendance=ShiftSignup.Attendance.UNKNOWN,
        source="import",
    )
    return event, shift, signup


def test_staff_outside_the_unit_cannot_import_over_its_event_shift_or_rsvp(
    campaign: Campaign, organizer_user: Any
) -> None:
    """Olivia organizes the Triangle; Guilford is in the Piedmont."""
    event, shift, signup = _guilford_rsvp(campaign)
    with pytest.raises(PermissionDenied):
        services.event_import(
            actor=organizer_user,
            event_id=event.pk,
            org_unit=campaign.durham,  # a unit of hers, which an update does not change
            title="Renamed",
            **EVENT,
        )
    moved = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(PermissionDenied):
        services.shift_import(
            actor=organizer_user,
            event=event,
            shift_id=shift.pk,
            spec=services.ShiftSpec(starts_at=moved, ends_at=moved + dt.timedelta(hours=1)),
        )
    with pytest.raises(PermissionDenied):
        services.rsvp_import(
            actor=organizer_user,
            signup_id=signup.pk,
            shift=shift,
            person_id=campaign.bob.pk,
            status=ShiftSignup.Status.CANCELLED,
            attendance=ShiftSignup.Attendance.UNKNOWN,
            source="import",
        )
    event.refresh_from_db()
    shift.refresh_from_db()
    signup.refresh_from_db()
    assert event.title == "Guilford canvass"
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=2)
    assert signup.status == ShiftSignup.Status.CONFIRMED
