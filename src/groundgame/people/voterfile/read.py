"""Reading a voter file: its fingerprint, its header against the layout's, and its data lines
decoded (UTF-8, else Latin-1) and split into fields, on a delimiter or at fixed widths."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from groundgame.core.errors import ValidationFailed
from groundgame.core.text import bytes_have_control_characters, storable_json, text_problem
from groundgame.people import errors
from groundgame.people.voterfile.layouts import Layout, Shape


class RowProblem(Exception):
    """A line, or a field of it, that a row rule refuses: the column (empty for the whole line)
    and the reason, as the run's report gives them."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def _split(text: str, delimiter: str) -> list[str]:
    if delimiter == ",":
        return next(csv.reader([text]))
    # Tab-delimited files quote every field or none (North Carolina's statewide files quote):
    # splitting on the quoted separator avoids un-quoting each field.
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].split(f'"{delimiter}"')
    return text.split(delimiter)


def decode(raw: bytes) -> tuple[str, bool]:
    """The line as text, and whether it was not UTF-8 (then read as Latin-1, which every byte
    sequence is: files from county systems come in both)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


def file_has_control_characters(path: Path) -> bool:
    """Whether any line of the file holds a character no line may (``core.text``)."""
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            if bytes_have_control_characters(chunk):
                return True
    return False


def _cut(text: str, widths: Sequence[int]) -> list[str]:
    """A fixed-width line's fields; a line shorter than the widths has fewer."""
    parts, at = [], 0
    for width in widths:
        if at >= len(text):
            break
        parts.append(text[at : at + width])
        at += width
    if at < len(text):
        parts.append(text[at:])  # more than the widths: a line of another width
    return parts


def read_header(
    path: Path, shape: Shape, columns: Sequence[str], *, what: str, layout: Layout
) -> list[str]:
    """The file's columns: its header row, or, for a file without one, the layout's
    ``columns``, once the first line is seen to have as many fields (a file of another layout
    would otherwise have every line refused)."""
    with path.open("rb") as f:
        text, _ = decode(f.readline())
    text = text.lstrip("\ufeff").rstrip("\r\n")
    if shape.header:
        return [c.strip() for c in _split(text, shape.delimiter)]
    first = _cut(text, shape.widths) if shape.widths else _split(text, shape.delimiter)
    if text and len(first) != len(columns):
        raise ValidationFailed(
            f"The {what} file does not have the {layout.name} layout ({layout.title}): its "
            f"first line has {len(first)} fields where the layout, which has no header row, "
            f"has {len(columns)}.",
            code=errors.VOTER_IMPORT_LAYOUT,
            field=what,
        )
    return list(columns)


def data_lines(path: Path, *, header: bool = True) -> int:
    """The file's data lines (after the header, if it has one), counted as ``Lines`` numbers
    them, without reading them: a count of newlines."""
    count, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, count + (last != b"\n") - header)


def check_header(
    header: Sequence[str], expected: Sequence[str], *, what: str, layout: Layout
) -> list[str]:
    """Refuse a file whose header lacks a column of the layout; the extra columns it has are
    returned (they are ignored)."""
    pattern = layout.history_column if what == "voters" else None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and not (pattern and pattern.match(c))]
    if missing:
        message = (
            f"The {what} file does not have the {layout.name} layout ({layout.title}): "
            f"missing columns {shortlist(missing)}"
        )
        if extra:
            message += f"; columns not in the layout {shortlist(extra)}"
        raise ValidationFailed(message + ".", code=errors.VOTER_IMPORT_LAYOUT, field=what)
    return extra


def shortlist(names: Sequence[str], most: int = 8) -> str:
    """``names`` for a message: the first ``most``, then how many more."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


class Lines:
    """The data lines of a file after ``skip_to``, split into fields, with their numbers (a
    header is line 1). Counts lines that were not UTF-8; tracks bytes read for the ETA."""

    def __init__(self, path: Path, shape: Shape, width: int, skip_to: int) -> None:
        self.path, self.shape, self.width, self.skip_to = path, shape, width, skip_to
        self.latin1 = 0
        self.bytes_read = 0
        self.size = path.stat().st_size

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, str, RowProblem | None]]:
        delimiter, widths, width = self.shape.delimiter, self.shape.widths, self.width
        against = "the header has" if self.shape.header else "the layout has"
        with self.path.open("rb", buffering=1 << 20) as f:
            number = 0
            if self.shape.header:
                self.bytes_read = len(f.readline())
                number = 1
            for raw in f:
                number += 1
                self.bytes_read += len(raw)
                if number <= self.skip_to:
                    continue
                text, latin1 = decode(raw)
                self.latin1 += latin1
                text = text.rstrip("\r\n")
                if not text.strip():
                    continue
                # PostgreSQL cannot store a NUL: the line is refused, not the whole load, and
                # kept without it.
                problem = text_problem(text)
                if problem:
                    yield number, None, storable_json(text), RowProblem("", problem)
                    continue
                try:
                    parts = _cut(text, widths) if widths else _split(text, delimiter)
                except csv.Error as exc:
                    yield number, None, text, RowProblem("", f"unreadable line: {exc}")
                    continue
                if len(parts) != width:
                    truncated = not raw.endswith(b"\n") and len(parts) < width
                    reason = (
                        f"truncated last line ({len(parts)} of {width} fields)"
                        if truncated
                        else f"{len(parts)} fields where {against} {width}"
                    )
                    yield number, None, text, RowProblem("", reason)
                    continue
                yield number, parts, text, None
