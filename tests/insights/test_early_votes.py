"""Recording counties' early ballots and the turnout goal: scoped writes, bad input refused
row by row, nothing half written."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.insights import errors, selectors, services
from groundgame.insights.models import EarlyVoteCount, TurnoutGoal

pytestmark = pytest.mark.django_db

YEAR = selectors.election_year()


def test_a_director_records_the_counties_of_their_units(
    campaign: Any, make_staff: Any, election_data: Any
) -> None:
    director = make_staff(role="director", unit=campaign.triangle)
    read = services.early_votes_import(
        actor=director, year=YEAR, text="county_fips,early_ballots\n37063,120000\n37183,400000\n"
    )
    assert len(read.rows) == 2
    assert EarlyVoteCount.objects.get(county_fips="37063").early_ballots == 120_000
    assert AuditEvent.objects.filter(action="early_votes.import", actor=director).exists()
    # Recording again replaces the count.
    services.early_votes_import(
        actor=director, year=YEAR, text="county_fips,early_ballots\n37063,130000\n"
    )
    assert EarlyVoteCount.objects.get(county_fips="37063").early_ballots == 130_000


@pytest.mark.parametrize("role", ["director", "organizer"])
def test_a_county_outside_the_units_refuses_the_file(
    campaign: Any, make_staff: Any, election_data: Any, role: str
) -> None:
    staff = make_staff(role=role, unit=campaign.triangle)
    text = "county_fips,early_ballots\n37063,120000\n37081,90000\n"
    with pytest.raises(PermissionDenied) as refused:
        services.early_votes_import(actor=staff, year=YEAR, text=text)
    assert refused.value.code == errors.EARLY_VOTES_NOT_IN_SCOPE
    assert "line 3: county_fips: 37081 is outside your units" in refused.value.message
    if role == "organizer":  # organizers record no counts at all
        assert "line 2" in refused.value.message
    assert not EarlyVoteCount.objects.exists()


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("fips,early\n37063,1\n", ["line 1: missing columns: county_fips, early_ballots"]),
        (
            "county_fips,early_ballots\n99001,1\n37001,5\n37063,-4\n37183,lots\n37081,\n",
            [
                "line 2: county_fips: 99001 is in no state",
                "line 3: county_fips: 37001 is not a county with past returns held",
                "line 4: early_ballots: -4 is negative",
                "line 5: early_ballots: 'lots' is not a whole number",
                "line 6: early_ballots: missing",
            ],
        ),
        (
            "county_fips,early_ballots\n37063,5\n37063,6\n37183,99999999\n",
            [
                "line 3: county_fips: 37063 is already on line 2",
                "line 4: early_ballots: 99,999,999 is more",
            ],
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_recorded(
    campaign: Any, election_data: Any, text: str, reasons: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.early_votes_import(actor=None, year=YEAR, text=text)
    assert refused.value.code == errors.EARLY_VOTES_INVALID
    for reason in reasons:
        assert reason in refused.value.message
    assert not EarlyVoteCount.objects.exists()


def test_turnout_goals_belong_to_national_admins(campaign: Any, make_staff: Any) -> None:
    director = make_staff(role="director", unit=campaign.nc)
    with pytest.raises(PermissionDenied):
        services.turnout_goal_set(actor=director, year=YEAR, state="NC", ballots=5_000_000)
    admin = make_staff(role="admin", unit=campaign.national)
    with pytest.raises(ValidationFailed) as bad:
        services.turnout_goal_set(actor=admin, year=YEAR, state="XX", ballots=5)
    assert (bad.value.code, bad.value.field) == (errors.TURNOUT_GOAL_INVALID, "state")
    goal = services.turnout_goal_set(actor=admin, year=YEAR, state="nc", ballots=5_700_000)
    assert (goal.state, goal.ballots) == ("NC", 5_700_000)
    assert TurnoutGoal.objects.count() == 1


def test_the_projection_rolls_up_to_states_units_and_the_health_page(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    services.early_votes_import(
        actor=None,
        year=YEAR,
        text="county_fips,early_ballots\n37063,150000\n37183,520000\n37081,240000\n",
    )
    services.turnout_goal_set(actor=None, year=YEAR, state="NC", ballots=1_200_000)
    [nc] = selectors.turnout_vs_goal(YEAR)
    assert nc.counties == 3
    assert nc.lo80 <= nc.projected_total <= nc.hi80
    assert nc.goal == 1_200_000
    from groundgame.insights.turnout_projection import turnout_report

    report = turnout_report(YEAR)
    units = {u.name: u for u in report.units}
    assert units["Triangle"].counties == 2
    assert units["North Carolina"].projected_total == nc.projected_total
    # The counties' intervals add up: their errors are taken to move together.
    assert units["Triangle"].hi80 == units["Durham"].hi80 + units["Wake"].hi80
    page = client_for(make_staff(role="organizer", unit=campaign.durham)).get("/")
    assert page.status_code == 200
    assert b"Projected turnout" in page.content
    assert f"{nc.projected_total:,}".encode() in page.content
