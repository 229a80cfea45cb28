"""Staff of the spending tests: finance at national and in Durham, and a vendor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from groundgame.money.services import spending
from tests.conftest import Campaign


@pytest.fixture
def treasurer(make_staff: Callable[..., AbstractBaseUser], campaign: Campaign) -> Any:
    """Tess, the finance role at national: the campaign's treasurer."""
    user = make_staff("tess", role="finance", unit=campaign.national)
    user.email = "tess@campaign.example"
    user.save()
    return user


@pytest.fixture
def durham_finance(make_staff: Callable[..., AbstractBaseUser], campaign: Campaign) -> Any:
    return make_staff("dana", role="finance", unit=campaign.durham)


@pytest.fixture
def national_admin(make_staff: Callable[..., AbstractBaseUser], campaign: Campaign) -> Any:
    return make_staff("nadia", role="admin", unit=campaign.national)


@pytest.fixture
def vendor(treasurer: Any) -> Any:
    return spending.vendor_upsert(
        actor=treasurer,
        name="Blue Wave Media",
        street_1="1 Main St",
        city="Durham",
        state="NC",
        zip_code="27701",
    )
