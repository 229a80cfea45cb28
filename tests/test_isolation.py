"""A test run writes only in temporary directories (``tests/isolation.py``): its database,
secret key and outboxes are in a data directory of its own, and a run that leaves a file in
the checkout fails, naming it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.isolation import left_behind

CHECKOUT = Path(__file__).resolve().parents[1]


def test_this_run_keeps_its_data_outside_the_checkout() -> None:
    home = Path(os.environ["GROUNDGAME_HOME"])
    assert not home.is_relative_to(CHECKOUT)
    if connection.vendor == "sqlite":
        assert Path(settings.DATABASES["default"]["TEST"]["NAME"]).parent == home
        assert Path(connection.settings_dict["NAME"]).parent == home
    assert (home / "secret_key").read_text().strip() == settings.SECRET_KEY
    assert Path(settings.EMAIL_FILE_PATH).is_relative_to(home)
    assert Path(os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]).is_relative_to(home)


def test_what_appeared_is_left_behind_unless_the_run_was_asked_to_write_it() -> None:
    before = frozenset({"src", "var", "var/demo-login.json"})
    after = before | {"var/secret_key", "var/outbox", "reports", "reports/junit.xml", ".x"}
    assert left_behind(before, after, ["reports"]) == [".x", "var/outbox", "var/secret_key"]
    assert left_behind(before, before) == []


def _run(folder: Path, test_source: str) -> subprocess.CompletedProcess[str]:
    (folder / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (folder / "test_probe.py").write_text(textwrap.dedent(test_source))
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    env.pop("GROUNDGAME_HOME")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.isolation",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_that_leaves_a_file_under_var_fails_and_names_it(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "demo-login.json").write_text("{}")
    result = _run(
        tmp_path,
        """
        from pathlib import Path

        def test_writes_into_the_checkout():
            Path("var/outbox").mkdir()
            Path("var/outbox/mail.log").write_text("hello")
        """,
    )
    assert result.returncode == 1, result.stdout
    assert "1 passed" in result.stdout
    assert "var/outbox/mail.log" in result.stdout
    assert "demo-login.json" not in result.stdout


def test_a_run_that_writes_only_in_its_own_data_directory_passes(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        f"""
        import os
        from pathlib import Path

        def test_writes_in_the_data_directory():
            home = Path(os.environ["GROUNDGAME_HOME"])
            assert not home.is_relative_to({str(tmp_path)!r})
            (home / "secret_key").write_text("made by a test")
        """,
    )
    assert result.returncode == 0, result.stdout
    assert not (tmp_path / "var").exists()
