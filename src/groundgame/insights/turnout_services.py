"""Every write of the turnout projection and results analysis: loading the public election
files, early ballots recorded for counties, turnout goals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from groundgame.audit.services import Actor, Kind, audit_record
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.insights import errors
from groundgame.insights import results_files as files
from groundgame.insights.models import (
    CountyBallots,
    CountyReturn,
    EarlyVoteCount,
    ElectionFileLoad,
    StateCandidateReturn,
    TurnoutGoal,
)
from groundgame.insights.turnout_early import EarlyVotes, early_votes_read
from groundgame.insights.turnout_projection import counties_with_history
from groundgame.organizing import selectors as organizing

# --- Turnout and results -------------------------------------------------------------------


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    rows: int
    refusals: list[files.Refusal]


def _county_return(file_name: str, r: files.CountyVotes) -> CountyReturn:
    return CountyReturn(
        year=r.year,
        county_fips=r.county_fips,
        state=r.state,
        county_name=r.county_name,
        votes_dem=r.dem,
        votes_gop=r.gop,
        votes_other=r.other,
        total_votes=r.total,
        source_file=file_name,
        source_row=r.line,
    )


def _county_ballots(file_name: str, r: files.CountyMethods) -> CountyBallots:
    return CountyBallots(
        year=r.year,
        county_fips=r.county_fips,
        state=r.state,
        total=r.total,
        early=r.early,
        source_file=file_name,
        source_row=r.line,
    )


def _candidate(file_name: str, r: files.CandidateVotes) -> StateCandidateReturn:
    return StateCandidateReturn(
        year=r.year,
        state=r.state,
        candidate=r.candidate,
        party=r.party,
        votes=r.votes,
        source_file=file_name,
        source_row=r.line,
    )


@dataclass(frozen=True)
class _Loader:
    """A file the desk loads: how to read it, and the rows of which model it becomes."""

    file_name: str
    read: Callable[[str], files.Parsed[Any]]
    build: Callable[[str, Any], models.Model]
    model: type[models.Model]


_LOADERS = [
    _Loader(files.MEDSL_COUNTY_RETURNS, files.medsl_county_returns, _county_return, CountyReturn),
    _Loader(files.COUNTY_RETURNS, files.county_returns, _county_return, CountyReturn),
    *[
        _Loader(files.eavs_file(y), files.eavs_methods, _county_ballots, CountyBallots)
        for y in files.EAVS_YEARS
    ],
    _Loader(files.STATE_CANDIDATES_2024, files.state_candidates, _candidate, StateCandidateReturn),
]


def election_files_load(*, actor: Actor, data_dir: Path) -> list[FileLoad]:
    """Load the public election files found in ``data_dir`` into the desk's tables.

    Each file replaces the rows it loaded before, so loading it twice changes nothing; its
    refused rows are kept with their lines and reasons. A file is loaded whole or not at all.
    """
    if not data_dir.is_dir():
        raise NotFound(
            f"No election data in {data_dir}.", code=errors.DATA_NOT_FOUND, field="data_dir"
        )
    loads = []
    for loader in _LOADERS:
        file_name = loader.file_name
        path = data_dir / file_name
        if not path.is_file():
            continue
        parsed = loader.read(path.read_text(encoding="utf-8"))
        with transaction.atomic():
            manager = loader.model._default_manager
            manager.filter(source_file=file_name).delete()
            manager.bulk_create(
                [loader.build(file_name, row) for row in parsed.rows], batch_size=2000
            )
            load = ElectionFileLoad.objects.create(
                file_name=file_name,
                loaded_at=timezone.now(),
                rows_loaded=len(parsed.rows),
                refusals=[{"line": r.line, "reason": r.reason} for r in parsed.refusals],
            )
            audit_record(
                actor=actor,
                kind=Kind.CREATE,
                action="election_file.load",
                entity_type="insights.electionfileload",
                entity_id=load.pk,
                summary=f"{file_name}: {len(parsed.rows):,} rows, {len(parsed.refusals)} refused",
            )
        loads.append(FileLoad(file_name, len(parsed.rows), parsed.refusals))
    if not loads:
        raise NotFound(
            f"None of the election files is in {data_dir}.",
            code=errors.DATA_NOT_FOUND,
            field="data_dir",
        )
    return loads


def _may_record(actor: Actor, fips: str, team_paths: dict[str, str]) -> bool:
    """National admins record any county; admins and directors the counties their units
    cover."""
    scope = organizing.staff_scope(actor)
    if actor is None or scope.is_admin:
        return True
    path = team_paths.get(fips)
    return path is not None and any(path.startswith(p) for p in scope.manage_paths)


def early_votes_import(*, actor: Actor, year: int, text: str) -> EarlyVotes:
    """Record the early ballots of counties from a CSV (``county_fips, early_ballots``).

    Every row must be good: an unknown county, a count that is not a whole non-negative
    number, a county twice or a county outside the actor's units refuses the file, with every
    refused row named, and nothing is recorded.
    """
    read = early_votes_read(text, known_counties=counties_with_history(year))
    teams = organizing.coverage_map()
    paths = organizing.unit_paths_by_id()
    team_paths = {fips: paths[unit] for fips, unit in teams.items() if unit in paths}
    outside = [
        files.Refusal(row.line, f"county_fips: {row.county_fips} is outside your units")
        for row in read.rows
        if not _may_record(actor, row.county_fips, team_paths)
    ]
    refusals = sorted(read.refusals + outside, key=_line)
    if refusals:
        raise (PermissionDenied if outside else ValidationFailed)(
            "; ".join(f"line {r.line}: {r.reason}" for r in refusals),
            code=errors.EARLY_VOTES_NOT_IN_SCOPE if outside else errors.EARLY_VOTES_INVALID,
            field="csv",
        )
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        for row in read.rows:
            EarlyVoteCount.objects.update_or_create(
                year=year,
                county_fips=row.county_fips,
                defaults={"early_ballots": row.early_ballots, "recorded_by": user},
            )
        audit_record(
            actor=actor,
            kind=Kind.UPDATE,
            action="early_votes.import",
            entity_type="insights.earlyvotecount",
            entity_id=year,
            summary=f"{len(read.rows)} counties' early ballots for {year}",
        )
    return read


def _line(refusal: files.Refusal) -> int:
    return refusal.line


def turnout_goal_set(*, actor: Actor, year: int, state: str, ballots: int) -> TurnoutGoal:
    """A state's turnout goal: a campaign-wide setting, for national admins."""
    if actor is not None and not organizing.staff_scope(actor).is_admin:
        raise PermissionDenied("Only national admins set turnout goals.", field="state")
    state = state.strip().upper()
    if state not in files.STATES:
        raise ValidationFailed(
            f"{state!r} is not a state.", code=errors.TURNOUT_GOAL_INVALID, field="state"
        )
    if not 0 < ballots < 100_000_000:
        raise ValidationFailed(
            "A goal is a number of ballots above zero.",
            code=errors.TURNOUT_GOAL_INVALID,
            field="ballots",
        )
    with transaction.atomic():
        goal, created = TurnoutGoal.objects.update_or_create(
            year=year, state=state, defaults={"ballots": ballots}
        )
        audit_record(
            actor=actor,
            kind=Kind.CREATE if created else Kind.UPDATE,
            action="turnout_goal.set",
            entity_type="insights.turnoutgoal",
            entity_id=goal.pk,
            summary=str(goal),
        )
    return goal
