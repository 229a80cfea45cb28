"""The command line: bad input is one line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(GROUNDGAME_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "groundgame", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_unknown_command(tmp_path):
    assert_one_line_error(run("frobnicate", home=tmp_path), "invalid choice", "--help")


def test_unknown_flag(tmp_path):
    assert_one_line_error(run("demo", "--colour", "red", home=tmp_path), "--colour")


def test_bad_scale(tmp_path):
    assert_one_line_error(run("demo", "--scale", "galaxy", home=tmp_path), "galaxy")


def test_data_directory_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run("migrate", home=blocker / "home")
    assert_one_line_error(result, "not writable", "GROUNDGAME_HOME")


def test_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), home=tmp_path)
    assert_one_line_error(result, f"port {port}", "in use", "--port")


def test_database_that_does_not_connect(tmp_path):
    result = run("migrate", home=tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert_one_line_error(result, "cannot connect", "DATABASE_URL")


def test_a_misspelt_two_factor_role_stops_the_start(tmp_path):
    result = run("migrate", home=tmp_path, GROUNDGAME_TWO_FACTOR_ROLES="admins")
    assert_one_line_error(result, "GROUNDGAME_TWO_FACTOR_ROLES", "admins is not a role")


def test_database_url_with_an_unknown_scheme(tmp_path):
    result = run("migrate", home=tmp_path, DATABASE_URL="oracle-ish://x")
    assert_one_line_error(result, "DATABASE_URL")


def test_createstaff_names_a_weak_password_and_writes_nothing(tmp_path):
    result = run("createstaff", "pat", home=tmp_path, GROUNDGAME_PASSWORD="short")
    assert_one_line_error(result, "password", "too short")
    # All or nothing: the national unit it would have created is not there either, so the
    # next attempt starts from the same empty campaign.
    result = run("createstaff", "pat", home=tmp_path, GROUNDGAME_PASSWORD="a-long-passphrase-77")
    assert result.returncode == 0, result.stderr
    assert "Created pat, admin of National." in result.stdout


def test_createstaff_with_an_unknown_unit_or_role(tmp_path):
    ok = run("createstaff", "pat", home=tmp_path, GROUNDGAME_PASSWORD="a-long-passphrase-77")
    assert ok.returncode == 0, ok.stderr
    result = run(
        "createstaff",
        "sam",
        "--unit",
        "Atlantis",
        home=tmp_path,
        GROUNDGAME_PASSWORD="a-long-passphrase-77",
    )
    assert_one_line_error(result, "Atlantis")
    result = run(
        "createstaff",
        "sam",
        "--role",
        "emperor",
        home=tmp_path,
        GROUNDGAME_PASSWORD="a-long-passphrase-77",
    )
    assert_one_line_error(result, "role", "emperor")


def test_createstaff_without_a_password_and_no_terminal(tmp_path):
    result = run("createstaff", "pat", home=tmp_path)
    assert_one_line_error(result, "GROUNDGAME_PASSWORD")
