"""The turnout and results pages: every staff member sees them, with the figures' sources,
and bad input answers with the reason, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.insights import selectors, services
from groundgame.insights.models import EarlyVoteCount
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db

YEAR = selectors.election_year()
EARLY = "county_fips,early_ballots\n37063,150000\n37183,520000\n37081,240000\n"


def test_anonymous_visitors_sign_in_first(client: Any) -> None:
    for url in ("/insights/turnout/", "/insights/results/"):
        assert client.get(url).status_code == 302


def test_without_data_the_pages_say_how_to_load_it(
    campaign: Any, make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff(role="analyst", unit=campaign.durham))
    for url in ("/insights/turnout/", "/insights/results/"):
        page = client.get(url)
        assert page.status_code == 200
        assert b"The election data is not loaded" in page.content
        assert b"groundgame insights load" in page.content


def test_a_team_organizer_sees_their_counties_first(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    services.early_votes_import(actor=None, year=YEAR, text=EARLY)
    page = client_for(make_staff(role="organizer", unit=campaign.durham)).get("/insights/turnout/")
    assert page.status_code == 200
    mine = page.content.split(b'id="your-counties"')[1].split(b"</section>")[0]
    assert b'data-fips="37063"' in mine
    assert b'data-fips="37183"' not in mine
    # The states and org units are aggregates: everybody sees them all.
    assert b"Triangle" in page.content
    assert b"Piedmont Triad" in page.content
    assert b"county_president_2016_2020_2024.csv" in page.content


def test_the_results_page_shows_its_charts_and_sources(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    client = client_for(make_staff(role="volunteer_leader", unit=campaign.guilford))
    page = client.get("/insights/results/?from=2016&to=2024")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Swing by state, 2016 to 2024" in body
    assert "Third-party votes against the winning margin, 2024" in body
    assert body.count("<svg") >= 3
    assert "county_president_2016_2020_2024.csv line" in body
    assert "state_president_2024_medsl.csv lines" in body
    # Michigan 2024: 80,103 margin, 103,017 third-party votes.
    assert (
        '<tr data-state="MI"><th scope="row">MI</th><td>TRUMP, DONALD J.</td>'
        "<td>80,103</td><td>103,017</td><td>yes</td>" in body
    )
    # A year not held falls back to the latest two, never a 500.
    assert client.get("/insights/results/?from=1800&to=abc").status_code == 200


def test_a_bad_file_on_the_page_is_named_row_by_row(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    client = client_for(make_staff(role="director", unit=campaign.triangle))
    page = client.post(
        "/insights/turnout/", {"csv": "county_fips,early_ballots\n37063,-1\n37081,5\n"}
    )
    assert page.status_code == 403  # Guilford is outside the Triangle
    assert b"line 2: early_ballots: -1 is negative" in page.content
    assert b"line 3: county_fips: 37081 is outside your units" in page.content
    page = client.post("/insights/turnout/", {"csv": "county_fips\n37063\n"})
    assert page.status_code == 422
    assert b"missing column: early_ballots" in page.content
    page = client.post("/insights/turnout/", {"csv": "county_fips,early_ballots\n37063,\x00\n"})
    assert page.status_code == 400
    assert not EarlyVoteCount.objects.exists()
    ok = client.post("/insights/turnout/", {"csv": "county_fips,early_ballots\n37063,150000\n"})
    assert ok.status_code == 302
    assert EarlyVoteCount.objects.get().early_ballots == 150_000


def test_only_national_admins_see_and_use_the_goal_form(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    director = client_for(make_staff(role="director", unit=campaign.nc))
    assert b"Set goal" not in director.get("/insights/turnout/").content
    assert director.post("/insights/turnout/", {"state": "NC", "ballots": "5"}).status_code == 403
    admin = client_for(make_staff(role="admin", unit=campaign.national))
    assert b"Set goal" in admin.get("/insights/turnout/").content
    assert admin.post("/insights/turnout/", {"state": "QQ", "ballots": "5"}).status_code == 422
    assert (
        admin.post("/insights/turnout/", {"state": "NC", "ballots": "5700000"}).status_code == 302
    )


def test_the_api_reads_the_projection_and_records_early_ballots(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    director = client_for(make_staff(role="director", unit=campaign.triangle))
    refused = director.post(
        "/api/insights/turnout/early-votes",
        {"csv": "county_fips,early_ballots\n37063,5\n37081,x\n"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "early_votes_invalid"
    assert "line 3: early_ballots: 'x' is not a whole number" in refused.json()["message"]
    outside = director.post(
        "/api/insights/turnout/early-votes",
        {"csv": "county_fips,early_ballots\n37081,5\n"},
        content_type="application/json",
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "early_votes_not_in_scope")
    ok = director.post(
        "/api/insights/turnout/early-votes",
        {"csv": "county_fips,early_ballots\n37063,150000\n37183,520000\n"},
        content_type="application/json",
    )
    assert ok.json() == {"counties": 2}
    analyst = client_for(make_staff(role="analyst", unit=campaign.guilford))
    projection = analyst.get("/api/insights/turnout/projection").json()
    assert [c["county_fips"] for c in projection["counties"]] == ["37063", "37183"]
    [nc] = projection["states"]
    assert nc["lo80"] <= nc["projected_total"] <= nc["hi80"]
    third = analyst.get("/api/insights/results/third-party?states=MI").json()
    assert [(t["state"], t["exceeds_margin"]) for t in third] == [("MI", True)]
    assert analyst.get("/api/insights/turnout/projection?year=1700").status_code == 422
    bad = analyst.get("/api/insights/results/third-party?states=MI,Z%00Z")
    assert_api_error(bad, 422, "results_query_invalid", "states")


def test_the_turnout_page_queries_do_not_grow_with_the_counties(
    campaign: Any, make_staff: Any, client_for: Any, election_data: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(make_staff(role="admin", unit=campaign.national))
    client.get("/insights/turnout/")  # the session's first request, and the spread cached

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/insights/turnout/").status_code == 200
        return len(captured)

    services.early_votes_import(actor=None, year=YEAR, text="county_fips,early_ballots\n37063,1\n")
    # The fewest of two: the session's activity stamp is written now and then.
    one = min(queries(), queries())
    services.early_votes_import(actor=None, year=YEAR, text=EARLY)
    assert min(queries(), queries()) == one
    assert one <= 20
