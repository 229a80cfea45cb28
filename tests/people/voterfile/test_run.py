"""Importing North Carolina's voter file: idempotent, changes recorded, bad rows reported,
resumable after a crash."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ValidationFailed
from groundgame.people import selectors
from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterChange,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import voter_file_import
from tests.people.voterfile.voter_files_helpers import (
    ballot_line,
    cli,
    voter_line,
    write_pair,
)


def nc_import(voters: Path, history: Path | None = None, **kwargs):
    return voter_file_import(actor=None, layout="nc", voters=voters, history=history, **kwargs)


FIRST = [
    voter_line("AA1", first_name="ANN", res_street_address="100 MAIN ST"),
    voter_line("AA2", first_name="BEN", res_street_address="100 Main St."),  # same household
    voter_line(
        "AA3",
        first_name="CY",
        county_id="92",
        res_street_address="9 OAK RD APT 2",
        res_city_desc="RALEIGH",
        zip_code="27601",
        party_cd="REP",
    ),
]
FIRST_BALLOTS = [
    ballot_line("AA1", "11/08/2016"),
    ballot_line("AA1", "11/03/2020", "ABSENTEE BY MAIL"),
    ballot_line("AA2", "03/03/2020", "ABSENTEE ONESTOP", "PRIMARY"),
    ballot_line("AA3", "11/05/2024"),
]


def test_a_file_loads_people_households_voters_history_and_the_crosswalk(campaign, tmp_path):
    outcome = nc_import(*write_pair(tmp_path, FIRST, FIRST_BALLOTS))
    run = outcome.run
    assert (run.status, run.rows_read, run.rows_new, run.rows_rejected) == ("completed", 3, 3, 0)
    assert run.history_new == 4
    ann = VoterRecord.objects.get(state="NC", state_voter_id="AA1")
    ben = VoterRecord.objects.get(state_voter_id="AA2")
    cy = VoterRecord.objects.get(state_voter_id="AA3")
    assert ann.person.household_id == ben.person.household_id != cy.person.household_id
    assert str(cy.person.household) == "9 Oak Rd APT 2, Raleigh, NC 27601"
    assert (ann.county_fips, cy.county_fips) == ("37063", "37183")
    assert ann.person.org_unit == campaign.durham
    assert cy.person.org_unit == campaign.wake
    assert (ann.general_votes, ben.general_votes, cy.general_votes) == (2, 0, 1)
    assert ann.registered_on == dt.date(2010, 1, 15)
    assert ann.person.first_name == "Ann"
    assert ExternalId.objects.filter(system="state_voter", external_id="NC:AA1").exists()
    assert VoteHistory.objects.get(voter=ann, election_date=dt.date(2020, 11, 3)).method == "mail"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"voter_import.voters_batch", "voter_import.history_batch"} <= actions


def test_the_same_files_again_change_nothing(db, tmp_path):
    files = write_pair(tmp_path, FIRST, FIRST_BALLOTS)
    first = nc_import(*files)
    before = (Person.objects.count(), VoteHistory.objects.count(), AuditEvent.objects.count())
    again = nc_import(*files)
    assert again.already_imported
    assert again.run.pk == first.run.pk
    assert VoterImport.objects.count() == 1
    after = (Person.objects.count(), VoteHistory.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_a_newer_file_records_moves_changes_new_history_and_missing_voters(campaign, tmp_path):
    nc_import(*write_pair(tmp_path, FIRST, FIRST_BALLOTS, name="old"))
    newer = [
        # Ann moves to Guilford; Ben turns inactive and changes party; AA3 is gone; AA4 is new.
        voter_line(
            "AA1",
            county_id="41",
            res_street_address="5 ELM ST",
            res_city_desc="GREENSBORO",
            zip_code="27401",
        ),
        voter_line("AA2", first_name="ben", status_cd="I", party_cd="UNA"),  # odd case: no rename
        voter_line("AA4", first_name="DEE", last_name="JONES"),
    ]
    ballots = [*FIRST_BALLOTS, ballot_line("AA1", "11/05/2024"), ballot_line("AA4", "11/05/2024")]
    run = nc_import(*write_pair(tmp_path, newer, ballots, name="new")).run
    assert (run.rows_new, run.rows_updated, run.rows_unchanged) == (1, 2, 0)
    assert (run.history_new, run.marked_missing) == (2, 1)
    kinds = sorted(VoterChange.objects.filter(run=run).values_list("voter__state_voter_id", "kind"))
    assert kinds == [("AA1", "moved"), ("AA2", "party"), ("AA2", "status"), ("AA3", "missing")]
    ann = VoterRecord.objects.get(state_voter_id="AA1")
    assert ann.county_fips == "37081"
    assert ann.person.org_unit == campaign.guilford
    assert ann.general_votes == 3
    moved = VoterChange.objects.get(run=run, kind="moved")
    assert moved.before["address"] == "100 Main St, Durham, 27701"
    assert moved.after["address"] == "5 Elm St, Greensboro, 27401"
    gone = VoterRecord.objects.get(state_voter_id="AA3")
    assert gone.missing_since is not None  # kept, never deleted
    assert VoteHistory.objects.filter(voter=gone).count() == 1

    # AA3 comes back.
    back = nc_import(*write_pair(tmp_path, [*newer, FIRST[2]], ballots, name="back")).run
    assert VoterChange.objects.filter(run=back, kind="returned").count() == 1
    assert VoterRecord.objects.get(state_voter_id="AA3").missing_since is None
    assert VoterRecord.objects.filter(state="NC").count() == 4


def test_bad_rows_are_reported_and_good_rows_load(db, tmp_path):
    voters = [
        voter_line("GOOD1"),
        voter_line("BAD1", registr_dt="13/45/2019"),
        voter_line("BAD2", last_name=""),
        voter_line("BAD3", party_cd="XYZ"),
        voter_line("BAD4", county_id="500"),
        voter_line("GOOD1", first_name="TWIN"),  # a duplicate id in the file
        voter_line("BAD5") + "\textra",
        "\t".join(voter_line("GOOD2").split("\t")[:10]),  # too few fields
        voter_line("GOOD3", first_name=" zoë  "),
    ]
    ballots = [ballot_line("NOBODY", "11/05/2024"), ballot_line("GOOD1", "99/99/2024")]
    voters_path, history_path = write_pair(tmp_path, voters, ballots)
    # The last line is cut short, as by an interrupted download, and one line is Latin-1.
    raw = voters_path.read_bytes().rstrip(b"\n") + b"\n" + voter_line("GOOD4").encode()[:-40]
    raw += b"\n" + voter_line("GOOD5", first_name="REN\xc9E").encode("latin-1")
    raw += b"\n" + voter_line("GOOD6").encode()[:120]
    voters_path.write_bytes(raw)
    outcome = nc_import(voters_path, history_path)
    run = outcome.run
    errors = {
        (e.file, e.row_number): (e.field, e.reason) for e in VoterImportRowError.objects.all()
    }
    assert errors[("voters", 3)] == ("registr_dt", "'13/45/2019' is not a date (%m/%d/%Y)")
    assert errors[("voters", 4)] == ("last_name", "missing")
    assert errors[("voters", 5)] == ("party_cd", "unknown party code 'XYZ'")
    assert errors[("voters", 6)] == ("county_id", "unknown county '500'")
    assert errors[("voters", 7)] == ("state_voter_id", "duplicate voter id 'GOOD1'")
    assert errors[("voters", 8)][1] == "68 fields where the header has 67"
    assert errors[("voters", 9)][1] == "10 fields where the header has 67"
    assert errors[("voters", 11)][1].endswith("fields where the header has 67")
    assert errors[("voters", 13)][1].startswith("truncated last line")
    assert errors[("history", 2)] == ("ncid", "no voter 'NOBODY' on file")
    assert errors[("history", 3)][0] == "election_lbl"
    assert run.rows_rejected == 9
    loaded = set(VoterRecord.objects.values_list("state_voter_id", flat=True))
    assert loaded == {"GOOD1", "GOOD3", "GOOD5"}
    assert Person.objects.get(voter_record__state_voter_id="GOOD3").first_name == "Zoë"
    assert Person.objects.get(voter_record__state_voter_id="GOOD5").first_name == "Renée"
    assert any("Latin-1" in note for note in outcome.notes)

    out = tmp_path / "report.csv"
    with out.open("w", newline="") as f:
        assert selectors.voter_import_error_report(run.pk, f) == 11
    assert out.read_text().splitlines()[0] == "file,row,field,reason,line"


def test_a_line_with_a_nul_is_refused_alone_and_the_rest_loads(db, tmp_path):
    # PostgreSQL stores no NUL: one in a field failed the whole load, and every resume of it.
    voters = [
        voter_line("GOOD1"),
        voter_line("NUL1", first_name="AN\x00N"),
        voter_line("GOOD2", first_name="BEN"),
    ]
    ballots = [ballot_line("GOOD1", "11/05/2024"), ballot_line("GOOD2", "11/05/2024") + "\x00"]
    voters_path, history_path = write_pair(tmp_path, voters, ballots)
    run = nc_import(voters_path, history_path).run
    errors = {(e.file, e.row_number): e for e in VoterImportRowError.objects.all()}
    assert set(errors) == {("voters", 3), ("history", 3)}
    assert "control characters" in errors[("voters", 3)].reason
    # The line is kept for the report, without the character no database stores.
    assert errors[("voters", 3)].raw.startswith(voter_line("NUL1", first_name="ANN")[:40])
    assert run.rows_rejected == 1
    loaded = set(VoterRecord.objects.values_list("state_voter_id", flat=True))
    assert loaded == {"GOOD1", "GOOD2"}
    assert VoteHistory.objects.count() == 1
    again = nc_import(voters_path, history_path).run
    assert again.rows_rejected == 1
    assert set(VoterRecord.objects.values_list("state_voter_id", flat=True)) == loaded


def test_a_file_of_another_layout_is_refused_and_nothing_is_written(db, tmp_path):
    path = tmp_path / "SWVF_1_22.txt"
    path.write_text('"SOS_VOTERID","COUNTY_NUMBER","LAST_NAME"\n"OH1","25","DOE"\n')
    with pytest.raises(ValidationFailed) as caught:
        nc_import(path)
    assert "missing columns county_id, county_desc" in caught.value.message
    assert "SOS_VOTERID" in caught.value.message
    assert VoterImport.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_staff_page_lists_runs_and_serves_each_error_report(
    campaign, make_staff, client_for, tmp_path
):
    nc_import(*write_pair(tmp_path, [voter_line("X1"), voter_line("X2", party_cd="??")]))
    admin = client_for(make_staff(role="admin", unit=campaign.national))
    page = admin.get("/people/imports/")
    assert page.status_code == 200
    assert b"Voter-file imports" in page.content
    run = VoterImport.objects.get()
    report = admin.get(f"/people/imports/{run.pk}/errors.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert b"unknown party code '??'" in report.content
    organizer = client_for(make_staff(role="organizer", unit=campaign.durham))
    assert organizer.get("/people/imports/").status_code == 403
    assert organizer.get(f"/people/imports/{run.pk}/errors.csv").status_code == 403


# -- through the command line, in a child process ----------------------------------------------


def test_cli_wrong_layout_is_one_line_and_exit_2(tmp_path):
    voters, _ = write_pair(tmp_path, [voter_line("A1")])
    result = cli("voters", "import", "--layout", "oh", "--voters", str(voters), home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing columns SOS_VOTERID" in result.stderr
    listing = cli("voters", "imports", home=tmp_path)
    assert len(listing.stdout.strip().splitlines()) == 1  # the header: no run was recorded


def test_cli_exit_2_when_no_row_could_load_and_the_report(tmp_path):
    voters, _ = write_pair(
        tmp_path, [voter_line("A1", party_cd="?"), voter_line("A2", zip_code="x")]
    )
    result = cli("voters", "import", "--layout", "nc", "--voters", str(voters), home=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "no row of the voters file could be loaded" in result.stderr
    report = tmp_path / "errors.csv"
    assert cli("voters", "report", "1", "--out", str(report), home=tmp_path).returncode == 0
    assert "unknown party code '?'" in report.read_text()
    assert "'x' is not a ZIP code" in report.read_text()


@pytest.mark.slow
def test_a_killed_import_resumes_and_loads_every_row_exactly_once(tmp_path):
    rows = 4_000
    voters = [voter_line(f"K{i:05d}", res_street_address=f"{i} PINE ST") for i in range(rows)]
    ballots = [ballot_line(f"K{i:05d}", "11/05/2024") for i in range(rows)]
    voters_path, history_path = write_pair(tmp_path, voters, ballots)
    assert cli("migrate", home=tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["GROUNDGAME_HOME"] = str(tmp_path)
    args = ["voters", "import", "--layout", "nc", "--voters", str(voters_path),
            "--history", str(history_path), "--batch-size", "50"]  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "groundgame", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    database = tmp_path / "groundgame.sqlite3"
    deadline = time.monotonic() + 120
    checkpoint = 0
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with sqlite3.connect(database, timeout=1) as db:
                found = db.execute("SELECT checkpoint_row FROM people_voterimport").fetchone()
        except sqlite3.OperationalError:
            found = None
        checkpoint = found[0] if found else 0
        if checkpoint > 500:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)  # no chance to clean up: as a power cut
    child.wait()
    assert 0 < checkpoint < rows, "the import finished before it could be killed"

    again = cli(*args[:-2], home=tmp_path)
    assert again.returncode == 2
    assert "--resume 1" in again.stderr
    resumed = cli(*args, "--resume", "1", home=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(database) as db:
        status, read, new, ballots_added = db.execute(
            "SELECT status, rows_read, rows_new, history_new FROM people_voterimport"
        ).fetchone()
        voters_loaded = db.execute("SELECT COUNT(*) FROM people_voterrecord").fetchone()[0]
        people = db.execute("SELECT COUNT(*) FROM people_person").fetchone()[0]
        history = db.execute("SELECT COUNT(*) FROM people_votehistory").fetchone()[0]
        errors = db.execute("SELECT COUNT(*) FROM people_voterimportrowerror").fetchone()[0]
    assert (status, read, new, ballots_added) == ("completed", rows, rows, rows)
    assert (voters_loaded, people, history, errors) == (rows, rows, rows, 0)


# -- any sequence of files ---------------------------------------------------------------------

_ids = st.sampled_from([f"P{i}" for i in range(6)])
_row = st.fixed_dictionaries(
    {
        "ncid": _ids,
        "status_cd": st.sampled_from(["A", "I", "R"]),
        "party_cd": st.sampled_from(["DEM", "REP", "UNA"]),
        "res_street_address": st.sampled_from(["1 A ST", "2 B ST", "1 a st."]),
        "last_name": st.sampled_from(["SMITH", "smith", "JONES"]),
    }
)
_ballot = st.tuples(_ids, st.sampled_from(["11/08/2016", "11/03/2020", "11/05/2024"]))
_files = st.lists(
    st.tuples(st.lists(_row, max_size=6), st.lists(_ballot, max_size=6)), min_size=1, max_size=3
)


class ImportSequenceProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(files=_files, scope=st.sampled_from(("partial", "replace_state")))
    def test_one_record_per_voter_id_and_unique_history(self, files, scope):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for n, (rows, ballots) in enumerate(files):
                voters_path, history_path = write_pair(
                    Path(tmp), rows, [ballot_line(i, d) for i, d in ballots], name=str(n)
                )
                nc_import(voters_path, history_path, scope=scope)
                ids = [r["ncid"] for r in rows]
                listed = set(VoterRecord.objects.values_list("state_voter_id", flat=True))
                assert set(ids) <= listed
        records = list(VoterRecord.objects.values_list("state", "state_voter_id"))
        assert len(records) == len(set(records))
        assert Person.objects.count() == len(records)
        history = list(VoteHistory.objects.values_list("voter_id", "election_date"))
        assert len(history) == len(set(history))
        for record in VoterRecord.objects.all():
            generals = record.history.count()  # every date here is a presidential general
            assert record.general_votes == generals
        assert Household.objects.count() <= 2 * max(1, len(files))


# -- PostgreSQL's staged history and a first load's deferred indexes -----------------------------


class _Stop(Exception):
    pass


def test_an_import_stopped_mid_file_resumes_with_each_ballot_and_count_once(db, tmp_path):
    voters = [voter_line(f"R{i}", res_street_address=f"{i} PINE ST") for i in range(6)]
    voters.append(voter_line("R9", registr_dt="99/99/2019"))  # rejected: not on file
    ballots = [ballot_line(f"R{i}", day) for i in range(6) for day in ("11/03/2020", "11/05/2024")]
    ballots += [
        ballot_line("R0", "11/05/2024", "ABSENTEE BY MAIL"),
        ballot_line("NOPE", "11/05/2024"),
    ]
    files = write_pair(tmp_path, voters, ballots)

    def stop(phase: str, done: int, total: int) -> None:
        if phase == "voters" and done >= 2:
            raise _Stop

    with pytest.raises(_Stop):
        nc_import(*files, batch_size=2, progress=stop)
    run = VoterImport.objects.get()
    assert run.status == "failed"
    run = nc_import(*files, resume=run.pk, batch_size=2).run
    assert (run.status, run.rows_new, run.rows_rejected, run.history_new) == ("completed", 6, 1, 12)
    assert VoteHistory.objects.count() == 12
    # The first line of a voter and election wins, as when the files are read in one go.
    assert (
        VoteHistory.objects.get(
            voter__state_voter_id="R0", election_date=dt.date(2024, 11, 5)
        ).method
        == "election_day"
    )
    assert set(VoterRecord.objects.values_list("general_votes", flat=True)) == {2}
    reasons = sorted(VoterImportRowError.objects.values_list("file", "row_number", "reason"))
    assert reasons[0] == ("history", 15, "no voter 'NOPE' on file")
    assert [(f, n) for f, n, _ in reasons] == [("history", 15), ("voters", 8)]


def _indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'people_%%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="a first load defers indexes on PostgreSQL only",
)
def test_a_first_load_builds_the_indexes_it_deferred_and_a_second_load_keeps_them(
    db, tmp_path, monkeypatch
):
    from groundgame.people.voterfile import indexes

    monkeypatch.setattr(indexes, "DEFER_INDEXES_FROM_BYTES", 0)
    before = _indexes()
    # The indexes there are while the voters load, batch by batch.
    during: list[set[str]] = []

    def look(phase: str, done: int, total: int) -> None:
        # A first load copies every table in its "copying" stage; later runs load "voters".
        if phase in ("voters", "copying"):
            during.append(_indexes())

    run = nc_import(*write_pair(tmp_path, FIRST, FIRST_BALLOTS), progress=look).run
    assert during
    dropped = before - during[0]
    assert "person_name_idx" in dropped
    assert "household_address_idx" not in dropped  # the import reads it
    assert run.deferred_indexes == []
    assert _indexes() == before
    assert sorted(VoterRecord.objects.values_list("general_votes", flat=True)) == [0, 1, 2]
    newer = [*FIRST, voter_line("AA4")]
    during.clear()
    run = nc_import(*write_pair(tmp_path, newer, FIRST_BALLOTS, name="b"), progress=look).run
    assert (run.rows_new, run.rows_unchanged, run.deferred_indexes) == (1, 3, [])
    assert during
    assert all(seen == before for seen in during)
    assert _indexes() == before


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="the history file is staged on PostgreSQL only",
)
def test_a_staged_history_emptied_after_the_voters_file_is_read_again(db, tmp_path, monkeypatch):
    """A database restart empties the unlogged staged history. A run stopped after its voters
    file, before the ballots no voter of the file took, still adds them when resumed: a
    ballot of a voter on file that the newer file no longer lists, and the report of a ballot
    of an unknown voter."""
    from django.db import connection

    from groundgame.people.voterfile import run as voterfile_run

    nc_import(*write_pair(tmp_path, FIRST, FIRST_BALLOTS))
    rest = voterfile_run._history_rest

    def stop(batcher):
        raise _Stop

    monkeypatch.setattr(voterfile_run, "_history_rest", stop)
    ballots = [*FIRST_BALLOTS, ballot_line("AA3", "11/03/2020"), ballot_line("NOPE", "11/05/2024")]
    files = write_pair(tmp_path, FIRST[:2], ballots, name="b")  # AA3 is no longer listed
    with pytest.raises(_Stop):
        nc_import(*files, scope="replace_state")  # two voters of three: the whole state
    run = VoterImport.objects.latest("pk")
    assert run.history_checkpoint_row == 1  # the voters file is done
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {voterfile_run._stage_table(run)}")
    monkeypatch.setattr(voterfile_run, "_history_rest", rest)
    run = nc_import(*files, resume=run.pk).run
    assert (run.status, run.history_new) == ("completed", 1)
    gone = VoterRecord.objects.get(state_voter_id="AA3")
    assert gone.missing_since is not None
    assert sorted(gone.history.values_list("election_date", flat=True)) == [
        dt.date(2020, 11, 3),
        dt.date(2024, 11, 5),
    ]
    assert gone.general_votes == 2
    assert list(run.row_errors.values_list("file", "reason")) == [
        ("history", "no voter 'NOPE' on file")
    ]
