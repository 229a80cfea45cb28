"""Text that every database can store.

PostgreSQL refuses NUL in text and JSON values, so a string carrying one fails the whole
statement it is in. Nobody types a control character other than a tab or a line break; they
arrive pasted or from a broken client. Forms refuse them at their field; a batch synced from
a phone has them dropped, so that one pasted note does not hold back every result with it.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    return _CONTROL_RE.search(value) is not None


def without_control_characters(value: Any) -> Any:
    """Parsed JSON with the control characters taken out of every string, keys included."""
    if isinstance(value, str):
        return _CONTROL_RE.sub("", value)
    if isinstance(value, list):
        return [without_control_characters(v) for v in value]
    if isinstance(value, dict):
        return {
            without_control_characters(k): without_control_characters(v) for k, v in value.items()
        }
    return value
