"""Fixtures the volunteers tests share."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.volunteers import services as volunteers_services
from tests.conftest import Campaign


@pytest.fixture
def form(campaign: Campaign) -> Any:
    """A published sign-up form of North Carolina with two questions."""
    signup = volunteers_services.signup_form_create(
        actor=None,
        title="Join the team",
        org_unit=campaign.nc,
        questions=[
            {"key": "shirt", "label": "Shirt size", "kind": "choice", "choices": ["S", "M", "L"]},
            {"key": "canvass", "label": "Will you knock doors?", "kind": "yesno"},
        ],
        consent_topics=["volunteering", "voting_info"],
        source="web",
    )
    return volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)
