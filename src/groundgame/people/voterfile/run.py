"""A run: the import of a state's files started, resumed or refused, read phase by phase
(history staged first on PostgreSQL, the voters file, the voters it no longer lists, the rest of
the history), failed with its reason or finished, and its outcome."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import ValidationFailed
from groundgame.people import errors
from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.models import (
    VoteHistory,
    VoterChange,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.voterfile import dryrun, firstload, indexes, layouts, sql, stream
from groundgame.people.voterfile.batch import Batcher
from groundgame.people.voterfile.layouts import Layout
from groundgame.people.voterfile.parse import (
    ElectionMap,
    HistoryParser,
    VoterParser,
    election_map,
)
from groundgame.people.voterfile.read import (
    Lines,
    check_header,
    data_lines,
    fingerprint,
    read_header,
    shortlist,
)
from groundgame.people.voterfile.report import Progress, RowError

# Rows per batch (and transaction). PostgreSQL's batches are set-based statements whose fixed
# cost (staging, planning, the commit) wants many rows; SQLite's write row by row.
BATCH_SIZE = {"postgresql": 200_000}
DEFAULT_BATCH_SIZE = 20_000


# What a new run does with the voters of the state its voters file does not list.
class Scope:
    # The file is the whole state, unless it is much smaller than the state on file: then
    # the run is refused, and the one importing says which of the two below it is.
    CHECK = "check"
    # A part of the state (a county, a day's new registrations): nobody is marked missing.
    PARTIAL = "partial"
    # The whole state: every voter of the state it does not list is marked missing.
    REPLACE_STATE = "replace_state"


SCOPES = (Scope.CHECK, Scope.PARTIAL, Scope.REPLACE_STATE)
# A voters file with fewer lines than this share of the state's voters on the rolls (not
# missing) is taken for a part of the state unless told otherwise. A state's newer file
# differs from the last by a few percent (registrations come and go: North Carolina's weekly
# file moves by under 1%); a tenth fewer is a county, a filtered extract or a cut-off
# download, not a purge.
SMALL_FILE_SHARE = 0.9


@dataclass
class Outcome:
    run: VoterImport
    # Set when the files equal a completed run's: nothing was done.
    already_imported: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        r = self.run
        return r.rows_new + r.rows_updated + r.rows_unchanged


def _readable(path: Path, what: str) -> Path:
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ValidationFailed(
            f"The {what} file {str(path)!r} does not exist or cannot be read.",
            code=errors.VOTER_IMPORT_FILE,
            field=what,
        )
    return path


def layout_for(name: str) -> Layout:
    try:
        return layouts.get(name)
    except KeyError:
        raise ValidationFailed(
            f"No voter-file layout {name!r}; known layouts: {', '.join(layouts.names())}.",
            code=errors.VOTER_IMPORT_LAYOUT,
            field="layout",
        ) from None


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValidationFailed(
            f"No import scope {scope!r}; one of {', '.join(SCOPES)}.",
            code=errors.VOTER_IMPORT_SCOPE,
            field="scope",
        )


class _CheckedFiles(NamedTuple):
    layout: Layout
    voter_header: list[str]
    history_header: list[str]
    elections: ElectionMap | None  # the history file's, when it is an election map
    notes: list[str]


def _checked_files(layout_name: str, voters: Path, history: Path | None) -> _CheckedFiles:
    """The layout, the files' columns (and election map) and notes about them, once the files
    are found readable and in the layout (else ``ValidationFailed``, before anything is read
    or written)."""
    layout = layout_for(layout_name)
    _readable(voters, "voters")
    if history is not None:
        _readable(history, "history")
        if not layout.has_history_file:
            raise ValidationFailed(
                f"The {layout.name} layout carries vote history in the voters file; "
                "it takes no history file.",
                code=errors.VOTER_IMPORT_FILE,
                field="history",
            )
    elif layout.has_election_map:
        raise ValidationFailed(
            f"The {layout.name} layout's election columns are dated by its election map: "
            "give that file as the history file.",
            code=errors.VOTER_IMPORT_FILE,
            field="history",
        )
    notes: list[str] = []
    voter_header = read_header(
        voters, layout.shape("voters"), layout.columns, what="voters", layout=layout
    )
    extra = check_header(voter_header, layout.columns, what="voters", layout=layout)
    history_header: list[str] = []
    elections: ElectionMap | None = None
    if history is not None:
        history_header = read_header(
            history,
            layout.shape("history"),
            layout.history_columns,
            what="history",
            layout=layout,
        )
        extra += check_header(history_header, layout.history_columns, what="history", layout=layout)
        if layout.has_election_map:
            # Read whole before anything is written: every voter's history needs it.
            lines = Lines(history, layout.shape("history"), len(history_header), skip_to=0)
            elections = election_map(layout, lines, history_header)
    if extra:
        notes.append(f"Columns not in the layout were ignored: {shortlist(extra)}.")
    return _CheckedFiles(layout, voter_header, history_header, elections, notes)


def dry_run(
    *,
    layout_name: str,
    voters: Path,
    history: Path | None = None,
    scope: str = Scope.CHECK,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> tuple[dryrun.Forecast, list[str]]:
    """What importing the files with ``scope`` would do, and notes about the files; nothing is
    written (see ``dryrun``). A small file with ``Scope.CHECK`` is counted as the whole state,
    as ``--replace-state`` would import it: the forecast shows what is at stake."""
    _check_scope(scope)
    layout, voter_header, history_header, elections, notes = _checked_files(
        layout_name, voters, history
    )
    forecast = dryrun.forecast(
        layout,
        voters,
        voter_header,
        history,
        history_header,
        elections=elections,
        partial=scope == Scope.PARTIAL,
        batch_size=batch_size or DEFAULT_BATCH_SIZE,
        progress=progress,
    )
    return forecast, notes


def run_import(
    *,
    actor: Actor,
    layout_name: str,
    voters: Path,
    history: Path | None = None,
    resume: int | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
    scope: str = Scope.CHECK,
) -> Outcome:
    """Import (or, with ``resume``, continue importing) a state's files; see the package.
    ``scope`` (``Scope``) says what a new run does with the voters the file does not list."""
    if batch_size is None:
        batch_size = BATCH_SIZE.get(connection.vendor, DEFAULT_BATCH_SIZE)
    _check_scope(scope)
    layout, voter_header, history_header, elections, notes = _checked_files(
        layout_name, voters, history
    )
    if resume is not None and scope != Scope.CHECK:
        raise ValidationFailed(
            "A resumed run keeps the scope it was started with; leave out --partial and "
            "--replace-state.",
            code=errors.VOTER_IMPORT_SCOPE,
            field="scope",
        )

    files = [voters] if history is None else [voters, history]
    print_hash = fingerprint(*files)
    # A vectorized first load that failed (rather than died) is resumed batch by batch.
    vectorized = resume is None or not VoterImport.objects.filter(pk=resume).exclude(error="")
    run = _start(actor, layout, voters, history, print_hash, resume, scope)
    if run is None:
        earlier = VoterImport.objects.filter(
            fingerprint=print_hash, status=VoterImport.Status.COMPLETED
        ).latest("pk")
        return Outcome(run=earlier, already_imported=True)

    if resume is None:
        indexes.defer_indexes(run, layout, voters)
    batcher = Batcher(run, layout, actor)
    # On PostgreSQL the history file is read first, into a table of the run's own: each
    # batch of voters then takes its ballots and general-election counts from it, and no
    # voter is written twice.
    staged = connection.vendor == "postgresql" and history is not None and elections is None
    try:
        if vectorized and _first_load(
            batcher, voters, voter_header, history, history_header, progress
        ):
            run.refresh_from_db()
            return Outcome(run=run, notes=notes)
        # Until the history file is closed (checkpoint 0: voters to load; 1: the rest of the
        # history to add): a resumed run finds its staged history, or reads it again when a
        # database restart emptied it.
        if staged and run.history_checkpoint_row <= 1:
            assert history is not None
            _history_stage_phase(batcher, history, history_header, batch_size, progress, notes)
        if run.history_checkpoint_row == 0:
            _voters_phase(batcher, voters, voter_header, elections, batch_size, progress, notes)
            _finish_voters(batcher)
        if staged:
            _history_rest(batcher)
        elif history is not None and elections is None:
            _history_phase(batcher, history, history_header, batch_size, progress, notes)
        _finish(batcher, progress)
    except BaseException as exc:
        # The run stays resumable from its checkpoint; say why it stopped.
        VoterImport.objects.filter(pk=run.pk).update(
            status=VoterImport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    run.refresh_from_db()
    return Outcome(run=run, notes=notes)


# A state's first file on PostgreSQL (its indexes deferred) is read whole in DuckDB and copied
# in (``firstload``); off, it goes batch by batch like every other load.
VECTORIZED_FIRST_LOAD = True


def _first_load(
    batcher: Batcher,
    voters: Path,
    voter_header: list[str],
    history: Path | None,
    history_header: list[str],
    progress: Progress | None,
) -> bool:
    """Load the files the vectorized way when this run is a first load not begun batch by
    batch; True when it did (and closed the run)."""
    run = batcher.run
    if not (VECTORIZED_FIRST_LOAD and run.deferred_indexes and run.checkpoint_row == 0):
        return False
    if run.history_staged_row or VoterRecord.objects.filter(state=run.state).exists():
        return False
    loaded = firstload.load(batcher, voters, voter_header, history, history_header, progress)
    if loaded:
        _finish(batcher, progress)
    return loaded


def _start(
    actor: Actor,
    layout: Layout,
    voters: Path,
    history: Path | None,
    print_hash: str,
    resume: int | None,
    scope: str,
) -> VoterImport | None:
    """The run to carry on with: a new one, or the one to resume. None when the files were
    imported completely before."""
    same = VoterImport.objects.filter(fingerprint=print_hash, layout=layout.name)
    if resume is not None:
        run = VoterImport.objects.filter(pk=resume).first()
        if run is None:
            raise ValidationFailed(
                f"No import run {resume}.", code=errors.VOTER_IMPORT_RESUME, field="resume"
            )
        if run.status == VoterImport.Status.COMPLETED:
            raise ValidationFailed(
                f"Import run {resume} has completed; there is nothing to resume.",
                code=errors.VOTER_IMPORT_RESUME,
                field="resume",
            )
        if run.fingerprint != print_hash or run.layout != layout.name:
            raise ValidationFailed(
                f"These are not the files of import run {resume} (their contents differ).",
                code=errors.VOTER_IMPORT_RESUME,
                field="resume",
            )
        with transaction.atomic():
            VoterImport.objects.filter(pk=run.pk).update(
                status=VoterImport.Status.RUNNING, error=""
            )
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="voter_import.resume",
                entity_type="people.voterimport",
                entity_id=run.pk,
                summary=f"resumed after line {run.checkpoint_row} of the voters file",
            )
        run.refresh_from_db()
        return run
    if same.filter(status=VoterImport.Status.COMPLETED).exists():
        return None
    unfinished = same.exclude(status=VoterImport.Status.COMPLETED).order_by("-pk").first()
    if unfinished is not None:
        raise ValidationFailed(
            f"Import run {unfinished.pk} of these files stopped after line "
            f"{unfinished.checkpoint_row}; continue it with --resume {unfinished.pk}.",
            code=errors.VOTER_IMPORT_RESUME,
            field="resume",
        )
    if scope == Scope.CHECK:
        _refuse_small_file(layout, voters)
    with transaction.atomic():
        run = VoterImport.objects.create(
            layout=layout.name,
            state=layout.state,
            partial=scope == Scope.PARTIAL,
            voters_file=voters.name[:255],
            history_file=history.name[:255] if history else "",
            fingerprint=print_hash,
            started_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        audit.audit_create(actor=actor, action="voter_import.start", instance=run)
    return run


def _refuse_small_file(layout: Layout, voters: Path) -> None:
    """Refuse a voters file much smaller than the state on file (``SMALL_FILE_SHARE``) until
    told whether it is a part of the state or the whole of it."""
    on_rolls = VoterRecord.objects.filter(state=layout.state, missing_since__isnull=True).count()
    in_file = data_lines(voters, header=layout.header)
    if not on_rolls or in_file >= SMALL_FILE_SHARE * on_rolls:
        return
    state = layout.state
    raise ValidationFailed(
        f"The file has {in_file:,} voters; {on_rolls:,} {state} voters are on file. Imported "
        f"as the whole state it would mark at least {on_rolls - in_file:,} of them as no "
        f"longer on the rolls. Say which it is: --partial adds and updates the file's "
        f"voters and marks nobody missing (a county, or the day's new registrations); "
        f"--replace-state takes the file for all of {state}'s rolls and marks every {state} "
        f"voter it does not list as missing. --dry-run counts exactly what either would do, "
        f"writing nothing.",
        code=errors.VOTER_IMPORT_SCOPE,
        field="scope",
    )


def _voters_phase(
    batcher: Batcher,
    path: Path,
    header: list[str],
    elections: ElectionMap | None,
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    run = batcher.run
    parser = VoterParser(batcher.layout, header, elections)
    lines = Lines(path, batcher.layout.shape("voters"), len(header), skip_to=run.checkpoint_row)
    done = run.rows_read
    batches = stream.voter_batches(parser, lines, batch_size, done, run.checkpoint_row)
    stream.load_phase("voters", batches, batcher.voters, lines, done, progress, notes)


def _finish_voters(batcher: Batcher) -> None:
    """Voters of the state this file no longer lists are marked missing, once, in the same
    transaction that closes the voters phase (history checkpoint 1: its header line); none
    when the file is a part of the state."""
    run, state = batcher.run, batcher.layout.state
    if run.partial:
        VoterImport.objects.filter(pk=run.pk).update(history_checkpoint_row=1)
        run.refresh_from_db()
        return
    now = timezone.now()
    vr, vc = sql.table(VoterRecord), sql.table(VoterChange)
    absent = (
        "state = %s AND missing_since IS NULL AND (last_import_id IS NULL OR last_import_id <> %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(
            f"INSERT INTO {vc} (voter_id, run_id, kind, before, after, at) "  # noqa: S608
            f"SELECT id, %s, %s, '{{}}', '{{}}', %s FROM {vr} WHERE {absent}",
            [run.pk, VoterChange.Kind.MISSING, stamp, state, run.pk],
        )
        cursor.execute(
            f"UPDATE {vr} SET missing_since = %s WHERE {absent}",  # noqa: S608
            [stamp, state, run.pk],
        )
        missing = int(cursor.rowcount)
        VoterImport.objects.filter(pk=run.pk).update(
            marked_missing=F("marked_missing") + missing, history_checkpoint_row=1
        )
        audit.audit_record(
            actor=batcher.actor,
            kind=audit.Kind.BULK,
            action="voter_import.missing",
            entity_type="people.voterimport",
            entity_id=run.pk,
            summary=f"{missing} voters of {state} no longer on the file marked missing",
        )
    run.refresh_from_db()


def _history_phase(
    batcher: Batcher,
    path: Path,
    header: list[str],
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    run = batcher.run
    parser = HistoryParser(batcher.layout, header)
    shape = batcher.layout.shape("history")
    # Checkpoint 1 is the header line (the voters phase closed): a file without one starts
    # with data there. (Had a batch ended at its line 1, that line is read again: its ballot
    # is added once all the same.)
    skip_to = run.history_checkpoint_row
    if not shape.header and skip_to == 1:
        skip_to = 0
    lines = Lines(path, shape, len(header), skip_to=skip_to)
    batches = stream.history_batches(parser, lines, batch_size, run.history_checkpoint_row)
    stream.load_phase("history", batches, batcher.history, lines, 0, progress, notes)


def _stage_table(run: VoterImport) -> str:
    return f"gg_import_{run.pk}_history"


def _history_stage_phase(
    batcher: Batcher,
    path: Path,
    header: list[str],
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    """Read the history file into the run's staged history (an unlogged table: it is written
    once and dropped at the end), resumable from its own checkpoint, then index it by voter."""
    run = batcher.run
    stage = batcher.stage = _stage_table(run)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [stage])
        exists = bool(cursor.fetchone()[0])
        has_rows = False
        if exists:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stage})")  # noqa: S608
            has_rows = bool(cursor.fetchone()[0])
    if run.history_staged_row > 0 and not has_rows:
        # Begun, and empty: a database restart empties an unlogged table (or no line of the
        # file was good). Read it again from the start; if voters took ballots from it
        # already, the end of the run matches the history against every voter.
        with transaction.atomic():
            VoterImportRowError.objects.filter(run=run, file="history").delete()
            VoterImport.objects.filter(pk=run.pk).update(
                history_staged_row=0,
                history_staged=False,
                history_rescan=run.history_rescan or run.checkpoint_row > 0,
            )
        run.refresh_from_db()
    if run.history_staged:
        return
    with connection.cursor() as cursor:
        if run.history_staged_row == 0:
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(f"CREATE UNLOGGED TABLE {stage} ({sql.HISTORY_STAGE})")
    parser = HistoryParser(batcher.layout, header)
    lines = Lines(
        path, batcher.layout.shape("history"), len(header), skip_to=run.history_staged_row
    )
    batches = stream.history_batches(parser, lines, batch_size, run.history_staged_row)
    stream.load_phase("history", batches, batcher.history_stage, lines, 0, progress, notes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {stage}_voter ON {stage} (state_voter_id, line)"
        )
        cursor.execute(f"ANALYZE {stage}")
        VoterImport.objects.filter(pk=run.pk).update(history_staged=True)
    run.refresh_from_db()


def _history_rest(batcher: Batcher) -> None:
    """After the voters file: the staged ballots no voter of the file took (those of voters
    on file that it no longer lists are added; those of unknown voters are reported), then the
    staged history is dropped. One transaction, which closes the history file."""
    run, state = batcher.run, batcher.layout.state
    if run.history_checkpoint_row > 1:
        return
    stage = _stage_table(run)
    vr = sql.table(VoterRecord)
    column = batcher.layout.label("state_voter_id", history=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [stage])
        if not cursor.fetchone()[0]:
            raise RuntimeError(f"the staged history of import run {run.pk} is missing")
    # Every staged ballot when the staged history was read again after voters had taken
    # theirs; else those whose voter this run did not load.
    taken = (
        ""
        if run.history_rescan
        else (
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} t WHERE t.state = %s "  # noqa: S608
            "AND t.state_voter_id = h.state_voter_id AND t.last_import_id = %s) "
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        sql.synchronous_commit_off(cursor)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_history_rest")
        cursor.execute(
            "CREATE TEMP TABLE gg_history_rest AS SELECT DISTINCT ON "  # noqa: S608
            "(h.state_voter_id, h.election_date) h.* "
            f"FROM {stage} h {taken}ORDER BY h.state_voter_id, h.election_date, h.line",
            [] if run.history_rescan else [state, run.pk],
        )
        added = sql.add_ballots(
            cursor,
            "SELECT v.id, r.election_date, r.election_name, r.method "  # noqa: S608
            f"FROM gg_history_rest r JOIN {vr} v ON v.state = %s "
            "AND v.state_voter_id = r.state_voter_id",
            [state],
            recount=True,
        )
        cursor.execute(
            "SELECT r.line, r.state_voter_id FROM gg_history_rest r "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} v WHERE v.state = %s "
            "AND v.state_voter_id = r.state_voter_id) ORDER BY r.line",
            [state],
        )
        problems = [
            RowError("history", line, column, f"no voter {vid!r} on file", "")
            for line, vid in cursor.fetchall()
        ]
        cursor.execute("DROP TABLE pg_temp.gg_history_rest")
        cursor.execute(f"DROP TABLE {stage}")
        batcher.commit(
            "history", problems, max(run.history_staged_row, 2), history_new=added, rows_read=0
        )


def _finish(batcher: Batcher, progress: Progress | None = None) -> None:
    """Bring the state's general-election counts up to date (SQLite: PostgreSQL keeps them
    batch by batch), build the indexes a first load deferred and close the run."""
    run, state = batcher.run, batcher.layout.state
    vr, vh = sql.table(VoterRecord), sql.table(VoteHistory)
    marks = ", ".join(["%s"] * len(PRESIDENTIAL_GENERALS))
    if connection.vendor != "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {vr} SET general_votes = c.n FROM (SELECT voter_id, COUNT(*) AS n "  # noqa: S608
                f"FROM {vh} WHERE election_date IN ({marks}) GROUP BY voter_id) AS c "
                f"WHERE {vr}.id = c.voter_id AND {vr}.state = %s AND {vr}.general_votes <> c.n",
                [*PRESIDENTIAL_GENERALS, state],
            )
    indexes.build_deferred_indexes(run, progress)
    with transaction.atomic():
        VoterImport.objects.filter(pk=run.pk).update(
            status=VoterImport.Status.COMPLETED, finished_at=timezone.now(), error=""
        )
        run.refresh_from_db()
        audit.audit_record(
            actor=batcher.actor,
            kind=audit.Kind.BULK,
            action="voter_import.complete",
            entity_type="people.voterimport",
            entity_id=run.pk,
            summary=(
                f"{run.rows_new} new, {run.rows_updated} updated, {run.rows_unchanged} "
                f"unchanged, {run.rows_rejected} rejected, {run.history_new} ballots added, "
                f"{run.marked_missing} missing"
            ),
        )
