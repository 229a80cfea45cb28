"""A ``.fec`` filing: records, their checks against the FEC's schemas, and the file.

The format: one record a line, its fields in column order joined by ASCII 28 (the file
separator) and the line ended by CRLF; dates as YYYYMMDD, amounts as dollars with two
decimals, a flag as ``X`` or nothing, and only printable ASCII. The JSON Schemas see the same
record as JSON (ISO dates, numbers, booleans), which is how each line is checked before it is
written."""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import IO, Any

import jsonschema_rs
from jsonschema import Draft7Validator

from groundgame import __version__
from groundgame.money.fec import f3p, schemas

FIELD_SEPARATOR = "\x1c"
LINE_END = "\r\n"
FEC_VERSION = "8.3"
SOFTWARE = "groundgame"

# The transaction-type schemas name the lines of Form 3X; a House, Senate or presidential
# committee reports the same transactions on its own form's lines.
FORM_LINES: dict[str, dict[str, str]] = {
    "F3": {"SB21B": "SB17", "SB29": "SB21"},
    "F3P": {"SA11AI": "SA17A", "SA11AII": "SA17A", "SB21B": "SB23", "SB29": "SB29"},
}


@dataclass(frozen=True)
class Kind:
    """A kind of record: its columns, from the schedule's schema (``SchA``), and the rules of
    its kind of transaction (``EARMARK_RECEIPT``). The schedule schemas list every field any
    entity may need as required (an individual's organization name, a committee's first
    name); the FEC's own validator checks a record against its transaction type's schema, and
    so does this."""

    name: str
    layout: str
    rules: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.positions)

    def validators(self, form: str) -> tuple[Draft7Validator, ...]:
        return tuple(_validator(name, form) for name in self._names())

    def checker(self, form: str) -> Callable[[Mapping[str, Any]], bool]:
        """A compiled check of the same schemas, which says only whether a record passes."""
        return _checker(self._names(), form)

    def _names(self) -> tuple[str, ...]:
        return ("F3P",) if self.layout == "F3P" else self.rules or (self.layout,)

    @property
    def positions(self) -> dict[str, int]:
        return _positions(self.layout)

    @property
    def lengths(self) -> dict[str, int]:
        return _lengths(self.layout)


@cache
def _positions(layout: str) -> dict[str, int]:
    columns = f3p.COLUMNS if layout == "F3P" else schemas.columns(layout)
    return {field: index for index, field in enumerate(columns)}


@cache
def _lengths(layout: str) -> dict[str, int]:
    if layout == "F3P":
        return dict(f3p.LENGTHS)
    fields = schemas.schema(layout)["properties"]
    return {name: int(f["maxLength"]) for name, f in fields.items() if "maxLength" in f}


HEADER = Kind("header", "HDR", ())
FORM_3 = Kind("form 3", "F3", ())
FORM_3P = Kind("form 3P", "F3P", ())
INDIVIDUAL_RECEIPT = Kind("contribution", "SchA", ("INDIVIDUAL_RECEIPT",))
EARMARK_RECEIPT = Kind("earmarked contribution", "SchA", ("EARMARK_RECEIPT",))
EARMARK_MEMO = Kind("conduit memo", "SchA", ("EARMARK_MEMO",))
DISBURSEMENT = Kind("disbursement", "SchB", ("DISBURSEMENTS",))
DEBT = Kind("debt", "SchD", ("DEBTS",))


@cache
def _schema(name: str, form: str) -> dict[str, Any]:
    if name == "F3P":
        return f3p.schema()
    lines = FORM_LINES.get(form, {})
    if not lines or name in ("HDR", "F3"):
        return schemas.schema(name)
    relined: dict[str, Any] = _relined(copy.deepcopy(schemas.schema(name)), lines)
    return relined


@cache
def _validator(name: str, form: str) -> Draft7Validator:
    return Draft7Validator(_schema(name, form))


@cache
def _checker(names: tuple[str, ...], form: str) -> Callable[[Mapping[str, Any]], bool]:
    checks = tuple(jsonschema_rs.validator_for(_schema(name, form)) for name in names)
    return lambda instance: all(check.is_valid(instance) for check in checks)


def _relined(node: Any, lines: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _relined(value, lines) for key, value in node.items()}
    if isinstance(node, list):
        return [_relined(value, lines) for value in node]
    if isinstance(node, str):
        return lines.get(node, node)
    return node


@dataclass(frozen=True)
class Record:
    kind: Kind
    values: Mapping[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The record as the schemas read it; an empty field is an absent one."""
        return {
            field: value.isoformat() if isinstance(value, dt.date) else value
            for field, value in self.values.items()
            if value is not None
        }

    def line(self) -> str:
        # Most columns of a record are empty: fill only the fields it has.
        positions = self.kind.positions
        cells = [""] * len(positions)
        for field, value in self.values.items():
            index = positions.get(field)
            if index is not None and value is not None:
                cells[index] = _cell(value)
        return FIELD_SEPARATOR.join(cells)


def record(kind: Kind, **values: Any) -> Record:
    """A record with its text made fit for the file: ASCII, without separators, cut to the
    field's length."""
    lengths = kind.lengths
    fitted = {
        field: _fit(value, lengths.get(field)) if isinstance(value, str) else value
        for field, value in values.items()
    }
    return Record(kind, fitted)


def header(*, comment: str = "") -> Record:
    return record(
        HEADER,
        record_type="HDR",
        ef_type="FEC",
        fec_version=FEC_VERSION,
        soft_name=SOFTWARE,
        soft_ver=__version__,
        hdrcomment=comment or None,
    )


def _fit(value: str, limit: int | None) -> str:
    if value.isascii() and value.isprintable():
        return value.strip()[:limit] if limit is not None else value.strip()
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    printable = "".join(c if " " <= c <= "~" else " " for c in folded).strip()
    return printable[:limit] if limit is not None else printable


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "X" if value else ""
    if isinstance(value, Decimal | int):
        return f"{Decimal(value):.2f}"
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


@dataclass(frozen=True)
class Problem:
    line: int
    record: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.record}): {self.message}"


def problems(records: Iterable[Record], *, form: str) -> Iterator[Problem]:
    """Every way the records break the FEC's schemas, with the line each would stand on."""
    for number, item in enumerate(records, start=1):
        yield from item_problems(number, item, form=form)


def item_problems(number: int, item: Record, *, form: str) -> list[Problem]:
    """One record's problems. A compiled validator of the same schemas (jsonschema-rs) passes
    the good records at a fraction of the cost; a record it refuses is checked again with
    ``jsonschema``, whose messages name the field."""
    instance = item.as_json()
    if item.kind.checker(form)(instance):
        return []
    found = schemas.problems(instance, item.kind.validators(form))
    return [Problem(number, item.kind.name, message) for message in found]


def write(records: Iterable[Record], out: IO[bytes]) -> int:
    """Write the records as a ``.fec`` file; returns the number of lines."""
    count = 0
    for item in records:
        out.write((item.line() + LINE_END).encode("ascii"))
        count += 1
    return count
