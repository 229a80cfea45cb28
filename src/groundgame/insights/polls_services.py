"""Every write of the insights app.

Polls are aggregates every staff member sees, but adding them is scoped like any write: a
state's poll is added by staff holding a role in a unit of that state (or nationally), a
national poll and a whole file (which holds every state) by staff holding a role in the
national unit.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import NotFound, PermissionDenied
from groundgame.insights import errors
from groundgame.insights.models import Poll, PollImport, PollImportProblem
from groundgame.insights.polls_read import (
    PollInvalid,
    PollRecord,
    check_dates,
    check_shares,
    parse_pct,
    parse_population,
    parse_sample_size,
    parse_state,
    parse_text,
    presidential_cycle,
    read_polls,
)
from groundgame.insights.polls_states import place_name
from groundgame.organizing import selectors as organizing

Progress = Callable[[str, int, int], None]

# A poll file larger than this is refused before it is read (538's whole 2020 file is 5 MB).
MAX_FILE_BYTES = 30 * 1024 * 1024
BATCH = 500
# The fields an import compares to tell a changed poll from an unchanged one.
POLL_FIELDS = (
    "question_id",
    "cycle",
    "pollster",
    "grade",
    "sample_size",
    "population",
    "start_date",
    "end_date",
    "dem_candidate",
    "rep_candidate",
    "dem_pct",
    "rep_pct",
    "other_pct",
)


def _user_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _places_writable(actor: Actor) -> tuple[bool, frozenset[str]]:
    """Whether ``actor`` may add national polls, and the states whose polls they may add."""
    scope = organizing.staff_scope(actor)
    if scope.is_superuser or scope.is_admin:
        return True, frozenset()
    if not scope.is_staff:
        return False, frozenset()
    ids = {int(part) for path in scope.unit_paths for part in path.strip("/").split("/") if part}
    units = list(organizing.org_unit_list().filter(pk__in=ids))
    held = set(scope.unit_paths)
    national = any(u.kind == "national" and u.path in held for u in units)
    # A unit's state is its own or its ancestors' (a team's region's state).
    states = frozenset(
        u.state for u in units if u.state and any(path.startswith(u.path) for path in held)
    )
    return national, states


def _require_place(actor: Actor, state: str) -> None:
    national, states = _places_writable(actor)
    if national or (state and state in states):
        return
    where = f"{place_name(state)}'s polls" if state else "national polls"
    raise PermissionDenied(
        f"You may add {where} only with a role in "
        + (f"a unit of {place_name(state)}." if state else "the national unit."),
        code=errors.POLL_NOT_IN_SCOPE,
        field="state",
    )


def poll_create(
    *,
    actor: Actor,
    state: str,
    pollster: str,
    population: str,
    start_date: dt.date,
    end_date: dt.date,
    dem_candidate: str,
    rep_candidate: str,
    dem_pct: float,
    rep_pct: float,
    other_pct: float = 0.0,
    sample_size: int | None = None,
    grade: str = "",
) -> Poll:
    """Add one poll by hand (blank ``state``: a national poll)."""
    code = parse_state(state)
    _require_place(actor, code)
    check_dates(start_date, end_date)
    shares = {
        name: parse_pct(str(value), name)
        for name, value in (("dem_pct", dem_pct), ("rep_pct", rep_pct), ("other_pct", other_pct))
    }
    check_shares(shares["dem_pct"], shares["rep_pct"] + shares["other_pct"])
    with transaction.atomic():
        poll = Poll.objects.create(
            cycle=presidential_cycle(end_date),
            state=code,
            pollster=parse_text(pollster, "pollster"),
            grade=parse_text(grade, "grade", required=False)[:8],
            sample_size=parse_sample_size(str(sample_size or "")),
            population=parse_population(population),
            start_date=start_date,
            end_date=end_date,
            dem_candidate=parse_text(dem_candidate, "dem_candidate"),
            rep_candidate=parse_text(rep_candidate, "rep_candidate"),
            source="entered by hand",
            added_by_id=_user_id(actor),
            **shares,
        )
        audit_create(actor=actor, action="poll.create", instance=poll)
    return poll


def poll_import_start(
    *, actor: Actor, filename: str, content: bytes, enqueue: bool = True
) -> PollImport:
    """Take a poll file for import: refused at once when it is too large, not text, or lacks
    columns; read by a task (unless ``enqueue`` is False) that reports every line it skips."""
    from groundgame.insights import tasks

    _require_place(actor, "")
    if len(content) > MAX_FILE_BYTES:
        raise PollInvalid(
            f"The file is {len(content) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.",
            code=errors.POLL_FILE_TOO_LARGE,
            field="file",
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PollInvalid(
            f"The file is not UTF-8 text (byte {exc.start}).",
            code=errors.POLL_FILE_UNREADABLE,
            field="file",
        ) from None
    # The header alone says whether the file can be read: refuse it now, not in the task.
    read_polls(io.StringIO(text.split("\n", 1)[0]))
    name = parse_text(filename or "upload.csv", "file")[:255]
    with transaction.atomic():
        run = PollImport.objects.create(
            filename=name,
            started_by_id=_user_id(actor),
            content=text,
        )
        audit_record(
            actor=actor,
            kind=AuditKind.CREATE,
            action="poll_import.create",
            entity_type="insights.pollimport",
            entity_id=run.pk,
            summary=f"poll file {name} ({len(content):,} bytes) taken for import",
        )
        if enqueue:
            transaction.on_commit(partial(tasks.poll_import_run.enqueue, run.pk), robust=True)
    return run


def poll_import_execute(*, import_id: int, progress: Progress | None = None) -> PollImport:
    """Read a taken file into the polls: new polls added, changed ones updated, the same
    ones left alone (so a second import of a file changes nothing), every line not read kept
    with its reason."""
    run = PollImport.objects.filter(pk=import_id).first()
    if run is None:
        raise NotFound(f"No poll import {import_id}.", code=errors.POLL_IMPORT_NOT_FOUND)
    if run.status == PollImport.Status.COMPLETED:
        return run
    PollImport.objects.filter(pk=run.pk).update(status=PollImport.Status.RUNNING)
    try:
        result = read_polls(io.StringIO(run.content))
    except PollInvalid as exc:
        return _import_failed(run, exc.message)
    with transaction.atomic():
        PollImportProblem.objects.filter(poll_import=run).delete()
        PollImportProblem.objects.bulk_create(
            PollImportProblem(poll_import=run, line=p.line, reason=p.reason[:300])
            for p in result.problems
        )
        PollImport.objects.filter(pk=run.pk).update(
            lines=result.lines,
            polls=len(result.polls),
            rejected=len(result.problems),
            done=0,
            added=0,
            changed=0,
            unchanged=0,
        )
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for start in range(0, len(result.polls), BATCH):
        batch = result.polls[start : start + BATCH]
        with transaction.atomic():
            for key, value in _write_batch(batch, run.filename).items():
                counts[key] += value
            PollImport.objects.filter(pk=run.pk).update(done=start + len(batch), **counts)
        if progress:
            progress("polls", start + len(batch), len(result.polls))
    with transaction.atomic():
        PollImport.objects.filter(pk=run.pk).update(
            status=PollImport.Status.COMPLETED, finished_at=timezone.now(), content=""
        )
        audit_record(
            actor=run.started_by,
            kind=AuditKind.UPDATE,
            action="poll_import.complete",
            entity_type="insights.pollimport",
            entity_id=run.pk,
            summary=f"{run.filename}: {counts['added']} polls added, {counts['changed']} "
            f"changed, {counts['unchanged']} unchanged, {len(result.problems)} lines not read",
        )
    run.refresh_from_db()
    return run


def _import_failed(run: PollImport, message: str) -> PollImport:
    PollImport.objects.filter(pk=run.pk).update(
        status=PollImport.Status.FAILED, error=message[:500], finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _write_batch(batch: list[PollRecord], source: str) -> dict[str, int]:
    existing = {
        (p.poll_id, p.state): p for p in Poll.objects.filter(poll_id__in={r.poll_id for r in batch})
    }
    new: list[Poll] = []
    changed: list[Poll] = []
    for record in batch:
        values = {name: getattr(record, name) for name in POLL_FIELDS}
        poll = existing.get((record.poll_id, record.state))
        if poll is None:
            new.append(Poll(poll_id=record.poll_id, state=record.state, source=source, **values))
        elif any(getattr(poll, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(poll, name, value)
            changed.append(poll)
    Poll.objects.bulk_create(new)
    if changed:
        Poll.objects.bulk_update(changed, list(POLL_FIELDS))
    return {
        "added": len(new),
        "changed": len(changed),
        "unchanged": len(batch) - len(new) - len(changed),
    }


def poll_file_import(*, actor: Actor, path: str, progress: Progress | None = None) -> PollImport:
    """Import a poll file from disk, in this process (the command line, the demo)."""
    with open(path, "rb") as stream:
        content = stream.read()
    run = poll_import_start(
        actor=actor, filename=path.rsplit("/", 1)[-1], content=content, enqueue=False
    )
    return poll_import_execute(import_id=run.pk, progress=progress)
