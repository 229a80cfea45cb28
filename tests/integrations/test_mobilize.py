"""Mobilize attendances in the shape of its API (../shared/data/formats/
mobilize_attendance_shape.json), with synthetic values: loaded once, never twice, and bad
records reported by index while the good ones land."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from groundgame.events import selectors as events_selectors
from groundgame.integrations.mobilize import attendances
from groundgame.integrations.mobilize.models import TimeslotLink
from tests.conftest import Campaign
from tests.helpers import shared_data

START = int(dt.datetime(2026, 10, 3, 14, tzinfo=dt.UTC).timestamp())


def _shift(timeslot_id: int) -> Any:
    """The shift a Mobilize timeslot became, if it was imported."""
    link = TimeslotLink.objects.select_related("shift__event__org_unit")
    found = link.filter(mobilize_id=timeslot_id).first()
    return found.shift if found else None


def _event(event_id: int, slot_ids: list[int]) -> dict[str, Any]:
    return {
        "id": event_id,
        "title": f"Canvass launch {event_id}",
        "summary": "Knock doors with us",
        "description": "Meet at the office; we train you first.",
        "timezone": "America/New_York",
        "event_type": "CANVASS",
        "visibility": "PUBLIC",
        "timeslots": [
            {"id": s, "start_date": START + i * 7200, "end_date": START + i * 7200 + 7200}
            for i, s in enumerate(slot_ids)
        ],
        "location": {
            "venue": "Field office",
            "address_lines": ["101 Main St", ""],
            "locality": "Durham",
            "region": "NC",
            "postal_code": "27701",
            "location": {"latitude": 35.9967, "longitude": -78.8966},
        },
        "sponsor": {"id": 1, "name": "Campaign"},
    }


def _attendance(n: int, *, status: str = "REGISTERED", attended: bool | None = None) -> dict:
    event = _event(500, [900, 901])
    slot = event["timeslots"][n % 2]
    return {
        "id": 7000 + n,
        "created_date": START - 86400,
        "modified_date": START - 86400,
        "status": status,
        "attended": attended,
        "person": {
            "id": 3000 + n,
            "given_name": f"Mo{chr(65 + n)}",
            "family_name": "Bilize",
            "email_addresses": [{"primary": True, "address": f"mo{n}@example.net"}],
            "phone_numbers": [{"primary": True, "number": ""}],
            "postal_addresses": [{"primary": True, "postal_code": "27701"}],
            "sms_opt_in_status": "UNSPECIFIED",
        },
        "event": event,
        "timeslot": slot,
        "sponsor": {"id": 1, "name": "Campaign"},
        "referrer": {"utm_source": None, "url": None},
    }


def page(records: list[Any]) -> dict[str, Any]:
    return {"data": records, "count": len(records), "next": None, "previous": None}


def test_synthetic_records_have_the_shape_of_the_api() -> None:
    shape_file = shared_data("formats", "mobilize_attendance_shape.json")
    shape = json.loads(shape_file.read_text())

    def keys(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: keys(v) for k, v in obj.items()}
        if isinstance(obj, list) and obj:
            return [keys(obj[0])]
        return None

    ours, theirs = keys(_attendance(0)), keys(shape["data"][0])
    # Every field we read exists in the API's shape, at the same place.
    for field in ("id", "status", "attended", "person", "event", "timeslot"):
        assert field in theirs
    for field in ("id", "given_name", "family_name", "email_addresses", "phone_numbers"):
        assert field in theirs["person"]
        assert field in ours["person"]
    for field in ("id", "title", "timezone", "event_type", "timeslots", "location"):
        assert field in theirs["event"]
    assert set(theirs["event"]["location"]) >= set(ours["event"]["location"])
    assert set(theirs["timeslot"]) == set(ours["timeslot"])


def test_import_loads_events_shifts_people_and_attendance_once(campaign: Campaign) -> None:
    payload = page(
        [
            _attendance(0),
            _attendance(1, status="CONFIRMED", attended=True),
            _attendance(2, status="CANCELLED"),
            _attendance(3, attended=False),
        ]
    )
    first = attendances.attendances_import(actor=None, payload=payload)
    assert first.rejected == []
    assert (first.records, first.changed, first.people_created) == (4, 4, 4)
    detail = events_selectors.event_detail(event_id=_shift(900).event_id)
    assert detail is not None
    assert detail.event.org_unit_id == campaign.durham.pk  # the team covering ZIP 27701
    assert detail.event.kind == "canvass"
    assert [s.shift.pk for s in detail.shifts] == [_shift(900).pk, _shift(901).pk]
    assert detail.shifts[0].shift.starts_at == dt.datetime.fromtimestamp(START, tz=dt.UTC)
    assert [(s.confirmed, s.waitlisted) for s in detail.shifts] == [(1, 0), (2, 0)]

    again = attendances.attendances_import(actor=None, payload=[payload])
    assert (again.changed, again.unchanged, again.people_created) == (0, 4, 0)

    moved = copy.deepcopy(payload)
    moved["data"][0]["attended"] = True
    third = attendances.attendances_import(actor=None, payload=moved)
    assert (third.changed, third.unchanged) == (1, 3)


def test_bad_records_are_reported_and_good_ones_land(campaign: Campaign) -> None:
    no_name = _attendance(1)
    del no_name["person"]["given_name"]
    bad_status = _attendance(2, status="MAYBE")
    bad_time = _attendance(3)
    bad_time["timeslot"] = {"id": 999, "start_date": "tomorrow", "end_date": 0}
    report = attendances.attendances_import(
        actor=None, payload=page([_attendance(0), no_name, bad_status, bad_time, "junk"])
    )
    assert report.changed == 1
    assert [i for i, _ in report.rejected] == [1, 2, 3, 4]
    reasons = dict(report.rejected)
    assert "given_name" in reasons[1]
    assert "status" in reasons[2]
    assert "start_date" in reasons[3]
    # Nothing of a rejected record was written: its person is not on file.
    assert _shift(999) is None
    with pytest.raises(attendances.BadRecord):
        attendances.attendances_import(actor=None, payload={"nope": 1})


def test_command_line(campaign: Campaign, tmp_path: Path, capsys: Any) -> None:
    from groundgame import cli

    path = tmp_path / "attendances.json"
    path.write_text(json.dumps(page([_attendance(0), {"id": "x"}])))
    args = cli.build_parser().parse_args(
        ["integrations", "mobilize", "import-attendances", str(path), "--org-unit", "Wake"]
    )
    assert args.handler(args) == 0
    out = capsys.readouterr()
    assert "2 attendances: 1 new or changed" in out.out
    assert "record 1:" in out.err
    assert _shift(900).event.org_unit.name == "Wake"
