"""Import Mobilize attendances: the paginated ``{data, count, next}`` answer of
``GET /api/v1/organizations/:id/attendances``, saved as JSON (one page, or a list of pages).

Each attendance carries its event (with timeslots and location), its timeslot and its
person. Every record is loaded in its own transaction, so a bad one is reported by its index
and reason and the others still land. The events, shifts and RSVPs are written through the
events app's import services; the Mobilize id of each is kept here (``models``), so a second
import finds every row and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction

from groundgame.audit.services import Actor
from groundgame.core.errors import ApplicationError
from groundgame.events import services as events
from groundgame.integrations.mobilize.models import AttendanceLink, EventLink, TimeslotLink
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import services as people

# Mobilize's event types onto ours; the rest are "other".
EVENT_TYPES = {
    "CANVASS": "canvass",
    "PHONE_BANK": "phone_bank",
    "TEXT_BANK": "text_bank",
    "TRAINING": "training",
    "MEETING": "meeting",
    "COMMUNITY": "meeting",
    "HOUSE_PARTY": "meeting",
    "MEET_GREET": "meeting",
    "VOTER_REG": "voter_reg",
}
STATUSES = {"REGISTERED": "confirmed", "CONFIRMED": "confirmed", "CANCELLED": "cancelled"}
ATTENDED = {True: "attended", False: "no_show", None: "unknown"}


class BadRecord(ValueError):
    """A record that does not have Mobilize's shape; the message names the field."""


@dataclass
class ImportReport:
    records: int = 0
    changed: int = 0
    unchanged: int = 0
    people_created: int = 0
    # (index of the attendance in the file, counting from 0 across pages; reason)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _records(payload: Any) -> list[Any]:
    pages = payload if isinstance(payload, list) else [payload]
    records: list[Any] = []
    for number, page in enumerate(pages):
        if not isinstance(page, Mapping) or not isinstance(page.get("data"), list):
            raise BadRecord(f"page {number}: expected an object with a 'data' list")
        records.extend(page["data"])
    return records


