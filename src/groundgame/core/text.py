"""Text that every database can store, and the one rule every boundary applies to it.

PostgreSQL refuses NUL in text and JSON values, so a string carrying one fails the whole
statement it is in; neither database (nor UTF-8) can store half of a surrogate pair, which a
JSON body can spell as ``"\\ud800"`` and a phone's app can produce by cutting an emoji in
two. Nobody types a control character other than a tab or a line break; they arrive pasted
or from a broken client.

- ``text_problem`` is the rule: what is wrong with a string, or None. API schemas and
  parameters (``core.api_types.CleanStr``), the sign-up intake and the voter-file reader
  refuse such text at its field or line with that message. (Django's form fields already
  refuse NUL, and a form's bytes that are not UTF-8 are decoded with replacement characters,
  so no surrogate reaches a form.)
- A batch synced from a phone is made storable instead (``storable_json``), so that one
  pasted note does not hold back every result with it.
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL_RE = re.compile(_CONTROL)
_CONTROL_BYTES_RE = re.compile(_CONTROL.encode())
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this field."
SURROGATE_MESSAGE = "This field has a broken character (half of a surrogate pair); retype it."


def bytes_have_control_characters(data: bytes) -> bool:
    """Whether ``data``, in UTF-8 or Latin-1, holds a character ``text_problem`` refuses (a
    lone surrogate cannot be in either)."""
    return _CONTROL_BYTES_RE.search(data) is not None


def text_problem(value: str) -> str | None:
    """What no field may hold (a control character, a lone surrogate), as a message."""
    if _CONTROL_RE.search(value):
        return CONTROL_MESSAGE
    if _SURROGATE_RE.search(value):
        return SURROGATE_MESSAGE
    return None


def storable_json(value: Any) -> Any:
    """Parsed JSON every database stores: control characters dropped from every string (keys
    included), lone surrogates replaced by U+FFFD, and numbers that are not finite (``1e999``
    parses to infinity) turned into text, which whatever checks that value refuses."""
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", _CONTROL_RE.sub("", value))
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [storable_json(v) for v in value]
    if isinstance(value, dict):
        return {storable_json(k): storable_json(v) for k, v in value.items()}
    return value
