"""The real services a test run uses, and what a test does when one it needs is missing.

Registered from ``tests/conftest.py`` with ``pytest_plugins = ["tests.service_requirements"]``.

- The run's header names the database (vendor, name, host) and the task backend, so a log
  shows which of the two configurations ran: embedded (SQLite, database task backend) or
  scale-out (PostgreSQL from ``DATABASE_URL``, RQ on ``REDIS_URL``).
- ``require_service(name)`` is called at the top of a test that needs PostgreSQL, Redis or
  Chromium. A service this run is not configured for (no ``DATABASE_URL``/``REDIS_URL``)
  skips the test: the other pass of ``.ci/run`` runs it. A service that is configured but
  does not answer, or a browser that is not installed, skips the test on a developer's
  machine and FAILS it when ``CI=true``, because in CI a silently skipped test is a test that
  never ran. The message names the service and how to start it.
- Tests marked ``browser`` require Chromium automatically; the ``chromium_executable``
  fixture gives them the path to launch.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

# Debian's package; Playwright drives it instead of downloading its own browser, so tests
# never reach the network for a browser build. GROUNDGAME_CHROMIUM points elsewhere, as it
# does for the browser tests' fixtures.
CHROMIUM = os.environ.get("GROUNDGAME_CHROMIUM", "/usr/bin/chromium")

HOW_TO_START = {
    "postgresql": (
        "start it (Debian: pg_ctlcluster <version> main start) or unset DATABASE_URL to test "
        "against embedded SQLite; .ci/run starts it for you"
    ),
    "redis": (
        "start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379) or unset "
        "REDIS_URL to test with the database task backend; .ci/run starts it for you"
    ),
    "chromium": "install Debian's browser: apt-get install -y chromium",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _missing(name: str, problem: str) -> None:
    message = f"{name} is needed but {problem}; {HOW_TO_START[name]}"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def _not_configured(name: str, why: str) -> None:
    pytest.skip(f"{name} is not configured for this run ({why})")


def _reachable(host: str, port: int, timeout: float = 3.0) -> str | None:
    """None when a TCP connection opens, else the reason it did not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _database_settings() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def _tasks_backend() -> str:
    from django.conf import settings

    return str(settings.TASKS["default"]["BACKEND"])


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return None


def require_service(name: str) -> None:
    """Skip or fail (see the module's docstring) unless ``name`` is usable by this test.

    ``name`` is "postgresql", "redis" or "chromium".
    """
    if name == "postgresql":
        db = _database_settings()
        if "postgresql" not in db["ENGINE"]:
            _not_configured(name, "DATABASE_URL does not point to PostgreSQL")
        host, port = db.get("HOST") or "localhost", int(db.get("PORT") or 5432)
        if host.startswith("/"):  # a Unix socket directory: let the driver report problems
            return
        problem = _reachable(host, port)
        if problem:
            _missing(name, f"nothing answers at {host}:{port} ({problem})")
    elif name == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            _not_configured(name, "REDIS_URL is not set")
        import redis

        problem = None
        try:
            redis.Redis.from_url(str(url), socket_connect_timeout=3, socket_timeout=3).ping()
        except redis.RedisError as exc:
            problem = str(exc)
        if problem:  # outside the except block, so the report is one message, not a chain
            _missing(name, f"{_redact(str(url))} does not answer ({problem})")
    elif name == "chromium":
        if chromium_path() is None:
            _missing(name, f"{CHROMIUM} is not installed")
    else:
        raise ValueError(f"unknown service {name!r}; use postgresql, redis or chromium")


@pytest.fixture
def chromium_executable() -> str:
    """The browser for Playwright's ``chromium.launch(executable_path=...)``."""
    require_service("chromium")
    path = chromium_path()
    assert path is not None
    return path


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is not None:
        require_service("chromium")


def _redact(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def database_label() -> str:
    db = _database_settings()
    engine = str(db["ENGINE"]).rsplit(".", 1)[-1]
    if engine == "sqlite3":
        # Tests run on the TEST name, not on the demo's database.
        name = (db.get("TEST") or {}).get("NAME") or "in-memory"
        return f"sqlite (test database {Path(str(name)).name})"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{engine} (database {db.get('NAME')}, tests use test_{db.get('NAME')}, on {host}{port})"


def tasks_label() -> str:
    backend = _tasks_backend()
    if "rq" in backend.lower():
        return f"{backend} on {_redact(os.environ.get('REDIS_URL', '?'))}"
    return backend


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        lines = [f"groundgame database: {database_label()}", f"groundgame tasks: {tasks_label()}"]
    except Exception as exc:  # a header must never stop the run
        lines = [f"groundgame: settings not loaded ({exc})"]
    mode = "missing services FAIL" if in_ci() else "missing services skip"
    lines.append(f"groundgame CI={os.environ.get('CI', '')!r}: {mode}")
    return lines
