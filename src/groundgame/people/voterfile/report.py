"""What a run reports: its progress as it goes, and the rows it rejected, kept with the run
and written out as CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from groundgame.core import exports
from groundgame.people.models import VoterImportRowError

# How a run reports a phase's progress: (phase, lines done, lines expected).
Progress = Callable[[str, int, int], None]
RAW_KEPT = 1_000  # characters of a rejected line kept for the report


@dataclass
class RowError:
    file: str
    line: int
    field: str
    reason: str
    raw: str
    # The voter id the rejected row names, if it could be read: that voter is still on the
    # file, and must not be taken as missing from it.
    voter_id: str = ""


REPORT_COLUMNS = ("file", "row", "field", "reason", "line")


def write_error_report(run_id: int, out: Any) -> int:
    """The run's rejected rows as CSV into the text stream ``out``; returns how many."""
    writer = exports.Writer(out)
    writer.writerow(REPORT_COLUMNS)
    count = 0
    rows = VoterImportRowError.objects.filter(run_id=run_id).order_by(
        "-file", "row_number"
    )  # voters before history
    for e in rows.values_list("file", "row_number", "field", "reason", "raw").iterator(
        chunk_size=5_000
    ):
        writer.writerow(e)
        count += 1
    return count
