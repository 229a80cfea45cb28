"""CSV for people to open: every file the product hands out goes through this writer.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is taken as a formula when the file is opened:
a sign-up named ``=HYPERLINK(...)`` becomes a live link in an organizer's spreadsheet. Such a
cell is written with a leading apostrophe, which spreadsheets show as text. A cell that is a
plain number or phone number (``-12``, ``+1 919 555 0100``) is left as it is: it cannot be a
formula, and a dialer reading the file needs it whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[\d][\d .()-]*")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def neutralized(value: Any) -> Any:
    """The cell as a spreadsheet will read it safely (non-text cells are unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


class Writer:
    """``csv.writer`` whose cells cannot run as formulas; ``writerow`` returns what the
    underlying writer returns (the line, when streaming through an echoing file)."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralized(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
