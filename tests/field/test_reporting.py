"""Organizer reporting: doors, conversations, contact rate, volunteers and issues per unit
and per day, rolled up the tree; goals with their pace and projected finish; materials
against need."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundgame.core.errors import ApplicationError
from groundgame.field import goal_services, reporting
from groundgame.field import services as field
from tests.conftest import Campaign
from tests.field.builders import build_walk_list


def results(
    canvass: Any, outcomes: list[str], *, day: dt.datetime, canvasser: str
) -> list[dict[str, Any]]:
    rows = []
    for door, outcome in enumerate(outcomes):
        row: dict[str, Any] = {
            "client_id": str(uuid.uuid4()),
            "household_id": canvass.door(door).pk,
            "outcome": outcome,
            "recorded_at": (day + dt.timedelta(minutes=5 * door)).isoformat(),
            "canvasser_name": canvasser,
            "script_version": canvass.script_versions[0].pk,
        }
        if outcome == "talked":
            issues = ["inflation", "housing"] if door % 2 else ["inflation"]
            row.update(support=2, answers={"issues": issues})
        rows.append(row)
    return rows


@pytest.fixture
def knocked(campaign: Campaign) -> dict[str, Any]:
    """Durham (Triangle) and Guilford (Piedmont) lists, canvassed today and yesterday."""
    # Doors in the past, all on one calendar day (UTC): a few minutes back, or last night
    # when the day has only just begun.
    now = timezone.now()
    today = now - dt.timedelta(minutes=40)
    if today.date() != now.date():
        today = now.replace(hour=0, minute=0) - dt.timedelta(hours=2)
    made = today - dt.timedelta(days=3)
    durham = build_walk_list(team=campaign.durham, code="DURHAM01", doors=6, created_at=made)
    guilford = build_walk_list(team=campaign.guilford, code="GUILF001", doors=4, created_at=made)
    answers = [
        field.canvass_sync(
            list_code="DURHAM01",
            results=results(
                durham,
                ["talked", "talked", "not_home", "refused", "talked", "not_home"],
                day=today,
                canvasser="Ana",
            ),
        ),
        field.canvass_sync(
            list_code="DURHAM01",
            results=results(
                durham, ["not_home", "talked"], day=today - dt.timedelta(days=1), canvasser="Ben"
            ),
        ),
        field.canvass_sync(
            list_code="GUILF001",
            results=results(
                guilford, ["talked", "not_home", "not_home", "talked"], day=today, canvasser="Cy"
            ),
        ),
    ]
    assert [(row.status, row.code) for a in answers for row in a.rows if row.code] == []
    return {"today": today.date()}


def test_days_roll_up_from_teams_to_regions_states_and_the_nation(
    campaign: Campaign, knocked: dict[str, Any]
) -> None:
    today = knocked["today"]
    rolled = reporting.rolled_up_days(today - dt.timedelta(days=1), today)
    durham_today = rolled[(campaign.durham.pk, today)]
    assert (durham_today.doors, durham_today.conversations, durham_today.volunteers) == (6, 3, 1)
    assert durham_today.contact_rate == 0.5
    triangle = rolled[(campaign.triangle.pk, today)]
    assert (triangle.doors, triangle.conversations) == (6, 3)
    nc_today = rolled[(campaign.nc.pk, today)]
    assert (nc_today.doors, nc_today.conversations, nc_today.volunteers) == (10, 5, 2)
    national_yesterday = rolled[(campaign.national.pk, today - dt.timedelta(days=1))]
    assert (national_yesterday.doors, national_yesterday.conversations) == (2, 1)
    assert (campaign.wake.pk, today) not in rolled
    assert (
        reporting.volunteers_out(
            path=campaign.nc.path, since=today - dt.timedelta(days=1), until=today
        )
        == 3
    )


def test_top_issues_count_mentions_in_conversations(
    campaign: Campaign, knocked: dict[str, Any]
) -> None:
    today = knocked["today"]
    issues = reporting.top_issues(
        path=campaign.durham.path, since=today - dt.timedelta(days=1), until=today
    )
    # Durham's talked doors: 0, 1, 4 today (1 names housing too) and 1 yesterday (housing too).
    assert [(i.key, i.count) for i in issues] == [("inflation", 4), ("housing", 2)]
    assert issues[0].label == "Inflation and cost of living"
    assert round(sum(i.share for i in issues), 6) == 1


def test_a_goal_shows_its_pace_and_when_it_would_be_met(
    campaign: Campaign, knocked: dict[str, Any], make_staff: Any
) -> None:
    today = knocked["today"]
    director = make_staff(role="director", unit=campaign.nc)
    goal = goal_services.contact_goal_set(
        actor=director,
        org_unit_id=campaign.nc.pk,
        measure="doors",
        target=100,
        starts_on=today - dt.timedelta(days=1),
        due_on=today + dt.timedelta(days=8),
    )
    rolled = reporting.rolled_up_days(goal.starts_on, today)
    progress = reporting.goal_progress(goal, rolled, today)
    assert progress.done == 12
    assert progress.expected == pytest.approx(100 * 2 / 10)
    assert not progress.on_track
    # The last seven days (two of them in the goal) average 6 doors: 88 more take 15 days.
    assert progress.recent_per_day == 6.0
    assert progress.projected_finish == today + dt.timedelta(days=15)
    assert progress.late
    assert progress.needed_per_day == pytest.approx(88 / 8)
    organizer = make_staff(role="organizer", unit=campaign.durham)
    with pytest.raises(ApplicationError) as refused:
        goal_services.contact_goal_set(
            actor=organizer,
            org_unit_id=campaign.nc.pk,
            measure="doors",
            target=5,
            starts_on=today,
            due_on=today + dt.timedelta(days=1),
        )
    assert refused.value.code == "goal_not_in_scope"


def test_the_reporting_page_drills_down_the_tree(
    campaign: Campaign, knocked: dict[str, Any], make_staff: Any, client_for: Any
) -> None:
    analyst = client_for(make_staff(role="analyst", unit=campaign.national))
    page = analyst.get(f"/field/reporting/?unit={campaign.nc.pk}&days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Field reporting: North Carolina" in html
    assert f"?unit={campaign.triangle.pk}&days=7" in html
    assert "Inflation and cost of living" in html
    assert analyst.get("/field/reporting/?unit=999999").status_code == 404
    bad = analyst.post(
        f"/field/reporting/?unit={campaign.nc.pk}", {"measure": "doors", "target": "0"}
    )
    assert bad.status_code == 400
    assert Client().get("/field/reporting/").status_code == 302


def test_materials_are_counted_against_need_and_late_orders_flagged(
    campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    today = timezone.localdate()
    organizer = make_staff(role="organizer", unit=campaign.durham)
    director = make_staff(role="director", unit=campaign.nc)
    signs = goal_services.material_request_create(
        actor=organizer,
        org_unit_id=campaign.durham.pk,
        kind="yard_signs",
        quantity_needed=500,
        needed_by=today + dt.timedelta(days=5),
        lead_time_days=10,
    )
    page = client_for(organizer).get("/field/materials/").content.decode()
    assert "1 request past its order-by date" in page
    with pytest.raises(ApplicationError):
        goal_services.material_order(actor=organizer, request_id=signs.pk, quantity=500)
    goal_services.material_order(actor=director, request_id=signs.pk, quantity=500)
    goal_services.material_deliver(actor=organizer, request_id=signs.pk, quantity=450)
    page = client_for(director).get("/field/materials/").content.decode()
    assert "past its order-by date" not in page
    assert ">50<" in page, "still short 50 of 500"
    bad = client_for(organizer).post(
        "/field/materials/",
        {
            "action": "request",
            "org_unit": campaign.durham.pk,
            "kind": "literature",
            "quantity_needed": "100",
            "needed_by": (today - dt.timedelta(days=1)).isoformat(),
            "lead_time_days": "7",
        },
    )
    assert bad.status_code == 422
    assert "That date has passed." in bad.content.decode()


def test_a_scripts_answers_are_counted_per_unit_and_rolled_up(
    campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    """One state script on lists of two teams: each question's answers under each unit, the
    regions and the state adding up their teams', with a chart for the scale and choice."""
    from groundgame.field.models import WalkList
    from tests.field.builders import new_script_version

    made = timezone.now() - dt.timedelta(days=1)
    durham = build_walk_list(team=campaign.durham, code="DURHAM01", doors=4, created_at=made)
    guilford = build_walk_list(
        team=campaign.guilford, code="GUILF001", doors=3, created_at=made, script=False
    )
    version = new_script_version(
        durham,
        "Hi! Two questions.",
        [
            {"key": "enthusiasm", "kind": "scale", "prompt": "How keen?", "min": 1, "max": 3},
            {
                "key": "vote_plan",
                "kind": "choice",
                "prompt": "How will you vote?",
                "options": [{"key": "early", "label": "Early"}, {"key": "mail", "label": "Mail"}],
            },
            {"key": "comment", "kind": "text", "prompt": "Anything else?"},
        ],
    )
    WalkList.objects.filter(code="GUILF001").update(script=durham.walk_list.script)
    at = timezone.now() - dt.timedelta(minutes=50)

    def talk(canvass: Any, door: int, **answers: Any) -> dict[str, Any]:
        return {
            "client_id": str(uuid.uuid4()),
            "household_id": canvass.door(door).pk,
            "outcome": "talked",
            "recorded_at": (at + dt.timedelta(minutes=5 * door)).isoformat(),
            "script_version": version.pk,
            "answers": answers,
        }

    synced = [
        field.canvass_sync(
            list_code="DURHAM01",
            results=[
                talk(durham, 0, enthusiasm=3, vote_plan="early", comment="Rides?"),
                talk(durham, 1, enthusiasm=3, vote_plan="mail"),
                talk(durham, 2, enthusiasm=1),
            ],
        ),
        field.canvass_sync(
            list_code="GUILF001",
            results=[talk(guilford, 0, enthusiasm=2, vote_plan="early")],
        ),
    ]
    assert [row.status for answer in synced for row in answer.rows] == ["accepted"] * 4

    today = timezone.localdate()
    units = [campaign.nc.pk, campaign.triangle.pk, campaign.piedmont.pk, campaign.durham.pk]
    counts = reporting.answer_counts(
        script_id=durham.walk_list.script_id,
        unit_ids=units,
        since=today - dt.timedelta(days=1),
        until=today,
    )
    by_key = {c.question.key: c for c in counts}
    # The questions of the version in use, then those an older one asked (the issues).
    assert list(by_key) == ["enthusiasm", "vote_plan", "comment", "issues"]
    assert by_key["issues"].total == 0
    assert by_key["enthusiasm"].table(units) == [
        ("1", [1, 1, 0, 1]),
        ("2", [1, 0, 1, 0]),
        ("3", [2, 2, 0, 2]),
        ("Answered", [4, 3, 1, 3]),
    ]
    assert by_key["vote_plan"].table(units) == [
        ("Early", [2, 1, 1, 1]),
        ("Mail", [1, 1, 0, 1]),
        ("Answered", [3, 2, 1, 2]),
    ]
    assert by_key["comment"].table(units) == [("Answered", [1, 1, 0, 1])]

    analyst = client_for(make_staff(role="analyst", unit=campaign.national))
    page = analyst.get(
        f"/field/reporting/?unit={campaign.nc.pk}&days=7&script={durham.walk_list.script_id}"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Answers at the door" in html
    assert "answered in 4 conversations under North Carolina" in html
    assert html.count('class="chart') >= 2, "the scale and the choice are charted"
    # A script that is not in the library is ignored for the first one.
    assert analyst.get(f"/field/reporting/?unit={campaign.nc.pk}&script=x").status_code == 200
