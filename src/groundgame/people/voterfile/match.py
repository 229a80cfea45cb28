"""A batch matched against the file on record: the voters already known, and what a line
changes about one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connection

from groundgame.people.models import Household, Person, VoteHistory, VoterChange, VoterRecord
from groundgame.people.voterfile.parse import Voter
from groundgame.people.voterfile.sql import chunks, table


class Known(NamedTuple):
    """A voter on file as a batch compares a line with: record, person and household."""

    voter_pk: int
    person_pk: int
    party: str
    status: str
    county_fips: str
    registered_on: dt.date | None
    last_import_id: int | None
    missing_since: dt.datetime | None
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    org_unit_id: int | None
    household_id: int | None
    address: tuple[str, str, str, str] | None


def known_voters(state: str, ids: Sequence[str]) -> dict[str, Known]:
    """The voters on file among ``ids`` of ``state``, by state voter id."""
    found: dict[str, Known] = {}
    v, p, h = table(VoterRecord), table(Person), table(Household)
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT v.state_voter_id, {KNOWN_COLUMNS} "  # noqa: S608 - model tables
                f"FROM {v} v JOIN {p} p ON p.id = v.person_id "
                f"LEFT JOIN {h} h ON h.id = p.household_id "
                f"WHERE v.state = %s AND v.state_voter_id IN ({marks})",
                [state, *chunk],
            )
            for row in cursor.fetchall():
                found[row[0]] = as_known(row[1:])
    return found


# The columns of a known voter, in the order ``as_known`` reads them.
KNOWN_COLUMNS = (
    "v.id, v.person_id, v.party, v.status, v.county_fips, v.registered_on, v.last_import_id, "
    "v.missing_since, p.first_name, p.middle_name, p.last_name, p.suffix, p.org_unit_id, "
    "p.household_id, h.street, h.unit, h.city, h.zip5"
)


def as_known(row: Sequence[Any]) -> Known:
    """A row of ``KNOWN_COLUMNS`` as a ``Known``."""
    registered = row[5]
    if isinstance(registered, str):  # SQLite hands dates back as text
        registered = dt.date.fromisoformat(registered)
    address = None if row[13] is None else (row[14], row[15], row[16], row[17])
    return Known(
        row[0], row[1], row[2], row[3], row[4], registered, row[6], row[7], row[8], row[9],
        row[10], row[11], row[12], row[13], address,
    )  # fmt: skip


def _address_text(address: tuple[str, str, str, str] | None) -> str:
    if address is None:
        return ""
    street, unit, city, zip5 = address
    return ", ".join(p for p in (f"{street} {unit}".strip(), city, zip5) if p)


Diff = tuple[str, dict[str, Any], dict[str, Any]]  # (VoterChange kind, before, after)


def differences(v: Voter, k: Known) -> list[Diff]:
    """What the line ``v`` changes about the voter ``k``, as VoterChange rows to record."""
    kind = VoterChange.Kind
    diffs: list[Diff] = []
    if k.missing_since is not None:
        since = k.missing_since
        diffs.append((kind.RETURNED, {"missing_since": str(since)}, {}))
    if v.street and v.address != k.address:
        diffs.append(
            (
                kind.MOVED,
                {"address": _address_text(k.address), "county_fips": k.county_fips},
                {"address": _address_text(v.address), "county_fips": v.county_fips},
            )
        )
    if v.status != k.status:
        diffs.append((kind.STATUS, {"status": k.status}, {"status": v.status}))
    if v.party != k.party:
        diffs.append((kind.PARTY, {"party": k.party}, {"party": v.party}))
    names = ("first_name", "middle_name", "last_name", "suffix")
    before = dict(zip(names, (k.first_name, k.middle_name, k.last_name, k.suffix), strict=True))
    after = dict(zip(names, (v.first_name, v.middle_name, v.last_name, v.suffix), strict=True))
    if before != after:
        diffs.append(
            (
                kind.NAME,
                {n: before[n] for n in names if before[n] != after[n]},
                {n: after[n] for n in names if before[n] != after[n]},
            )
        )
    return diffs


def moved_to(
    changed: list[tuple[Voter, Known, list[Diff]]],
) -> dict[tuple[str, str, str, str], str]:
    """The addresses (with their county) that known voters of a batch moved to: each needs
    a household."""
    return {
        v.address: v.county_fips
        for v, _, diffs in changed
        if v.street and any(kind == VoterChange.Kind.MOVED for kind, _, _ in diffs)
    }


def voter_pks(state: str, ids: Sequence[str]) -> dict[str, int]:
    """The voter record ids of ``ids`` of ``state`` on file, by state voter id."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT state_voter_id, id FROM {table(VoterRecord)} "  # noqa: S608
                f"WHERE state = %s AND state_voter_id IN ({marks})",
                [state, *chunk],
            )
            found.update(cursor.fetchall())
    return found


def recorded_ballots(voter_pks: list[int]) -> dict[int, set[dt.date]]:
    """The election days each of the voters has a ballot recorded for."""
    recorded: dict[int, set[dt.date]] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(voter_pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT voter_id, election_date FROM {table(VoteHistory)} "  # noqa: S608
                f"WHERE voter_id IN ({marks})",
                chunk,
            )
            for pk, day in cursor.fetchall():
                day = dt.date.fromisoformat(day) if isinstance(day, str) else day
                recorded.setdefault(pk, set()).add(day)
    return recorded
