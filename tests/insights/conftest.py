"""Fixtures of the insights tests: the small election files, and those files loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groundgame.insights import services
from tests.insights.election_files import write_files


@pytest.fixture
def election_files(tmp_path: Path) -> Path:
    return write_files(tmp_path / "elections")


@pytest.fixture
def election_data(db: None, election_files: Path) -> Any:
    return services.election_files_load(actor=None, data_dir=election_files)
