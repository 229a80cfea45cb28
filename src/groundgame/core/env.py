"""Settings helpers: everything configurable comes from the environment.

The embedded mode needs no variable at all: a data directory (``GROUNDGAME_HOME``, default
``./var``) holds the SQLite database, the outboxes and the generated secret key.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import secrets
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def home_dir() -> Path:
    """The data directory; created on first use."""
    return Path(os.environ.get("GROUNDGAME_HOME", "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_endpoints(name: str) -> dict[str, tuple[str, str]]:
    """Webhook endpoints with their HTTP Basic credentials, written
    ``name=username:password,...``: {name: (username, password)}. A malformed entry stops the
    start with a message naming it (never the password)."""
    endpoints: dict[str, tuple[str, str]] = {}
    for entry in env_list(name, []):
        endpoint, _, credentials = entry.partition("=")
        username, _, password = credentials.partition(":")
        if not re.fullmatch(r"[a-z0-9-]{1,40}", endpoint) or not username or not password:
            raise ImproperlyConfigured(
                f"{name}: {endpoint or '(empty)'!r} is not name=username:password "
                "(a name of lowercase letters, digits and dashes)"
            )
        endpoints[endpoint] = (username, password)
    return endpoints


def env_hours(name: str, default: str) -> tuple[dt.time, dt.time]:
    """A daily window such as ``08:00-21:00`` (opening, closing; the closing after the
    opening, within one day). A malformed value stops the start, not a send hours later."""
    value = os.environ.get(name) or default
    try:
        opens, closes = (dt.time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a window like 08:00-21:00.") from None
    if opens >= closes:
        raise ValueError(f"{name}: {value!r} closes before it opens.")
    return opens, closes


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks (``10.0.0.0/8, 192.0.2.7``), checked when the
    settings load."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an address or a network.") from None
    return networks


def env_timezone(name: str, default: str) -> str:
    """An IANA time zone name (``America/New_York``), checked when the settings load."""
    value = os.environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a time zone.") from None
    return value


def secret_key(home: Path) -> str:
    """``GROUNDGAME_SECRET_KEY``, or a random key kept in the data directory.

    Keeping it on disk means sessions survive a restart of the demo without anyone having to
    invent a secret; no key is ever committed.
    """
    return os.environ.get("GROUNDGAME_SECRET_KEY") or _kept_secret(home / "secret_key")


def webhook_secret(home: Path, secret_key: str) -> str:
    """``GROUNDGAME_WEBHOOK_SECRET``, or a random one kept in the data directory.

    It is handed to the email provider, which signs its delivery events with it, so it is
    never the secret key: with the key, whoever holds the provider's settings could sign a
    session, an event host's roster link or a one-click unsubscribe. Set to the key, the
    start stops."""
    secret = os.environ.get("GROUNDGAME_WEBHOOK_SECRET") or _kept_secret(home / "webhook_secret")
    if secret == secret_key:
        raise ValueError(
            "GROUNDGAME_WEBHOOK_SECRET: give webhooks a secret of their own, not the secret key."
        )
    return secret


def erasure_secret(home: Path, secret_key: str) -> str:
    """``GROUNDGAME_ERASURE_SECRET``, or a random one kept in the data directory.

    It keys the hashes by which a person erased on request is known again (their voter id,
    email, phone), so it must outlive a change of the secret key: with a new one, every
    erased person would come back contactable."""
    secret = os.environ.get("GROUNDGAME_ERASURE_SECRET") or _kept_secret(home / "erasure_secret")
    if secret == secret_key:
        raise ValueError(
            "GROUNDGAME_ERASURE_SECRET: give erasures a secret of their own, not the secret key."
        )
    return secret


def _kept_secret(path: Path) -> str:
    """A random secret generated once into ``path`` (readable by its owner only)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(50)
        path.write_text(secret)
        path.chmod(0o600)
        return secret
    except OSError:
        # An unwritable data directory is reported by the command line with a clear message;
        # settings must still load so that it can do so.
        return secrets.token_urlsafe(50)


def database(home: Path) -> dict[str, Any]:
    """``DATABASE_URL`` if set, else SQLite in WAL mode inside the data directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        parsed = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config: dict[str, Any] = dict(parsed)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(home / "groundgame.sqlite3"),
        "OPTIONS": sqlite_options(),
        "TEST": {"NAME": str(home / "test-groundgame.sqlite3")},
    }


def sqlite_options() -> dict[str, Any]:
    # WAL lets the web server and the worker read while one of them writes; synchronous=FULL
    # because a 2xx must mean the row survives a power cut, not only a crash of the process;
    # IMMEDIATE transactions take the write lock up front so that two writers queue on
    # busy_timeout instead of failing with "database is locked" half way through.
    return {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=15000; "
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 15,
    }


def tasks(home: Path) -> dict[str, Any]:
    """The RQ backend when ``REDIS_URL`` is set, else the database backend."""
    if os.environ.get("REDIS_URL"):
        return {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def caches() -> dict[str, Any]:
    """Shared by every web process and worker: Redis when ``REDIS_URL`` is set, else a table
    in the database (created by ``groundgame migrate``)."""
    url = os.environ.get("REDIS_URL")
    if url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "groundgame",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "groundgame_cache",
        }
    }


def email(home: Path) -> dict[str, Any]:
    """Django's EMAIL_* settings from ``EMAIL_URL``; the file outbox when it is unset."""
    url = os.environ.get("EMAIL_URL")
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": home / "outbox" / "email",
        }
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "submission"):
        raise ValueError(f"EMAIL_URL: unknown scheme {parts.scheme!r} (smtp, smtps, submission)")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "submission",
        "EMAIL_TIMEOUT": 30,
    }


def rq_queues() -> dict[str, Any]:
    url = os.environ.get("REDIS_URL")
    if not url:
        return {}
    return {"default": {"URL": url, "DEFAULT_TIMEOUT": 600}}
