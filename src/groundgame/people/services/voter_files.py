"""Voter files and other lists brought in whole: a state's voter file imported, batches of
households, people, voter records and vote history loaded at once, people off the voter file
created in bulk, and two files of people linked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from django.db import transaction

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.people import linkage
from groundgame.people.models import Household, Person
from groundgame.people.services.data_requests import people_erased_catch
from groundgame.people.voterfile import bulk, dryrun
from groundgame.people.voterfile import run as voterfile_run

# The rows of a bulk load, for loaders outside the app.
HouseholdRow = bulk.HouseholdRow
PersonRow = bulk.PersonRow
VoterRow = bulk.VoterRow
HistoryRow = bulk.HistoryRow
VoterFileBatch = bulk.VoterFileBatch
# What a voter-file import does with the voters it does not list, and a dry run's forecast.
ImportScope = voterfile_run.Scope
VoterFileForecast = dryrun.Forecast


def voter_file_bulk_load(*, actor: Actor, batch: bulk.VoterFileBatch) -> bulk.LoadedBatch:
    """Insert a batch of households, people, voter records and vote history at once.

    For loaders of whole files: no per-row validation or audit (the rows come from a loader
    that checked them); one audit row says what the batch held.
    """
    with transaction.atomic():
        loaded = bulk.load(batch)
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="voter_file.bulk_load",
            entity_type="people.person",
            summary=(
                f"{len(batch.people)} voters in {len(batch.households)} households with "
                f"{len(batch.history)} ballots of vote history"
            ),
        )
    return loaded


def household_person_bulk_create(
    *, actor: Actor, rows: Sequence[tuple[bulk.HouseholdRow, bulk.PersonRow]], what: str
) -> list[int]:
    """Insert people who are not on the voter file, each at an address of their own (a donor
    or contact list brought in whole); returns their person ids in order.

    Two bulk inserts and one audit row saying ``what`` they are, for the loaders of lists of
    thousands, where one ``person_create`` each would take a minute. The people's own
    ``household`` index is ignored: each gets the household beside it in ``rows``.
    """
    with transaction.atomic():
        households = Household.objects.bulk_create(Household(**h._asdict()) for h, _ in rows)
        people = Person.objects.bulk_create(
            Person(**{**p._asdict(), "household": household})
            for household, (_, p) in zip(households, rows, strict=True)
        )
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="person.bulk_create",
            entity_type="people.person",
            summary=f"{len(people)} {what}",
        )
        people_erased_catch(person_ids=[p.pk for p in people], source=what)
    return [p.pk for p in people]


def people_files_link(
    *, left: Path, right: Path, out: Path, threshold: float = linkage.DEFAULT_THRESHOLD
) -> linkage.LinkResult:
    """Link two CSV files of people (see ``linkage``) and write the pairs found to ``out``."""
    result = linkage.link(left, right, threshold=threshold)
    linkage.write_pairs(result.pairs, out)
    return result


def voter_file_import(
    *,
    actor: Actor,
    layout: str,
    voters: Path,
    history: Path | None = None,
    resume: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int | None = None,
    scope: str = ImportScope.CHECK,
) -> voterfile_run.Outcome:
    """Import a state's voter file (see ``people.voterfile``): each batch commits with its audit
    row; the identical files imported again change nothing. ``scope`` (``ImportScope``) says
    what becomes of the state's voters the file does not list: a file much smaller than the
    state on file is refused, before anything is written, unless it is declared a part of the
    state (``PARTIAL``: nobody is marked missing) or the whole of it (``REPLACE_STATE``)."""
    return voterfile_run.run_import(
        actor=actor,
        layout_name=layout,
        voters=voters,
        history=history,
        resume=resume,
        progress=progress,
        batch_size=batch_size,
        scope=scope,
    )


def voter_file_dry_run(
    *,
    layout: str,
    voters: Path,
    history: Path | None = None,
    scope: str = ImportScope.CHECK,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[VoterFileForecast, list[str]]:
    """What importing the files with ``scope`` would do (added, updated, unchanged, rejected
    rows with their reasons, ballots, voters marked missing), and notes about the files.
    Reads only: nothing is written, not even an audit row."""
    return voterfile_run.dry_run(
        layout_name=layout, voters=voters, history=history, scope=scope, progress=progress
    )
