"""The states' files: a synthetic file of each state imported through the real import (its
people, households, voter records and vote history land, and each dirty line is reported with
its number and the column at fault), and the reader's abilities the states brought (election
columns that say how the ballot was cast, files without a header row, counties by name,
election days the columns do not give)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from groundgame.core.errors import ValidationFailed
from groundgame.demo import state_files
from groundgame.people.models import (
    Household,
    Person,
    VoteHistory,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import voter_file_dry_run, voter_file_import
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.layouts import az, nv, wi
from tests.people.voterfile.voter_files_helpers import cli


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


STATES = {
    "az": "AZ", "fl": "FL", "ga": "GA", "mi": "MI", "nv": "NV", "pa": "PA", "wi": "WI",
}  # fmt: skip


@pytest.mark.parametrize("layout", sorted(STATES))
def test_a_generated_file_lands_with_its_history_and_its_bad_lines_reported(db, tmp_path, layout):
    files = state_files.write(layout, tmp_path, rows=400, seed=7, dirty_rate=0.03)
    voters_rejected = [r for r in files.rejected if r[0] == "voters"]
    # Every state's file has bad voter lines; those with ballot lines, bad ballot lines too.
    assert voters_rejected
    history_lines = files.history_path is not None and layout != "pa"
    assert any(r[0] == "history" for r in files.rejected) == history_lines

    run = voter_file_import(
        actor=None, layout=layout, voters=files.voters_path, history=files.history_path
    ).run

    assert run.status == "completed"
    assert run.rows_read == files.voters == 400
    assert run.rows_new == files.loaded == 400 - len(voters_rejected)
    assert run.rows_rejected == len(voters_rejected)
    state = STATES[layout]
    assert VoterRecord.objects.filter(state=state).count() == files.loaded
    assert Person.objects.count() == files.loaded
    assert Household.objects.filter(state=state).count() == files.households
    assert VoteHistory.objects.count() == run.history_new == files.ballots > files.loaded
    reported = set(VoterImportRowError.objects.values_list("file", "row_number", "field"))
    assert reported == set(files.rejected)

    sample = files.sample
    record = VoterRecord.objects.select_related("person__household").get(
        state=state, state_voter_id=sample.state_voter_id
    )
    assert (record.person.first_name, record.person.last_name) == (
        sample.first_name,
        sample.last_name,
    )
    assert record.person.birth_date == sample.birth_date
    household = record.person.household
    assert household.county_fips == record.county_fips == sample.county_fips
    # Wisconsin's city is read out of its "CITY WI 53703" line.
    assert (household.city, household.zip5) == (sample.city, sample.zip5)
    assert (record.party, record.status, record.registered_on) == (
        sample.party,
        sample.status,
        sample.registered_on,
    )
    history = record.history.order_by("election_date").values_list("election_date", "method")
    assert tuple(history) == sample.ballots


@pytest.mark.parametrize("layout", sorted(STATES))
def test_a_dry_run_of_a_generated_file_forecasts_what_its_import_does(db, tmp_path, layout):
    # Pennsylvania's history file is its election map: the dry run reads it to date the
    # election columns, not as ballots.
    files = state_files.write(layout, tmp_path, rows=200, seed=11, dirty_rate=0.05)
    forecast, _ = voter_file_dry_run(
        layout=layout, voters=files.voters_path, history=files.history_path
    )
    assert VoterRecord.objects.count() == 0
    run = voter_file_import(
        actor=None, layout=layout, voters=files.voters_path, history=files.history_path
    ).run
    assert (forecast.rows_read, forecast.rows_new, forecast.rows_rejected) == (
        run.rows_read,
        run.rows_new,
        run.rows_rejected,
    )
    assert forecast.history_new == run.history_new == files.ballots
    history_rejected = sum(1 for r in files.rejected if r[0] == "history")
    assert forecast.history_rejected == history_rejected


def test_rejected_lines_name_the_reason(db, tmp_path):
    files = state_files.write("ga", tmp_path, rows=400, seed=7, dirty_rate=0.03)
    voter_file_import(actor=None, layout="ga", voters=files.voters_path, history=files.history_path)
    reasons = dict(
        VoterImportRowError.objects.values_list("field", "reason").order_by("row_number")
    )
    assert reasons["Absentee+Provisional"] == "unknown voting method 'Q/N'"
    assert re.fullmatch(r"no voter '99\d{6}' on file", reasons["Registration Number"])
    assert reasons["REGISTRATION_DATE"] == "'13/45/2020' is not a date (%Y%m%d)"


def test_the_synthetic_files_are_the_same_for_the_same_seed(tmp_path):
    one = state_files.write("az", tmp_path / "one", rows=50, seed=3)
    two = state_files.write("az", tmp_path / "two", rows=50, seed=3)
    assert one.voters_path.read_bytes() == two.voters_path.read_bytes()


def test_the_command_line_writes_a_state_file_imports_it_and_reports_its_bad_lines(tmp_path):
    out = tmp_path / "files"
    synth = cli(
        "voters", "synth", "--layout", "fl", "--rows", "300", "--seed", "7",
        "--dirty-rate", "0.03", "--out", str(out), home=tmp_path,
    )  # fmt: skip
    assert synth.returncode == 0, synth.stderr
    files = state_files.write("fl", tmp_path / "same", rows=300, seed=7, dirty_rate=0.03)
    voters, history = out / files.voters_path.name, out / files.history_path.name
    assert voters.read_bytes() == files.voters_path.read_bytes()
    rejected = len([r for r in files.rejected if r[0] == "voters"])
    assert f"Wrote 300 voters in {files.households} households" in synth.stdout

    result = cli(
        "voters", "import", "--layout", "fl", "--voters", str(voters), "--history",
        str(history), home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (
        f"Run 1: 300 rows read: {300 - rejected} new, 0 updated, 0 unchanged, "
        f"{rejected} rejected; {files.ballots:,} ballots added" in result.stdout
    )
    report = tmp_path / "errors.csv"
    assert cli("voters", "report", "1", "--out", str(report), home=tmp_path).returncode == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(files.rejected)
    file, row, column = files.rejected[0]
    assert any(line.startswith(f"{file},{row},{column},") for line in lines)
    unknown = cli("voters", "synth", "--layout", "zz", "--rows", "1", "--out", str(out),
                  home=tmp_path)  # fmt: skip
    assert unknown.returncode == 2
    assert "written in the layouts nc, az, fl, ga, mi, nv, pa, wi, not 'zz'" in unknown.stderr
