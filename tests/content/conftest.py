"""The content app's staff: who writes, who approves, and who may not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Campaign


@pytest.fixture
def staff_users(campaign: Campaign, make_staff: Any) -> dict[str, Any]:
    """The chair (national admin), the North Carolina director, a Durham organizer who writes,
    and a director elsewhere (the Piedmont Triad), by those keys."""
    return {
        "chair": make_staff("chair", role="admin", unit=campaign.national),
        "nc_director": make_staff("nc_director", role="director", unit=campaign.nc),
        "organizer": make_staff("durham_organizer", role="organizer", unit=campaign.durham),
        "other_director": make_staff("other", role="director", unit=campaign.piedmont),
    }
