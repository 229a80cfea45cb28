"""A file as batches of parsed rows, read and parsed one batch ahead in a thread while the
database applies the one before, each handed to the batch's writer with the run's progress."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from groundgame.people.voterfile.parse import (
    HistoryLine,
    HistoryParser,
    Voter,
    VoterParser,
    duplicate,
)
from groundgame.people.voterfile.read import Lines, RowProblem
from groundgame.people.voterfile.report import Progress, RowError


def _estimate(lines: Lines, done: int) -> int:
    # Lines so far scaled by the bytes left: the ETA without counting the file's lines first.
    if not lines.bytes_read:
        return done
    return max(done, round(done * lines.size / lines.bytes_read))


class Batch(NamedTuple):
    """Rows parsed from a file, the lines refused, and where the reading stands."""

    rows: list[Any]  # Voter or HistoryLine
    problems: list[RowError]
    last_line: int
    done: int  # lines read so far, for the progress report
    estimate: int


def _ahead(batches: Iterator[Batch]) -> Iterator[Batch]:
    """The batches, read and parsed one ahead in a thread: parsing (Python) then runs while
    this thread waits on the database, which works on the other core."""
    ready: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Batch | BaseException | None) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for batch in batches:
                put(batch)
                if stop.is_set():
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    reader = threading.Thread(target=read, name="voter-file-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The consumer stopped (done, or failed): the reader must not wait on a full queue.
        stop.set()
        reader.join()


def voter_batches(
    parser: VoterParser, lines: Lines, batch_size: int, done: int, last: int
) -> Iterator[Batch]:
    """The voters file's lines after ``last`` as batches of ``batch_size`` voters and refused lines
    (a voter id twice in a batch is refused here; twice in the run, by the batch's writer)."""
    voters: list[Voter] = []
    problems: list[RowError] = []
    seen: set[str] = set()  # ids of this batch: duplicates across batches are found on file
    id_index = parser.index["state_voter_id"]
    checkpoint = last
    for number, parts, text, problem in lines:
        last = number
        if problem is None and parts is not None:
            try:
                voter = parser.parse(number, parts)
            except RowProblem as exc:
                problem = exc
            else:
                if voter.state_voter_id in seen:
                    problems.append(duplicate(voter))
                else:
                    seen.add(voter.state_voter_id)
                    voters.append(voter)
        if problem is not None:
            voter_id = parser.layout.voter_id(parts[id_index]) if parts is not None else ""
            problems.append(
                RowError("voters", number, problem.field, problem.reason, text, voter_id[:40])
            )
        if len(voters) + len(problems) >= batch_size:
            done += len(voters) + len(problems)
            yield Batch(voters, problems, last, done, _estimate(lines, done))
            voters, problems, seen = [], [], set()
    if voters or problems or last > checkpoint:
        done += len(voters) + len(problems)
        yield Batch(voters, problems, last, done, done)


def load_phase(
    phase: str,
    batches: Iterator[Batch],
    load: Callable[[list[Any], list[RowError], int], None],
    lines: Lines,
    done: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    """Hands each batch to ``load`` (parsed one ahead), reporting progress, then notes the
    lines that were read as Latin-1."""
    for batch in _ahead(batches):
        load(batch.rows, batch.problems, batch.last_line)
        done = batch.done
        if progress is not None:
            progress(phase, done, batch.estimate)
    if progress is not None:
        progress(phase, done, done)
    if lines.latin1:
        notes.append(
            f"{lines.latin1:,} lines of the {phase} file were not UTF-8 and were read as Latin-1."
        )


def history_batches(
    parser: HistoryParser, lines: Lines, batch_size: int, last: int
) -> Iterator[Batch]:
    """The history file's lines after ``last`` as batches of ``batch_size`` ballots and refused
    lines."""
    rows: list[HistoryLine] = []
    problems: list[RowError] = []
    seen: set[tuple[str, dt.date]] = set()
    done = 0
    checkpoint = last
    for number, parts, text, problem in lines:
        last = number
        if problem is None and parts is not None:
            try:
                line = parser.parse(number, parts)
            except RowProblem as exc:
                problem = exc
            else:
                if line is None:
                    continue  # a line its layout says records no ballot
                key = (line.state_voter_id, line.ballot.election_date)
                # The same ballot twice in a batch: the staging insert would count it once
                # anyway; skipping it here keeps the statement's rows unique.
                if key not in seen:
                    seen.add(key)
                    rows.append(line)
        if problem is not None:
            problems.append(RowError("history", number, problem.field, problem.reason, text))
        if len(rows) + len(problems) >= batch_size:
            done += len(rows) + len(problems)
            yield Batch(rows, problems, last, done, _estimate(lines, done))
            rows, problems, seen = [], [], set()
    if rows or problems or last > checkpoint:
        done += len(rows) + len(problems)
        yield Batch(rows, problems, last, done, done)
