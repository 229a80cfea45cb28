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
