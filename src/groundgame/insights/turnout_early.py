"""Reading a file of early ballots (``county_fips, early_ballots``), row by row.

The same reader serves the upload on the turnout page, the API and ``groundgame turnout
project``, so all three refuse the same rows for the same reasons.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from groundgame.insights import results_files as files

COLUMNS = ("county_fips", "early_ballots")
# No county has cast ten million ballots: a bigger number is a typo, not a count.
MAX_BALLOTS = 10_000_000
MAX_ROWS = 5_000


@dataclass(frozen=True)
class EarlyRow:
    county_fips: str
    early_ballots: int
    line: int


@dataclass
class EarlyVotes:
    rows: list[EarlyRow]
    refusals: list[files.Refusal]


def early_votes_read(text: str, *, known_counties: Collection[str]) -> EarlyVotes:
    """The rows of an early-ballots file and those refused (line and reason): a county the
    app holds no history for, a count that is missing, negative, not whole or too big, a
    county twice, or a missing column (refused at line 1)."""
    read = EarlyVotes(rows=[], refusals=[])
    seen: dict[str, int] = {}

    def one(line: int, row: dict[str, str]) -> None:
        if len(read.rows) >= MAX_ROWS:
            raise files.RowError(f"more than {MAX_ROWS:,} counties in one file")
        fips = files.fips_of(row["county_fips"])
        if fips not in known_counties:
            raise files.RowError(f"county_fips: {fips} is not a county with past returns held")
        if fips in seen:
            raise files.RowError(f"county_fips: {fips} is already on line {seen[fips]}")
        count = files.count_of(row["early_ballots"], "early_ballots")
        if count > MAX_BALLOTS:
            raise files.RowError(f"early_ballots: {count:,} is more than any county casts")
        seen[fips] = line
        read.rows.append(EarlyRow(fips, count, line))

    files.each_row(text, COLUMNS, read.refusals, one)
    return read
