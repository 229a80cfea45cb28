"""A test run writes only in temporary directories, never in the checkout.

Loaded before anything else (``-p tests.isolation`` in the pytest options of
``pyproject.toml``), so that it acts before pytest-django reads the settings:

- ``GROUNDGAME_HOME`` points at a directory of this run's own, so the SQLite test database,
  the generated secret key and the file outboxes go there and not into the checkout's
  ``var/``, where the demo keeps its database and its sign-in. The servers and workers tests
  start inherit it. The directory is removed when the run ends.
- Hypothesis keeps its example database and caches in that directory too
  (``HYPOTHESIS_STORAGE_DIRECTORY``), not in ``.hypothesis/`` beside the checkout.
- The run fails if it left anything new under the checkout's ``var/`` or at the checkout's
  top level (other than the reports it was asked to write), naming what it left, so that a
  test writing into the checkout turns CI red.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

_HOME = pytest.StashKey[Path]()
_BEFORE = pytest.StashKey[frozenset[str]]()


def checkout_paths(checkout: Path) -> frozenset[str]:
    """What the checkout holds where a test could leave something: every path under
    ``var/`` and every entry at the top level, relative to the checkout."""
    found = {entry.name for entry in checkout.iterdir()}
    var = checkout / "var"
    if var.is_dir():
        for folder, dirs, files in os.walk(var):
            base = Path(folder).relative_to(checkout)
            found.update(str(base / name) for name in (*dirs, *files))
    return frozenset(found)


def left_behind(
    before: frozenset[str], after: frozenset[str], allowed: Iterable[str] = ()
) -> list[str]:
    """The paths that appeared during the run, except those it was asked to write (and what
    is under them)."""
    allowed = tuple(allowed)
    return sorted(
        path
        for path in after - before
        if not any(path == a or path.startswith(f"{a}/") for a in allowed)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    early_config.stash[_BEFORE] = checkout_paths(early_config.rootpath)
    home = Path(tempfile.mkdtemp(prefix="groundgame-test-home-"))
    early_config.stash[_HOME] = home
    os.environ["GROUNDGAME_HOME"] = str(home)
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(home / "hypothesis")


def _asked_for(config: pytest.Config) -> list[str]:
    """The files and folders of the checkout the run was asked to write: its reports, its
    temporary directory, the folder kept for the browser tests' screenshots."""
    checkout = config.rootpath
    named = [
        config.getoption("xmlpath", None),
        config.getoption("basetemp", None),
        os.environ.get("GROUNDGAME_TEST_ARTIFACTS"),
    ]
    out = []
    for name in named:
        if not name:
            continue
        path = Path(name).resolve()
        if path.is_relative_to(checkout):
            out.append(str(path.relative_to(checkout)))
    return out


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    before = config.stash.get(_BEFORE, None)
    if before is None:
        return
    left = left_behind(before, checkout_paths(config.rootpath), _asked_for(config))
    if not left:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    message = (
        f"the test run left {len(left)} new path(s) in the checkout; tests must write only in "
        "temporary directories (tmp_path, or GROUNDGAME_HOME, which is one):"
    )
    if reporter is not None:
        reporter.write_sep("=", "files left in the checkout", red=True)
        reporter.write_line(message)
        for path in left[:20]:
            reporter.write_line(f"  {path}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    home = config.stash.get(_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)
