"""Adding polls: by hand inside one's scope, by file idempotently, every bad input refused
with its field and code and nothing written."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.insights import errors, selectors, services
from groundgame.insights.models import Poll, PollImport
from tests.insights.builders import poll_csv, poll_fields, question


def test_a_state_organizer_adds_their_states_poll(organizer_user: Any) -> None:
    poll = services.poll_create(actor=organizer_user, **poll_fields())
    assert (poll.state, poll.cycle, poll.added_by) == ("NC", 2024, organizer_user)
    assert AuditEvent.objects.filter(action="poll.create", entity_id=str(poll.pk)).exists()


@pytest.mark.parametrize("state", ["PA", ""])
def test_nobody_adds_polls_outside_their_units(organizer_user: Any, state: str) -> None:
    with pytest.raises(PermissionDenied) as caught:
        services.poll_create(actor=organizer_user, **poll_fields(state=state))
    assert (caught.value.code, caught.value.field) == (errors.POLL_NOT_IN_SCOPE, "state")
    assert not Poll.objects.exists()


def test_national_staff_add_national_polls(national_analyst: Any) -> None:
    assert services.poll_create(actor=national_analyst, **poll_fields(state="")).state == ""


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"state": "Narnia"}, errors.POLL_STATE_UNKNOWN, "state"),
        ({"dem_pct": 101.0}, errors.POLL_PCT_INVALID, "dem_pct"),
        ({"rep_pct": -1.0}, errors.POLL_PCT_INVALID, "rep_pct"),
        ({"dem_pct": 60.0, "rep_pct": 50.0}, errors.POLL_PCT_INVALID, "rep_pct"),
        ({"dem_pct": float("nan")}, errors.POLL_PCT_INVALID, "dem_pct"),
        (
            {"start_date": poll_fields()["end_date"].replace(day=9)},
            errors.POLL_DATES_INVALID,
            "end_date",
        ),
        ({"population": "likely"}, errors.POLL_POPULATION_INVALID, "population"),
        ({"pollster": "  "}, errors.POLL_FIELD_INVALID, "pollster"),
        ({"pollster": "Bad\x00Name"}, errors.POLL_FIELD_INVALID, "pollster"),
    ],
)
def test_bad_polls_are_refused_naming_the_field(
    national_analyst: Any, changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.poll_create(actor=national_analyst, **poll_fields(**changes))
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Poll.objects.exists()


def _import(actor: Any, text: str) -> PollImport:
    run = services.poll_import_start(
        actor=actor, filename="polls.csv", content=text.encode(), enqueue=False
    )
    return services.poll_import_execute(import_id=run.pk)


def test_importing_a_file_twice_changes_nothing(national_analyst: Any) -> None:
    text = poll_csv(question(1, 1), question(2, 2, state="Narnia"), question(3, 3, state=""))
    first = _import(national_analyst, text)
    assert (first.status, first.added, first.rejected, first.lines) == ("completed", 2, 1, 6)
    problems = list(selectors.poll_import_problems(first.pk).values_list("line", "reason"))
    assert problems == [(4, "unknown state 'Narnia'")]
    before = list(Poll.objects.order_by("pk").values())
    again = _import(national_analyst, text)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    assert list(Poll.objects.order_by("pk").values()) == before
    # A corrected share changes the poll in place.
    fixed = _import(national_analyst, poll_csv(question(1, 1, dem=("Harris", "49"))))
    assert (fixed.added, fixed.changed) == (0, 1)
    assert Poll.objects.get(poll_id=1).dem_pct == 49


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"question_id,poll_id,state\n1,1,NC\n", errors.POLL_FILE_COLUMNS),
        (b"\xff\xfe\x00q\x00u\x00", errors.POLL_FILE_UNREADABLE),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_once(
    national_analyst: Any, content: bytes, code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.poll_import_start(actor=national_analyst, filename="x.csv", content=content)
    assert (caught.value.code, caught.value.field) == (code, "file")
    assert not PollImport.objects.exists()


def test_only_national_staff_import_files(organizer_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.poll_import_start(
            actor=organizer_user, filename="x.csv", content=poll_csv(question(1, 1)).encode()
        )


def test_the_headline_reads_the_average_in_the_campaigns_states(national_analyst: Any) -> None:
    _import(
        national_analyst,
        poll_csv(question(1, 1), question(2, 2, state="Ohio"), question(3, 3, state="")),
    )
    headline = selectors.polling_headline()  # the campaign has a unit in North Carolina
    assert [p.state for p in headline.places] == ["", "NC"]
    nc = headline.place("NC")
    assert nc is not None
    assert nc.margin_lo80 < nc.margin < nc.margin_hi80
    assert dataclasses.asdict(nc)["polls"] == 1
