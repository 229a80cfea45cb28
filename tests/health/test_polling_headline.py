"""The health page's polling headline: the average nationally and in the campaign's states,
for every staff member, linked to the election desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from groundgame.insights import services as insights
from groundgame.organizing import services as organizing


def test_the_home_page_shows_the_average_in_the_campaigns_states(
    campaign: Any, make_staff: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    # The campaign's states are those it has units in: North Carolina and Ohio, not Florida.
    organizing.org_unit_create(
        actor=None, name="Ohio", kind="state", parent=campaign.national, state="OH"
    )
    for state, dem in (("NC", 49.0), ("OH", 44.0), ("FL", 45.0), ("", 48.0)):
        insights.poll_create(
            actor=None,
            state=state,
            pollster="Lakeside Research",
            population="lv",
            start_date=dt.date(2024, 10, 1),
            end_date=dt.date(2024, 10, 3),
            dem_candidate="Harris",
            rep_candidate="Trump",
            dem_pct=dem,
            rep_pct=46.0,
            sample_size=900,
        )
    volunteer_leader = make_staff("vic", role="volunteer_leader", unit=campaign.durham)
    page = client_for(volunteer_leader).get("/").content.decode()
    assert "Polling average in the campaign's states" in page
    assert 'href="/insights/polls/NC/"' in page
    assert 'href="/insights/polls/US/"' in page
    assert 'href="/insights/polls/OH/"' in page
    assert 'href="/insights/polls/FL/"' not in page
