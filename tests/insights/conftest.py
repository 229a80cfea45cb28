"""Staff of the small campaign for the desk's tests: one national, one of a North Carolina
region (the ``organizer_user`` of the shared fixtures), one with no unit in North Carolina."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from groundgame.organizing import services as organizing


@pytest.fixture
def national_analyst(make_staff: Callable[..., AbstractBaseUser], campaign: Any) -> Any:
    return make_staff("nadia", role="analyst", unit=campaign.national)


@pytest.fixture
def pennsylvania_organizer(make_staff: Callable[..., AbstractBaseUser], campaign: Any) -> Any:
    pa = organizing.org_unit_create(
        actor=None, name="Pennsylvania", kind="state", parent=campaign.national, state="PA"
    )
    return make_staff("paula", role="organizer", unit=pa)
