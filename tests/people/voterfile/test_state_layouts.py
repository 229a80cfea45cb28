"""Michigan's, Florida's, Pennsylvania's and Georgia's files, generated in their public layouts
and imported by the same importer: people, households, voter records and vote history land,
and each dirty line is reported with its number and the column at fault."""

from __future__ import annotations

import re

import pytest

from groundgame.demo import state_files
from groundgame.people.models import (
    Household,
    Person,
    VoteHistory,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import voter_file_import
from tests.people.voterfile.voter_files_helpers import cli

STATES = {"fl": "FL", "ga": "GA", "mi": "MI", "pa": "PA"}


@pytest.mark.parametrize("layout", sorted(STATES))
def test_a_generated_file_lands_with_its_history_and_its_bad_lines_reported(db, tmp_path, layout):
    files = state_files.write(layout, tmp_path, rows=400, seed=7, dirty_rate=0.03)
    voters_rejected = [r for r in files.rejected if r[0] == "voters"]
    assert (voters_rejected and any(r[0] == "history" for r in files.rejected)) or layout == "pa"

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
    assert record.person.household.county_fips == record.county_fips == sample.county_fips
    assert (record.party, record.status, record.registered_on) == (
        sample.party,
        sample.status,
        sample.registered_on,
    )
    history = record.history.order_by("election_date").values_list("election_date", "method")
    assert tuple(history) == sample.ballots


def test_rejected_lines_name_the_reason(db, tmp_path):
    files = state_files.write("ga", tmp_path, rows=400, seed=7, dirty_rate=0.03)
    voter_file_import(actor=None, layout="ga", voters=files.voters_path, history=files.history_path)
    reasons = dict(
        VoterImportRowError.objects.values_list("field", "reason").order_by("row_number")
    )
    assert reasons["Absentee+Provisional"] == "unknown voting method 'Q/N'"
    assert re.fullmatch(r"no voter '99\d{6}' on file", reasons["Registration Number"])
    assert reasons["REGISTRATION_DATE"] == "'13/45/2020' is not a date (%Y%m%d)"


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
    assert "written in the layouts nc, fl, ga, mi, pa, not 'zz'" in unknown.stderr
