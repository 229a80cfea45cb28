"""Helpers shared by the tests: the API's one error shape, and for the tests that start a
``groundgame`` process of their own, or threads that must act at the same moment."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from tests.service_requirements import in_ci


def assert_api_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    """``response`` is the API's one error shape (``groundgame.core.errors``): the status, a
    body ``{"code", "message", "field"}`` with this code and field (None: no field), and a
    message a person can read. ``response`` is a test client's response or a loopback
    ``WebhookAnswer``."""
    got = getattr(response, "status_code", None) or response.status
    body = response.json()
    assert got == status, body
    assert {"code", "message", "field"} <= body.keys(), body
    assert (body["code"], body["field"]) == (code, field), body
    message = body["message"]
    assert isinstance(message, str), body
    assert message.strip(), body
    assert message != code, f"the message repeats the code: {body}"


# The public data set lies beside the checkout (``../shared/data``); a fresh clone has none.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file or folder of the public data set beside the checkout. Where it is missing the
    test is skipped with the reason, except under CI=true, where it fails: CI has the data,
    and a test that silently did not run there is a test lost."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"the public data set is not beside this checkout ({path} is missing)"
        if in_ci():
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    return path


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


def run_together(actions: list[Callable[[], None]], *, seconds: float = 60.0) -> None:
    """Each action on a thread of its own, all released at once; fails if any is still running
    after ``seconds``. The threads are daemons, so one left waiting fails the test instead of
    hanging the run."""
    start = threading.Barrier(len(actions))

    def released(action: Callable[[], None]) -> None:
        start.wait()
        action()

    threads = [threading.Thread(target=released, args=(a,), daemon=True) for a in actions]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a thread was left waiting"
