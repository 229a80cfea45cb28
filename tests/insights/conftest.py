"""Fixtures of the insights tests: staff of the small campaign (one national, one of a North
Carolina region (the ``organizer_user`` of the shared fixtures), one with no unit in North
Carolina), the small election files, and those files loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from groundgame.insights import services
from groundgame.organizing import services as organizing
from tests.insights.election_files import write_files


@pytest.fixture
def national_analyst(make_staff: Callable[..., AbstractBaseUser], campaign: Any) -> Any:
    return make_staff("nadia", role="analyst", unit=campaign.national)


@pytest.fixture
def pennsylvania_organizer(make_staff: Callable[..., AbstractBaseUser], campaign: Any) -> Any:
    pa = organizing.org_unit_create(
        actor=None, name="Pennsylvania", kind="state", parent=campaign.national, state="PA"
    )
    return make_staff("paula", role="organizer", unit=pa)


@pytest.fixture
def election_files(tmp_path: Path) -> Path:
    return write_files(tmp_path / "elections")


@pytest.fixture
def election_data(db: None, election_files: Path) -> Any:
    return services.election_files_load(actor=None, data_dir=election_files)
