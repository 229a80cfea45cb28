"""The restore drill: back up a campaign with the command, restore it into a fresh database,
and find every table with the same rows; a restore never lands on a database in use."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from groundgame import cli
from groundgame.core import backup
from groundgame.people import services as people

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = 20  # rows compared value by value in every table


@pytest.fixture
def campaign_on_file(campaign: Any) -> Any:
    for n in range(30):
        people.person_create(
            actor=None, first_name=f"Pat{n}", last_name="Backup", email=f"pat{n}@example.com"
        )
    people.universe_save(actor=None, name="Everyone", filters={})
    return campaign


def _sqlite_snapshot(path: str) -> dict[str, tuple[int, list[tuple[Any, ...]]]]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: (
                # Table names read from the catalog just above.
                db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0],  # noqa: S608
                db.execute(f'SELECT * FROM "{t}" ORDER BY rowid LIMIT {SAMPLE}').fetchall(),  # noqa: S608
            )
            for t in tables
        }


def _pg_snapshot(name: str) -> dict[str, tuple[int, list[tuple[Any, ...]]]]:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=name,
    ) as conn:
        tables = [
            t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        ]
        return {
            t: (
                # Table names read from the catalog just above.
                conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0],  # type: ignore[index]  # noqa: S608
                conn.execute(f'SELECT * FROM "{t}" ORDER BY 1 LIMIT {SAMPLE}').fetchall(),  # noqa: S608
            )
            for t in tables
        }


@pytest.fixture
def fresh_pg_database() -> Iterator[str]:
    import psycopg

    db = settings.DATABASES["default"]
    name = f"gg_restore_{uuid.uuid4().hex[:12]}"
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or None,
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_every_row(
    campaign_on_file: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "campaign.backup"
    assert cli.main(["backup", "--out", str(out)]) == 0
    live = dict(settings.DATABASES["default"])

    if connection.vendor == "postgresql":
        target = request.getfixturevalue("fresh_pg_database")
        result = backup.restore({**live, "NAME": target}, out)
        before, after = _pg_snapshot(live["NAME"]), _pg_snapshot(target)
    else:
        target_path = tmp_path / "restored.sqlite3"
        result = backup.restore({**live, "NAME": str(target_path)}, out)
        before, after = _sqlite_snapshot(live["NAME"]), _sqlite_snapshot(str(target_path))

    assert result.tables == len(before) > 40
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    people_table = before["people_person"]
    assert people_table[0] >= 33  # the campaign's three and the thirty


def test_a_restore_never_lands_on_a_database_in_use(
    campaign_on_file: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "campaign.backup"
    assert cli.main(["backup", "--out", str(out)]) == 0
    # Into the live database: refused, nothing touched.
    assert cli.main(["restore", str(out)]) == 2
    assert "restore into" in capsys.readouterr().err
    # Over an existing backup: refused.
    assert cli.main(["backup", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    # Not a backup at all.
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    assert cli.main(["restore", str(junk)]) == 2
    assert "not a groundgame backup" in capsys.readouterr().err


def test_a_backup_of_one_kind_does_not_restore_into_the_other(tmp_path: Path) -> None:
    sqlite_file = tmp_path / "embedded.backup"
    with sqlite3.connect(sqlite_file) as db:
        db.execute("CREATE TABLE t (x)")
    pg_target = {"ENGINE": "django.db.backends.postgresql", "NAME": "nowhere"}
    with pytest.raises(backup.BackupError, match="restore it into a sqlite database"):
        backup.restore(pg_target, sqlite_file)
