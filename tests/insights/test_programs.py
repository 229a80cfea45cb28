"""Programs through their services, pages and API: the holdout share, scope on every write,
the draw fixed once started, outcome files reported row by row, and the lift read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from groundgame.health import selectors as health
from groundgame.insights import lift_outcomes
from groundgame.insights import services as insights
from groundgame.insights.models import HoldoutAssignment, Outcome, OutcomeRecord, Program
from groundgame.people import services as people
from groundgame.people.models import Household, VoteHistory, VoterRecord
from tests.helpers import assert_api_error

HOUSEHOLDS = 40


@pytest.fixture
def voters(campaign: Any) -> list[Any]:
    """Forty households of Durham with two voters each; the first of every household in the
    program's half voted in 2024."""
    made = []
    for n in range(HOUSEHOLDS):
        home = Household.objects.create(
            street=f"{n + 1} Elm St", city="Durham", state="NC", zip5="27701",
            county_fips="37063", latitude=35.99, longitude=-78.9,
        )  # fmt: skip
        for k in range(2):
            person = people.person_create(
                actor=None, first_name=f"V{n}", last_name=f"K{k}", household=home,
                org_unit_id=campaign.durham.pk,
            )  # fmt: skip
            VoterRecord.objects.create(
                person=person, state="NC", state_voter_id=f"NC{n:03d}{k}", county_fips="37063"
            )
            made.append(person)
    return made


@pytest.fixture
def universe(voters: list[Any]) -> Any:
    return people.universe_save(actor=None, name="Durham voters", filters={"state": ["NC"]})


def _program(campaign: Any, universe: Any, **kwargs: Any) -> Program:
    values = {"name": "Mail program", "holdout_percent": 10, **kwargs}
    return insights.program_create(
        actor=None, universe_id=universe.pk, org_unit_id=campaign.durham.pk, **values
    )


@pytest.mark.parametrize("share", [0, 100, -5, 150, 12.5, "ten", True, float("nan"), float("inf")])
def test_a_holdout_of_0_or_100_percent_is_refused_with_a_message(
    campaign: Any, universe: Any, share: Any
) -> None:
    with pytest.raises(ValidationFailed) as error:
        _program(campaign, universe, holdout_percent=share)
    assert error.value.code == "holdout_share_invalid"
    assert error.value.field == "holdout_percent"
    assert not Program.objects.exists()


def test_the_api_and_the_page_refuse_a_share_of_0_or_100(
    campaign: Any, universe: Any, make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff(role="admin", unit=campaign.national))
    for share in (0, 100):
        response = client.post(
            "/api/insights/programs",
            {"name": "P", "universe_id": universe.pk, "org_unit_id": campaign.durham.pk,
             "holdout_percent": share},
            content_type="application/json",
        )  # fmt: skip
        assert_api_error(response, 422, "holdout_share_invalid", "holdout_percent")
        page = client.post(
            "/insights/programs/",
            {"name": "P", "universe": universe.pk, "org_unit": campaign.durham.pk,
             "holdout_percent": str(share), "target_effect": "1"},
        )  # fmt: skip
        assert page.status_code == 422
        assert "between 1% and 99%" in page.content.decode()
    assert not Program.objects.exists()


def test_the_draw_is_by_household_recorded_audited_and_fixed_once_started(
    campaign: Any, universe: Any, voters: list[Any]
) -> None:
    program = _program(campaign, universe, holdout_percent=25)
    program = insights.program_holdout_draw(actor=None, program_id=program.pk, seed=11)
    assert program.seed == 11
    assert program.households == HOUSEHOLDS
    assert program.households_held_out == 10
    assert HoldoutAssignment.objects.filter(program=program).count() == len(voters)
    sides = set(
        HoldoutAssignment.objects.filter(program=program).values_list("household", "held_out")
    )
    assert len(sides) == HOUSEHOLDS  # one side per household
    assert AuditEvent.objects.filter(action="program.holdout_draw").exists()
    assert health.headline().programs_with_holdouts == 0
    insights.program_start(actor=None, program_id=program.pk)
    assert health.headline().programs_with_holdouts == 1  # the health page's headline
    with pytest.raises(Conflict) as error:
        insights.program_holdout_draw(actor=None, program_id=program.pk, seed=12)
    assert error.value.code == "program_started"
    with pytest.raises(Conflict):
        insights.program_holdout_set(actor=None, program_id=program.pk, holdout_percent=50)
    assert Program.objects.get().seed == 11


def test_every_write_keeps_to_the_staff_members_units(
    campaign: Any, universe: Any, make_staff: Any
) -> None:
    guilford = make_staff(role="director", unit=campaign.guilford)
    analyst = make_staff(role="analyst", unit=campaign.national)
    with pytest.raises(ValidationFailed) as error:
        insights.program_create(
            actor=guilford, name="Theirs", universe_id=universe.pk,
            org_unit_id=campaign.durham.pk, holdout_percent=10,
        )  # fmt: skip
    assert error.value.field == "org_unit"
    with pytest.raises(PermissionDenied):
        insights.program_create(
            actor=analyst, name="Theirs", universe_id=universe.pk,
            org_unit_id=campaign.durham.pk, holdout_percent=10,
        )  # fmt: skip
    program = _program(campaign, universe)
    organizer = make_staff(role="organizer", unit=campaign.durham)
    for write in (
        lambda who: insights.program_holdout_draw(actor=who, program_id=program.pk),
        lambda who: insights.program_start(actor=who, program_id=program.pk),
        lambda who: insights.program_piece_add(actor=who, program_id=program.pk, channel="door"),
    ):
        with pytest.raises(NotFound):
            write(guilford)  # outside their units: as if there were no program
        with pytest.raises(PermissionDenied):
            write(organizer)  # inside, but neither its maker nor a director above it
    assert Program.objects.get().status == Program.Status.DRAFT
    with pytest.raises(PermissionDenied):
        lift_outcomes.outcome_turnout_create(
            actor=organizer, name="2024", election_date=dt.date(2024, 11, 5)
        )


