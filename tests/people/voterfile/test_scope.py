"""A voters file much smaller than the state on file is not taken for the whole state unasked:
the import stops before writing until told ``--partial`` or ``--replace-state``, and
``--dry-run`` says what either would do, writing nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ValidationFailed
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
from groundgame.people.services import ImportScope, voter_file_dry_run, voter_file_import
from tests.people.voterfile.test_run import cli
from tests.people.voterfile.voter_files_helpers import ballot_line, voter_line, write_pair

STATE = [voter_line(f"S{i:02d}", res_street_address=f"{i} OAK ST") for i in range(20)]
STATE_BALLOTS = [ballot_line(f"S{i:02d}", "11/03/2020") for i in range(20)]


def _import(files, **kwargs):
    return voter_file_import(actor=None, layout="nc", voters=files[0], history=files[1], **kwargs)


def _everything():
    """Every row a voter-file import writes, to compare before and after."""
    return {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (
            Household, Person, VoterRecord, VoteHistory, ExternalId, VoterChange, VoterImport,
            VoterImportRowError, AuditEvent,
        )
    }  # fmt: skip


@pytest.fixture
def state_on_file(db, tmp_path):
    _import(write_pair(tmp_path / "state", STATE, STATE_BALLOTS))


# A county's worth: two voters of the 20 on file, one changed, and one new.
COUNTY = [
    voter_line("S00", res_street_address="0 OAK ST"),
    voter_line("S01", res_street_address="1 OAK ST", party_cd="REP"),
    voter_line("N01", res_street_address="9 ELM ST"),
]
COUNTY_BALLOTS = [ballot_line("S00", "11/05/2024"), ballot_line("N01", "11/05/2024")]


def test_a_small_file_is_refused_before_anything_is_written(state_on_file, tmp_path):
    before = _everything()
    with pytest.raises(ValidationFailed) as caught:
        _import(write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS))
    assert caught.value.code == "voter_import_scope"
    assert caught.value.field == "scope"
    message = caught.value.message
    assert "The file has 3 voters; 20 NC voters are on file." in message
    assert "mark at least 17 of them as no longer on the rolls" in message
    assert "--partial" in message
    assert "--replace-state" in message
    assert _everything() == before


def test_partial_adds_and_updates_and_marks_nobody_missing(state_on_file, tmp_path):
    run = _import(
        write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS), scope=ImportScope.PARTIAL
    ).run
    assert (run.rows_new, run.rows_updated, run.rows_unchanged) == (1, 1, 1)
    assert (run.history_new, run.marked_missing, run.partial) == (2, 0, True)
    assert not VoterRecord.objects.filter(missing_since__isnull=False).exists()
    assert VoterRecord.objects.get(state_voter_id="S01").party == "REP"
    assert VoterRecord.objects.count() == 21


def test_the_imports_page_says_a_partial_run_marked_nobody_missing(
    state_on_file, tmp_path, campaign, make_staff, client_for
):
    _import(write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS), scope=ImportScope.PARTIAL)
    admin = client_for(make_staff(role="admin", unit=campaign.national))
    page = admin.get("/people/imports/").content.decode()
    assert page.count("none: partial</span>") == 1  # the partial run, not the first


def test_replace_state_marks_every_voter_the_file_does_not_list(state_on_file, tmp_path):
    run = _import(
        write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS), scope=ImportScope.REPLACE_STATE
    ).run
    assert (run.marked_missing, run.partial) == (18, False)
    missing = set(
        VoterRecord.objects.filter(missing_since__isnull=False).values_list(
            "state_voter_id", flat=True
        )
    )
    assert missing == {f"S{i:02d}" for i in range(2, 20)}


def test_a_file_of_nine_tenths_of_the_state_is_taken_for_the_whole_state(state_on_file, tmp_path):
    eighteen = write_pair(tmp_path / "18", STATE[:18], name="18")
    assert _import(eighteen).run.marked_missing == 2
    # 18 on the rolls now: 16 lines are under nine tenths of them.
    sixteen = write_pair(tmp_path / "16", STATE[:16], name="16")
    with pytest.raises(ValidationFailed):
        _import(sixteen)


def test_a_dry_run_counts_what_the_import_would_do_and_writes_nothing(state_on_file, tmp_path):
    county = [*COUNTY, voter_line("B01", last_name=""), voter_line("S00")]  # bad, duplicate
    files = write_pair(
        tmp_path / "county", county, [*COUNTY_BALLOTS, ballot_line("NO", "11/05/2024")]
    )
    before = _everything()
    forecast, _ = voter_file_dry_run(layout="nc", voters=files[0], history=files[1])
    partial, _ = voter_file_dry_run(
        layout="nc", voters=files[0], history=files[1], scope=ImportScope.PARTIAL
    )
    assert _everything() == before
    assert (forecast.state, forecast.on_rolls, forecast.rows_read) == ("NC", 20, 5)
    assert (forecast.rows_new, forecast.rows_updated, forecast.rows_unchanged) == (1, 1, 1)
    assert (forecast.rows_rejected, forecast.history_new, forecast.history_rejected) == (2, 2, 1)
    assert (forecast.marked_missing, partial.marked_missing) == (18, 0)
    assert [(p.file, p.line, p.field) for p in forecast.problems] == [
        ("voters", 5, "last_name"),
        ("voters", 6, "state_voter_id"),
        ("history", 4, "ncid"),
    ]
    run = _import(files, scope=ImportScope.REPLACE_STATE).run
    assert (run.rows_new, run.rows_updated, run.rows_unchanged, run.rows_rejected) == (1, 1, 1, 2)
    assert (run.history_new, run.marked_missing) == (2, 18)


def test_a_resumed_partial_run_stays_partial(state_on_file, tmp_path):
    files = write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS)

    def stop(phase: str, done: int, total: int) -> None:
        if phase == "voters" and done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _import(files, scope=ImportScope.PARTIAL, batch_size=1, progress=stop)
    run = VoterImport.objects.latest("pk")
    with pytest.raises(ValidationFailed, match="keeps the scope it was started with"):
        _import(files, resume=run.pk, scope=ImportScope.REPLACE_STATE)
    resumed = _import(files, resume=run.pk).run
    assert (resumed.status, resumed.partial, resumed.marked_missing) == ("completed", True, 0)
    assert not VoterRecord.objects.filter(missing_since__isnull=False).exists()


# -- the dry run's forecast is the import's outcome -----------------------------------------------

_ids = st.sampled_from([f"P{i}" for i in range(8)])
_row = st.fixed_dictionaries(
    {
        "ncid": _ids,
        "status_cd": st.sampled_from(["A", "I", "?"]),
        "party_cd": st.sampled_from(["DEM", "REP"]),
        "res_street_address": st.sampled_from(["1 A ST", "2 B ST"]),
        "last_name": st.sampled_from(["SMITH", "JONES", ""]),
    }
)
_ballot = st.tuples(
    st.sampled_from([f"P{i}" for i in range(10)]), st.sampled_from(["11/03/2020", "11/05/2024"])
)
_file = st.tuples(st.lists(_row, max_size=8), st.lists(_ballot, max_size=8))


class DryRunProperties(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=_file, second=_file, partial=st.booleans())
    def test_the_forecast_is_what_the_import_then_does(self, first, second, partial):
        import tempfile
        from pathlib import Path

        scope = ImportScope.PARTIAL if partial else ImportScope.REPLACE_STATE
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for n, (rows, ballots) in enumerate((first, second)):
                files.append(
                    write_pair(
                        Path(tmp), rows, [ballot_line(i, d) for i, d in ballots], name=str(n)
                    )
                )
            _import(files[0], scope=ImportScope.REPLACE_STATE)
            before = _everything()
            forecast, _ = voter_file_dry_run(
                layout="nc", voters=files[1][0], history=files[1][1], scope=scope
            )
            assert _everything() == before
            outcome = _import(files[1], scope=scope)
            assume(not outcome.already_imported)  # the same file twice: nothing to compare
            run = outcome.run
        expected = (
            run.rows_read, run.rows_new, run.rows_updated, run.rows_unchanged,
            run.rows_rejected, run.history_new, run.marked_missing,
        )  # fmt: skip
        assert (
            forecast.rows_read, forecast.rows_new, forecast.rows_updated, forecast.rows_unchanged,
            forecast.rows_rejected, forecast.history_new, forecast.marked_missing,
        ) == expected  # fmt: skip
        errors = VoterImportRowError.objects.filter(run=run)
        assert sorted((p.file, p.line, p.field) for p in forecast.problems) == sorted(
            errors.values_list("file", "row_number", "field")
        )


# -- through the command line ---------------------------------------------------------------------


def test_the_command_refuses_a_small_file_and_takes_partial_replace_state_and_dry_run(tmp_path):
    state = write_pair(tmp_path / "state", STATE, STATE_BALLOTS)
    county = write_pair(tmp_path / "county", COUNTY, COUNTY_BALLOTS)
    args = ["voters", "import", "--layout", "nc", "--voters"]
    first = cli(*args, str(state[0]), "--history", str(state[1]), home=tmp_path)
    assert first.returncode == 0, first.stderr

    refused = cli(*args, str(county[0]), home=tmp_path)
    assert refused.returncode == 2
    assert "The file has 3 voters; 20 NC voters are on file." in refused.stderr
    assert "Traceback" not in refused.stderr

    dry = cli(*args, str(county[0]), "--history", str(county[1]), "--dry-run", home=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run, nothing written: 3 rows read: 1 would be added, 1 updated, 1 unchanged" in (
        dry.stdout
    )
    assert "18 of the 20 NC voters on file would be marked no longer on the rolls" in dry.stdout

    both = cli(*args, str(county[0]), "--partial", "--replace-state", home=tmp_path)
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr

    partial = cli(*args, str(county[0]), "--history", str(county[1]), "--partial", home=tmp_path)
    assert partial.returncode == 0, partial.stderr
    assert "a part of the state: nobody marked missing" in partial.stdout

    replaced = cli(*args, str(county[0]), "--replace-state", home=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert "18 voters no longer on the file marked missing" in replaced.stdout
