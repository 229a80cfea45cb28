"""Arizona's, Nevada's and Wisconsin's files: a synthetic file of each state imported through
the real import, and the reader's abilities they brought (election columns that say how the
ballot was cast, files without a header row, counties by name, election days the columns do
not give)."""

from __future__ import annotations

import datetime as dt

import pytest

from groundgame.core.errors import ValidationFailed
from groundgame.demo import state_voter_files
from groundgame.people.models import (
    Household,
    Person,
    VoteHistory,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.layouts import az, nv, wi

STATES = {"az": "AZ", "nv": "NV", "wi": "WI"}


@pytest.mark.parametrize("name", sorted(STATES))
def test_a_synthetic_file_of_the_state_loads_with_history_and_its_bad_rows_reported(
    db, tmp_path, name
):
    written = state_voter_files.write(name, tmp_path, rows=400, seed=7, dirty_rate=0.1)
    outcome = voter_file_import(
        actor=None, layout=name, voters=written.voters_path, history=written.history_path
    )
    run = outcome.run
    rejected_voters = sum(1 for file, _ in written.rejected if file == "voters")
    assert rejected_voters >= 5  # a handful of each kind of bad row
    assert run.status == "completed"
    assert (run.rows_read, run.rows_rejected) == (400, rejected_voters)
    loaded = 400 - rejected_voters
    assert run.rows_new == loaded
    state = STATES[name]
    assert VoterRecord.objects.filter(state=state).count() == loaded
    assert Person.objects.count() == loaded
    assert 0 < Household.objects.count() < loaded  # members of a household share it
    assert VoteHistory.objects.count() == run.history_new == written.ballots > loaded

    # Every bad row is reported with its line and the column at fault, and nothing else.
    reported = {
        (e.file, e.row_number): e.field for e in VoterImportRowError.objects.filter(run=run)
    }
    assert reported == written.rejected

    sample = written.sample
    record = VoterRecord.objects.select_related("person__household").get(
        state=state, state_voter_id=sample.voter_id
    )
    person = record.person
    assert (person.first_name, person.last_name) == (sample.first.title(), sample.last.title())
    assert record.county_fips == sample.county_fips
    assert record.party == ("" if name == "wi" else sample.party)
    # Only Arizona's file lists cancelled registrations; the others' synthetic writers say
    # inactive for them.
    removed = "removed" if name == "az" else "inactive"
    assert record.status == (removed if sample.status == "removed" else sample.status)
    assert record.registered_on == sample.registered
    assert person.household is not None
    assert person.household.zip5 == sample.zip.zip5
    assert person.household.city == sample.zip.city.title()
    assert person.birth_date == (sample.birth if name == "nv" else None)
    history = {(b.election_date, b.method) for b in VoteHistory.objects.filter(voter=record)}
    methods = {
        "az": {"election_day": "election_day", "early": "mail", "mail": "mail"},
        "nv": {"election_day": "election_day", "early": "early", "mail": "mail"},
        "wi": {"election_day": "election_day", "early": "mail", "mail": "mail"},
    }[name]
    assert history == {(b.day, methods.get(b.method, "provisional")) for b in sample.ballots}


def test_the_synthetic_files_are_the_same_for_the_same_seed(tmp_path):
    one = state_voter_files.write("az", tmp_path / "one", rows=50, seed=3)
    two = state_voter_files.write("az", tmp_path / "two", rows=50, seed=3)
    assert one.voters_path.read_bytes() == two.voters_path.read_bytes()


def test_counties_by_name_become_fips():
    assert az.LAYOUT.county_fips("Maricopa") == "04013"
    assert az.LAYOUT.county_fips("LA PAZ") == "04012"  # out of the odd numbering
    assert nv.LAYOUT.county_fips("Carson City") == "32510"
    assert nv.LAYOUT.county_fips("clark county") == "32003"
    assert wi.LAYOUT.county_fips("LaCrosse County") == "55063"
    assert wi.LAYOUT.county_fips("St. Croix County") == "55109"
    assert wi.LAYOUT.county_fips("Menominee") == "55078"
    assert wi.LAYOUT.county_fips("Atlantis") is None
    with pytest.raises(ValueError, match="no counties of OH"):
        layouts.named_fips("OH")


def _election(layout, column):
    match = layout.history_column.match(column)
    return layout.history_column_election(match) if match else None


def test_election_columns_without_a_day_get_the_statutes_day():
    assert _election(az.LAYOUT, "GENERAL2024") == (dt.date(2024, 11, 5), "2024 General")
    assert _election(az.LAYOUT, "PRIMARY2022") == (dt.date(2022, 8, 2), "2022 Primary")
    assert _election(az.LAYOUT, "PRIMARY2024") == (dt.date(2024, 7, 30), "2024 Primary")
    assert _election(az.LAYOUT, "2016PRESIDENTIALPREFERENCE")[0] == dt.date(2016, 3, 22)
    assert _election(az.LAYOUT, "2024PRESIDENTIALPREFERENCE")[0] == dt.date(2024, 3, 19)
    assert _election(az.LAYOUT, "EL1") is None  # says nothing of its election: not history
    assert _election(wi.LAYOUT, "November2016") == (dt.date(2016, 11, 8), "2016 General")
    assert _election(wi.LAYOUT, "February2024") == (dt.date(2024, 2, 20), "2024 Spring Primary")
    assert _election(wi.LAYOUT, "April2024") == (dt.date(2024, 4, 2), "2024 Spring Election")
    assert _election(wi.LAYOUT, "August2022") == (dt.date(2022, 8, 9), "2022 Partisan Primary")
    assert _election(wi.LAYOUT, "May2019") == (dt.date(2019, 5, 7), "2019 Special")


def test_wisconsins_city_is_read_from_its_city_state_zip_line():
    assert wi.city("MADISON WI 53703") == "MADISON"
    assert wi.city("Eau Claire, WI 54701-1234") == "Eau Claire"
    assert wi.city("FOND DU LAC") == "FOND DU LAC"


def _az_file(path, rows, elections=("GENERAL2020", "PRIMARY2022", "EL1")):
    header = [*az.COLUMNS, *elections]
    lines = [",".join(header)]
    for voter_id, votes in rows:
        values = dict.fromkeys(header, "")
        values.update(
            RegistrantID=voter_id, LastName="DOE", FirstName="JO", Status="Active",
            County="Pima", ResidenceAddress="5 ELM AVE", ResidenceCity="TUCSON",
            ResidenceZip="85701", Party="Democratic", RegistrationDate="05/06/1990",
        )  # fmt: skip
        values.update(zip(elections, votes, strict=True))
        lines.append(",".join(values[c] for c in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_election_column_says_how_the_ballot_was_cast_and_a_bad_code_rejects_the_row(
    db, tmp_path
):
    path = _az_file(
        tmp_path / "az.csv",
        [("1", ["P", "E - DEM", "E"]), ("2", ["PV", "", ""]), ("3", ["X", "", ""])],
    )
    outcome = voter_file_import(actor=None, layout="az", voters=path)
    ballots = {
        (b.voter.state_voter_id, b.election_date, b.election_name, b.method)
        for b in VoteHistory.objects.select_related("voter")
    }
    assert ballots == {
        ("1", dt.date(2020, 11, 3), "2020 General", "election_day"),
        ("1", dt.date(2022, 8, 2), "2022 Primary", "mail"),
        ("2", dt.date(2020, 11, 3), "2020 General", "provisional"),
    }
    error = VoterImportRowError.objects.get()
    assert (error.row_number, error.field, error.reason) == (
        4,
        "GENERAL2020",
        "unknown voting method 'X'",
    )
    assert any("EL1" in note for note in outcome.notes)  # an opaque column is said ignored


def _nv_files(tmp_path, voter_lines, history_lines):
    voters, history = tmp_path / "VoterList.ElgbVtr.csv", tmp_path / "VoterList.VtHst.csv"
    voters.write_text("\n".join(voter_lines) + "\n", encoding="utf-8")
    history.write_text("\n".join(history_lines) + "\n", encoding="utf-8")
    return voters, history


def _nv_line(voter_id, **fields):
    values = dict.fromkeys(nv.COLUMNS, "")
    values.update(
        VoterID=voter_id, County="Washoe", First_Name="AL", Last_Name="ROE",
        Birth_Date="02/03/1970", Registration_Date="04/05/2006", Address_1="1 PINE ST",
        City="RENO", Zip="89501", Party="Republican", County_Status="Active",
    )  # fmt: skip
    values.update(fields)
    return ",".join(values[c] for c in nv.COLUMNS)


def test_files_without_a_header_are_read_from_line_one(db, tmp_path):
    voters, history = _nv_files(
        tmp_path,
        [_nv_line("11"), _nv_line("12", Party="Whig"), _nv_line("13")],
        ["1,11,11/05/2024,EV", "2,13,11/05/2024,MB", "3,12,11/05/2024,PP", "4,13,06/11/2024,XX"],
    )
    outcome = voter_file_import(actor=None, layout="nv", voters=voters, history=history)
    assert outcome.run.rows_new == 2
    assert set(VoterRecord.objects.values_list("state_voter_id", flat=True)) == {"11", "13"}
    assert VoteHistory.objects.get(voter__state_voter_id="11").method == "early"
    assert VoteHistory.objects.get(voter__state_voter_id="13").method == "mail"
    errors = {(e.file, e.row_number): e.field for e in VoterImportRowError.objects.all()}
    assert errors == {
        ("voters", 2): "Party",
        ("history", 3): "VoterID",
        ("history", 4): "Vote_Code",
    }


def test_a_file_without_a_header_of_another_width_is_refused_before_anything_is_read(db, tmp_path):
    voters, _ = _nv_files(tmp_path, ["11,Washoe,AL,ROE"], [])
    with pytest.raises(ValidationFailed) as caught:
        voter_file_import(actor=None, layout="nv", voters=voters)
    assert caught.value.code == "voter_import_layout"
    assert "first line has 4 fields where the layout, which has no header row, has 24" in (
        caught.value.message
    )
    assert VoterRecord.objects.count() == 0