def test_an_outcome_file_with_unknown_ids_or_repeated_rows_is_reported_row_by_row(
    voters: list[Any],
) -> None:
    data = (
        b"state,voter_id\n"
        b"NC,NC0000\n"
        b"NC,NC9999\n"  # row 3: unknown
        b"nc,NC0000\n"  # row 4: repeats row 2
        b",NC0010\n"  # row 5: blank state
        b"NC,NC0011\n"
    )
    with pytest.raises(lift_outcomes.OutcomeFileInvalid) as error:
        lift_outcomes.outcome_file_upload(actor=None, name="Donors", kind="donated", data=data)
    rows = [(e.row, e.message) for e in error.value.rows]
    assert rows == [
        (3, "no NC voter has the id NC9999"),
        (4, "NC voter NC0000 repeats row 2"),
        (5, "the state or the voter id is blank"),
    ]
    assert "row 3: no NC voter has the id NC9999" in error.value.message
    assert not Outcome.objects.exists()
    assert not OutcomeRecord.objects.exists()
    for bad, field in ((b"id\n1\n", "file"), (b"\xff\xfe", "file")):
        with pytest.raises(ValidationFailed) as refused:
            lift_outcomes.outcome_file_upload(actor=None, name="Bad", kind="donated", data=bad)
        assert refused.value.field == field
    good = lift_outcomes.outcome_file_upload(
        actor=None, name="Donors", kind="donated", data=b"state,voter_id\nNC,NC0000\nNC,NC0011\n"
    )
    assert good.rows == 2


def test_the_outcome_page_and_api_name_each_bad_row(
    voters: list[Any], make_staff: Any, client_for: Any, campaign: Any
) -> None:
    client = client_for(make_staff(role="admin", unit=campaign.national))
    data = "state,voter_id\nNC,NC0000\nNC,NC0000\nNC,XX\n"
    response = client.post(
        "/api/insights/outcomes/file",
        {"name": "Volunteers", "kind": "volunteered", "csv": data},
        content_type="application/json",
    )
    assert_api_error(response, 422, "outcome_file_invalid", "file")
    assert "row 3: NC voter NC0000 repeats row 2" in response.json()["message"]
    assert "row 4: no NC voter has the id XX" in response.json()["message"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/insights/programs/outcomes/",
        {"name": "Volunteers", "kind": "volunteered",
         "file": SimpleUploadedFile("v.csv", data.encode(), content_type="text/csv")},
    )  # fmt: skip
    assert page.status_code == 422
    body = page.content.decode()
    assert "no NC voter has the id XX" in body
    assert "repeats row 2" in body
    assert not Outcome.objects.exists()


def test_the_lift_reads_the_holdout_against_the_outcome(
    campaign: Any, universe: Any, voters: list[Any], make_staff: Any, client_for: Any
) -> None:
    program = _program(campaign, universe, holdout_percent=50)
    insights.program_holdout_draw(actor=None, program_id=program.pk, seed=3)
    held = set(
        HoldoutAssignment.objects.filter(program=program, held_out=True).values_list(
            "person", flat=True
        )
    )
    # Everyone in the program voted, nobody held out did: an effect of 100 points.
    for person in voters:
        if person.pk not in held:
            VoteHistory.objects.create(
                voter=person.voter_record, election_date=dt.date(2024, 11, 5),
                election_name="2024 General", method="mail",
            )  # fmt: skip
    lift_outcomes.outcome_turnout_create(
        actor=None, name="Turnout 2024", election_date=dt.date(2024, 11, 5)
    )
    client = client_for(make_staff(role="analyst", unit=campaign.national))
    answer = client.get(f"/api/insights/programs/{program.pk}/lift").json()
    assert len(answer) == 1
    assert answer[0]["effect"] == pytest.approx(1.0)
    assert answer[0]["held_out"] == len(held)
    page = client.get(f"/insights/programs/{program.pk}/")
    assert page.status_code == 200
    assert "Turnout 2024" in page.content.decode()
    csv = b"".join(client.get(f"/insights/programs/{program.pk}/lift.csv").streaming_content)
    assert csv.decode().splitlines()[1].startswith("Turnout 2024,")
    power = client.get(f"/api/insights/programs/{program.pk}/power").json()
    assert power["households"] == HOUSEHOLDS
    assert power["enough"] is False  # forty households cannot see one point


def test_the_assignments_export_is_scoped_and_audited(
    campaign: Any, universe: Any, voters: list[Any], make_staff: Any, client_for: Any
) -> None:
    program = _program(campaign, universe)
    insights.program_holdout_draw(actor=None, program_id=program.pk, seed=1)
    for unit, rows in ((campaign.durham, len(voters)), (campaign.guilford, 0)):
        client = client_for(make_staff(role="organizer", unit=unit))
        response = client.get(f"/insights/programs/{program.pk}/assignments.csv")
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert lines[0] == "person_id,household_id,side"
        assert len(lines) - 1 == rows
    assert AuditEvent.objects.filter(action="insights.holdoutassignment.list").count() == 2
