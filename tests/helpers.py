"""Helpers shared by the tests that start a ``groundgame`` process of their own."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url_for_tests() -> str:
    """A ``DATABASE_URL`` for the database this test run really uses (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.fail(
                "the SQLite test database is in memory, so a worker process cannot share it; "
                "give DATABASES['default'] a TEST NAME on disk",
                pytrace=False,
            )
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"
