"""JSON from a request, parsed only when its nesting is shallow enough.

Python's parser recurses once per level of nesting: a body of a few thousand ``[`` exhausts
the interpreter's stack and fails the request with a 500 before any view sees it. No payload
of this API nests more than a few levels, so anything deeper than ``MAX_DEPTH`` is refused,
counted over the raw text before parsing. ``NaN`` and ``Infinity`` are not JSON (RFC 8259,
section 6): they are refused as well, as any other invalid JSON is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from groundgame.core.errors import ApplicationError

MAX_DEPTH = 32

INVALID_JSON = "invalid_json"
JSON_TOO_DEEP = "json_too_deep"

# A JSON string, escapes included: brackets inside one do not nest anything.
_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS_RE = re.compile(rb"[\[\]{}]")


def too_deep(raw: bytes) -> bool:
    """Whether arrays and objects in ``raw`` nest deeper than ``MAX_DEPTH``, strings aside."""
    # Most bodies have fewer opening brackets than the limit, so they cannot nest deeper.
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    level = 0
    for bracket in _BRACKETS_RE.findall(_STRING_RE.sub(b'""', raw)):
        level += 1 if bracket in (b"[", b"{") else -1
        if level > MAX_DEPTH:
            return True
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(raw: bytes | str, *, field: str | None = None) -> Any:
    """The parsed body (or ``field``'s value); invalid or too deep is a 400 with a stable code.

    ``invalid_json`` covers bytes that are not UTF-8 as well.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if too_deep(data):
        raise ApplicationError(
            f"{field or 'The body'}: the JSON nests deeper than {MAX_DEPTH} levels.",
            code=JSON_TOO_DEEP,
            field=field,
        )
    try:
        return json.loads(data or b"{}", parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            f"{field}: not valid JSON." if field else "The body is not valid JSON.",
            code=INVALID_JSON,
            field=field,
        ) from None