def _get(obj: Any, path: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise BadRecord(f"{path}: missing or not {getattr(kind, '__name__', kind)}")
    return value


def _when(obj: Any, path: str) -> dt.datetime:
    seconds = _get(obj, path, int)
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRecord(f"{path}: {seconds} is not a Unix timestamp") from None


def _primary(items: Any, key: str) -> str:
    if not isinstance(items, list):
        return ""
    rows = [i for i in items if isinstance(i, Mapping) and isinstance(i.get(key), str)]
    rows.sort(key=lambda i: not i.get("primary"))
    return str(rows[0][key]).strip() if rows else ""


def _import_one(actor: Actor, record: Any, org_unit: Any, report: ImportReport) -> None:
    event = _get(record, "event", Mapping)
    slot_id = _get(record, "timeslot.id", int)
    timeslots = [
        (_get(s, "id", int), events.ShiftSpec(_when(s, "start_date"), _when(s, "end_date")))
        for s in _get(event, "timeslots", list)
    ]
    if slot_id not in {s for s, _ in timeslots}:
        timeslots.append(
            (
                slot_id,
                events.ShiftSpec(
                    _when(record, "timeslot.start_date"), _when(record, "timeslot.end_date")
                ),
            )
        )
    location = event.get("location") if isinstance(event.get("location"), Mapping) else None
    point = location.get("location") if location else None
    latitude = point.get("latitude") if isinstance(point, Mapping) else None
    longitude = point.get("longitude") if isinstance(point, Mapping) else None
    lines = location.get("address_lines") if location else None
    address = ", ".join(
        [str(x).strip() for x in (lines or []) if str(x).strip()]
        + [str(location.get(k) or "").strip() for k in ("locality", "region") if location]
    ).strip(", ")
    zip5 = str((location or {}).get("postal_code") or "")[:5]
    status = STATUSES.get(_get(record, "status", str))
    if status is None:
        raise BadRecord(f"status: {record.get('status')!r} is not REGISTERED, CONFIRMED, CANCELLED")
    attended = record.get("attended")
    if attended not in ATTENDED:
        raise BadRecord(f"attended: {attended!r} is not true, false or null")
    person = _get(record, "person", Mapping)
    email = _primary(person.get("email_addresses"), "address")
    phone = _primary(person.get("phone_numbers"), "number")
    person_zip = _primary(person.get("postal_addresses"), "postal_code")[:5]
    with transaction.atomic():
        found = people.person_find_or_create(
            actor=actor,
            source="mobilize",
            first_name=_get(person, "given_name", str),
            last_name=_get(person, "family_name", str),
            email=email,
            phone=phone,
            zip5=person_zip if person_zip.isdigit() else "",
            external=("mobilize", str(_get(person, "id", int))),
        )
        unit = org_unit or organizing_selectors.org_unit_for_zip(zip5)
        if unit is None:
            raise BadRecord("no org unit to put the event in: pass --org-unit")
        event_id = _get(event, "id", int)
        event_link = EventLink.objects.select_for_update().filter(mobilize_id=event_id).first()
        ours, event_changed = events.event_import(
            actor=actor,
            event_id=event_link.event_id if event_link else None,
            org_unit=unit,
            title=_get(event, "title", str),
            kind=EVENT_TYPES.get(str(event.get("event_type")), "other"),
            description=str(event.get("description") or event.get("summary") or ""),
            # Mobilize's zone when it gives one, else the unit's.
            timezone_name=str(event.get("timezone") or ""),
            is_virtual=location is None,
            venue=str((location or {}).get("venue") or ""),
            address=address,
            zip5=zip5,
            latitude=latitude if isinstance(latitude, int | float) else None,
            longitude=longitude if isinstance(longitude, int | float) else None,
        )
        if event_link is None:
            EventLink.objects.create(mobilize_id=event_id, event_id=ours.pk)
        shifts = {}
        for timeslot_id, spec in timeslots:
            slot_link = TimeslotLink.objects.filter(mobilize_id=timeslot_id).first()
            shifts[timeslot_id], shift_changed = events.shift_import(
                actor=actor,
                event=ours,
                shift_id=slot_link.shift_id if slot_link else None,
                spec=spec,
            )
            if slot_link is None:
                TimeslotLink.objects.create(mobilize_id=timeslot_id, shift=shifts[timeslot_id])
            event_changed = event_changed or shift_changed
        attendance_id = _get(record, "id", int)
        link = AttendanceLink.objects.filter(mobilize_id=attendance_id).first()
        signup, signup_changed = events.rsvp_import(
            actor=actor,
            signup_id=link.signup_id if link else None,
            shift=shifts[slot_id],
            person_id=found.person.pk,
            status=status,
            attendance=ATTENDED[attended],
            source="mobilize",
        )
        if link is None:
            # An RSVP the person already had becomes this attendance's: that is a change too.
            AttendanceLink.objects.create(mobilize_id=attendance_id, signup=signup)
            signup_changed = True
    report.people_created += found.created
    if found.created or event_changed or signup_changed:
        report.changed += 1
    else:
        report.unchanged += 1


def attendances_import(*, actor: Actor, payload: Any, org_unit_name: str = "") -> ImportReport:
    """Load every good attendance; report each bad one with its index and reason."""
    report = ImportReport()
    org_unit = None
    if org_unit_name:
        org_unit = organizing_selectors.org_unit_by_name(org_unit_name)
        if org_unit is None:
            raise BadRecord(f"no org unit named {org_unit_name!r}")
    records = _records(payload)
    report.records = len(records)
    for index, record in enumerate(records):
        try:
            if not isinstance(record, Mapping):
                raise BadRecord("not an object")
            _import_one(actor, record, org_unit, report)
        except BadRecord as exc:
            report.rejected.append((index, str(exc)))
        except ApplicationError as exc:
            where = f"{exc.field}: " if exc.field else ""
            report.rejected.append((index, f"{where}{exc.message}"))
        except DatabaseError as exc:
            report.rejected.append((index, f"could not be saved ({exc.__class__.__name__})"))
    return report
