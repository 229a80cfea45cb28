"""Named locks held until the transaction ends, for writes that must not interleave.

On PostgreSQL each name becomes a transaction-scoped advisory lock, taken in a fixed order so
that two callers sharing names never wait on one another in a cycle. On SQLite every
transaction is IMMEDIATE (see ``core.env``), which already serializes writers, so there is
nothing more to take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection


def _number(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(names: Iterable[str]) -> None:
    """Take the locks of ``names`` until the enclosing ``atomic()`` block ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for number in sorted({_number(name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
