"""A dry run: a state's files read and checked whole, as an import would, and what the import
would do counted, with nothing written.

The voters file goes through the same row rules (``parse``) in the same batches (``stream``),
each batch matched against the voters on file (``match``) with reads only: a line is new,
an update (it changes something the record keeps, or brings a missing voter back) or
unchanged, or rejected with its line, column and reason, a voter id seen earlier in the file
included. Voters on the rolls that no line names would be marked missing (none with
``partial``). Ballots are counted as the import adds them: those a voter on file has not
recorded yet, all of a new voter's; history lines of no voter on file or in the file are
rejected. The file's voter ids are held in memory, some 100 bytes each (about 800 MB for a
state of eight million). A ballot a history file lists twice for a voter new to it, in two
batches, is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from groundgame.people.models import VoterRecord
from groundgame.people.voterfile import match, stream
from groundgame.people.voterfile.layouts import Layout
from groundgame.people.voterfile.parse import (
    Ballot,
    ElectionMap,
    HistoryParser,
    VoterParser,
    duplicate,
)
from groundgame.people.voterfile.read import Lines
from groundgame.people.voterfile.report import Progress, RowError


@dataclass
class Forecast:
    """What importing the files would do."""

    state: str
    on_rolls: int  # voters of the state on file and not missing, before
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    history_new: int = 0
    history_rejected: int = 0
    marked_missing: int = 0
    # Every rejected line, voters file first, in line order.
    problems: list[RowError] = field(default_factory=list)


def forecast(
    layout: Layout,
    voters: Path,
    voter_header: list[str],
    history: Path | None,
    history_header: list[str],
    *,
    elections: ElectionMap | None,
    partial: bool,
    batch_size: int,
    progress: Progress | None = None,
) -> Forecast:
    state = layout.state
    rolls = VoterRecord.objects.filter(state=state, missing_since__isnull=True)
    result = Forecast(state=state, on_rolls=rolls.count())
    seen: set[str] = set()  # voter ids of lines loaded
    listed = 0  # voters on the rolls that a line names (loaded or rejected)
    parser = VoterParser(layout, voter_header, elections)
    lines = Lines(voters, layout.shape("voters"), len(voter_header), 0)
    for batch in stream.voter_batches(parser, lines, batch_size, 0, 0):
        problems = list(batch.problems)
        ids = [v.state_voter_id for v in batch.rows] + [p.voter_id for p in problems if p.voter_id]
        known = match.known_voters(state, sorted(set(ids)))
        recorded = match.recorded_ballots([k.voter_pk for k in known.values()])
        for v in batch.rows:
            if v.state_voter_id in seen:
                problems.append(duplicate(v))
                continue
            seen.add(v.state_voter_id)
            k = known.get(v.state_voter_id)
            ballots = {b.election_date for b in v.ballots}
            if k is None:
                result.rows_new += 1
                result.history_new += len(ballots)
                continue
            listed += k.missing_since is None
            result.history_new += len(ballots - recorded.get(k.voter_pk, set()))
            if match.differences(v, k) or v.registered_on != k.registered_on:
                result.rows_updated += 1
            else:
                result.rows_unchanged += 1
        # A rejected line still names its voter on file: not missing, and a later line with
        # the id is a duplicate (as the import marks them seen).
        for p in batch.problems:
            k = known.get(p.voter_id) if p.voter_id else None
            if k is not None and p.voter_id not in seen:
                listed += k.missing_since is None
                seen.add(p.voter_id)
        result.rows_read += len(batch.rows) + len(batch.problems)
        result.rows_rejected += len(problems)
        result.problems.extend(sorted(problems, key=lambda p: p.line))
        if progress is not None:
            progress("checking voters", result.rows_read, batch.estimate)
    result.marked_missing = 0 if partial else result.on_rolls - listed
    # An election map dates the voters file's election columns: it holds no ballots.
    if history is not None and elections is None:
        _history(result, layout, history, history_header, seen, batch_size, progress)
    return result


def _history(
    result: Forecast,
    layout: Layout,
    path: Path,
    header: list[str],
    in_file: set[str],
    batch_size: int,
    progress: Progress | None,
) -> None:
    parser = HistoryParser(layout, header)
    lines = Lines(path, layout.shape("history"), len(header), 0)
    column = layout.label("state_voter_id", history=True)
    done = 0
    for batch in stream.history_batches(parser, lines, batch_size, 0):
        problems = list(batch.problems)
        on_file = match.voter_pks(layout.state, sorted({h.state_voter_id for h in batch.rows}))
        recorded = match.recorded_ballots(list(on_file.values()))
        for h in batch.rows:
            pk = on_file.get(h.state_voter_id)
            ballot: Ballot = h.ballot
            if pk is not None:
                result.history_new += ballot.election_date not in recorded.get(pk, set())
            elif h.state_voter_id in in_file:
                result.history_new += 1
            else:
                unknown = f"no voter {h.state_voter_id!r} on file"
                problems.append(RowError("history", h.line, column, unknown, ""))
        done += len(batch.rows) + len(batch.problems)
        result.history_rejected += len(problems)
        result.problems.extend(sorted(problems, key=lambda p: p.line))
        if progress is not None:
            progress("checking history", done, batch.estimate)
