"""The events API: public search and RSVP (no account), staff attendance. Mounted under
``/api/organizing/``, where it has always been."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.core import client_address
from groundgame.core.api_types import CleanStr, Id
from groundgame.events import errors, selectors, services

router = Router(tags=["events"])


class PublicShiftOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    spots_left: int
    waitlisted: int


class PublicEventOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    is_virtual: bool
    venue: str
    zip5: str
    latitude: float | None
    longitude: float | None
    distance_miles: float | None
    shifts: list[PublicShiftOut]


@router.get("/public/events", response=list[PublicEventOut], auth=None)
def public_events(
    request: HttpRequest, zip: CleanStr = "", radius: float = 25, kind: CleanStr = ""
) -> list[PublicEventOut]:
    """Upcoming published events nearest a ZIP code (``zip_unknown`` when it is not one)."""
    if not 1 <= radius <= 500:
        raise errors.ValidationFailed(
            "The radius is 1 to 500 miles.", code=errors.EVENT_INVALID, field="radius"
        )
    search = selectors.events_near(zip5=zip, radius_miles=radius, kind=kind)
    return [
        PublicEventOut(
            id=r.event.pk,
            slug=r.event.slug,
            title=r.event.title,
            kind=r.event.kind,
            is_virtual=r.event.is_virtual,
            venue=r.event.venue,
            zip5=r.event.zip5,
            latitude=r.event.latitude,
            longitude=r.event.longitude,
            distance_miles=None if r.distance_miles is None else round(r.distance_miles, 2),
            shifts=[
                PublicShiftOut(
                    id=s.shift.pk,
                    starts_at=s.shift.starts_at,
                    ends_at=s.shift.ends_at,
                    capacity=s.shift.capacity,
                    spots_left=s.spots_left,
                    waitlisted=s.waitlisted,
                )
                for s in r.shifts
            ],
        )
        for r in search.results
    ]


class RsvpIn(Schema):
    first_name: CleanStr
    last_name: CleanStr
    email: CleanStr
    phone: CleanStr = ""
    zip5: CleanStr = ""
    source: CleanStr = "api"


class RsvpOut(Schema):
    id: int
    shift_id: int
    status: str
    attendance: str


class RsvpReceived(Schema):
    shift_id: int
    message: str


def _rsvp_out(signup: Any) -> RsvpOut:
    return RsvpOut(
        id=signup.pk, shift_id=signup.shift_id, status=signup.status, attendance=signup.attendance
    )


@router.post("/public/shifts/{shift_id}/rsvps", response={202: RsvpReceived}, auth=None)
def public_rsvp(request: HttpRequest, shift_id: Id, payload: RsvpIn) -> tuple[int, RsvpReceived]:
    """RSVP without an account (a retry is safe). The answer is the same whether the person
    was already coming or not, and carries no way to cancel: anyone can post a name and an
    email, so the link to manage the place goes to that email only. Rate-limited per client
    address like sign-ups (429 ``rsvp_rate_limited`` with Retry-After)."""
    wait = services.rsvp_wait(client=client_address.of(request))
    if wait:
        raise errors.RateLimited(
            "Too many RSVPs from your network just now; retry after the time in Retry-After.",
            code=errors.RSVP_RATE_LIMITED,
            retry_after=wait,
        )
    services.rsvp_create(
        actor=request.user,
        shift_id=shift_id,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        phone=payload.phone,
        zip5=payload.zip5,
        source=payload.source,
    )
    message = "Received. The confirmation, with the link to change or cancel, is on its way."
    return 202, RsvpReceived(shift_id=shift_id, message=message)


@router.post("/public/rsvps/{token}/cancel", response=RsvpOut, auth=None)
def public_rsvp_cancel(request: HttpRequest, token: CleanStr) -> RsvpOut:
    """Cancel by the token; cancelling again answers the same."""
    return _rsvp_out(services.rsvp_cancel(actor=request.user, token=token).signup)


class AttendanceIn(Schema):
    attendance: CleanStr


@router.post("/rsvps/{signup_id}/attendance", response=RsvpOut)
def rsvp_attendance(request: HttpRequest, signup_id: Id, payload: AttendanceIn) -> RsvpOut:
    """Staff over the event's unit mark attended, no_show or unknown."""
    return _rsvp_out(
        services.attendance_mark(
            actor=request.user, signup_id=signup_id, attendance=payload.attendance
        )
    )
