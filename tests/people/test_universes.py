"""Universes: each filter, the count against a naive filter, bad specs, saving, and exports
that stay in scope and are logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ApplicationError
from groundgame.people import selectors, services
from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.models import (
    Household,
    Person,
    PersonTag,
    Tag,
    Universe,
    VoteHistory,
    VoterRecord,
)
from groundgame.people.universes import age_on
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db

G2016, G2020, G2024 = (d.isoformat() for d in PRESIDENTIAL_GENERALS)
TODAY = timezone.localdate()


def _born(age: int) -> dt.date:
    """A birthday ``age`` years ago, a day later in the year: exactly that age today."""
    day = TODAY - dt.timedelta(days=1)
    if (day.month, day.day) == (2, 29):
        day -= dt.timedelta(days=1)
    return day.replace(year=day.year - age)


@dataclass
class Row:
    """One person as a naive filter sees them."""

    person: Any
    unit_path: str | None
    voter: dict[str, Any] | None
    voted: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)


def _person(
    campaign: Any,
    rows: list[Row],
    name: str,
    *,
    unit: Any,
    age: int | None = None,
    email: bool = True,
    phone: bool = False,
    voter: dict[str, Any] | None = None,
    voted: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Any:
    household = Household.objects.create(
        street="1 Main St", city="Durham", state="NC", zip5="27701", county_fips="37063"
    )
    person = services.person_create(
        actor=None,
        first_name=name,
        last_name="Test",
        household=household,
        org_unit_id=unit.pk if unit else None,
        email=f"{name.lower()}@example.org" if email else "",
        phone=f"+1919555{len(rows):04d}" if phone else "",
        birth_date=_born(age) if age is not None else None,
    )
    # Voter records and tags have no write service of their own yet (the voter-file import
    # owns them); they are made directly, as a factory would.
    if voter is not None:
        record = VoterRecord.objects.create(
            person=person,
            state_voter_id=f"V{person.pk}",
            general_votes=sum(day in voted for day in (G2016, G2020, G2024)),
            **voter,
        )
        for day in voted:
            VoteHistory.objects.create(
                voter=record,
                election_date=dt.date.fromisoformat(day),
                election_name=f"{day[:4]} General",
                method="early",
            )
    for tag in tags:
        PersonTag.objects.create(person=person, tag=Tag.objects.get_or_create(name=tag)[0])
    rows.append(Row(person, unit.path if unit else None, voter, set(voted), set(tags)))
    return person


@pytest.fixture
def file(campaign: Any) -> list[Row]:
    """A dozen people across three teams, with and without voter records."""
    rows: list[Row] = []
    nc = {"state": "NC", "county_fips": "37063", "party": "DEM", "status": "active"}
    _person(
        campaign,
        rows,
        "Dana",
        unit=campaign.durham,
        age=22,
        voter=nc,
        voted=(G2024,),
        tags=("volunteer",),
    )
    _person(
        campaign,
        rows,
        "Eli",
        unit=campaign.durham,
        age=45,
        phone=True,
        voter={**nc, "party": "REP"},
        voted=(G2016, G2020, G2024),
    )
    _person(
        campaign,
        rows,
        "Fay",
        unit=campaign.wake,
        age=67,
        email=False,
        voter={**nc, "county_fips": "37183", "party": ""},
        voted=(G2020,),
    )
    _person(
        campaign,
        rows,
        "Gus",
        unit=campaign.wake,
        age=18,
        voter={**nc, "county_fips": "37183", "party": "UNA", "status": "inactive"},
    )
    _person(
        campaign,
        rows,
        "Hal",
        unit=campaign.guilford,
        age=35,
        phone=True,
        voter={**nc, "county_fips": "37081"},
        voted=(G2016, G2024),
        tags=("donor",),
    )
    _person(
        campaign,
        rows,
        "Ivy",
        unit=campaign.guilford,
        age=80,
        voter={**nc, "county_fips": "37081", "status": "removed"},
        voted=(G2016,),
        tags=("volunteer", "donor"),
    )
    _person(
        campaign,
        rows,
        "Jo",
        unit=None,
        age=29,
        voter={"state": "PA", "county_fips": "42101", "party": "DEM", "status": "active"},
        voted=(G2020, G2024),
    )
    _person(campaign, rows, "Kit", unit=campaign.durham, age=40, tags=("volunteer",))
    _person(campaign, rows, "Lou", unit=campaign.wake, phone=True)
    missing = _person(
        campaign,
        rows,
        "Max",
        unit=campaign.durham,
        age=55,
        voter={**nc, "party": "DEM"},
        voted=(G2016, G2020),
    )
    VoterRecord.objects.filter(person=missing).update(missing_since=timezone.now())
    rows[-1].voter = {**rows[-1].voter, "missing": True}  # type: ignore[dict-item]
    # A merged record with a voter record: never counted, its survivor is.
    merged = _person(campaign, rows, "Dup", unit=campaign.durham, age=22, voter=nc, voted=(G2024,))
    Person.objects.filter(pk=merged.pk).update(merged_into=rows[0].person)
    rows.pop()
    # The campaign fixture's own three people (alice, bob, nobody): no voter record, no age.
    for person, unit in (
        (campaign.alice, campaign.durham),
        (campaign.bob, campaign.guilford),
        (campaign.nobody, None),
    ):
        rows.append(Row(person, unit.path if unit else None, None))
    return rows


def _names(spec: dict[str, Any]) -> set[str]:
    from groundgame.people import universes

    return set(universes.people(universes.parse(spec)).values_list("first_name", flat=True))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {},
            {
                "Dana",
                "Eli",
                "Fay",
                "Gus",
                "Hal",
                "Ivy",
                "Jo",
                "Kit",
                "Lou",
                "Max",
                "Alice",
                "Bob",
                "Nora",
            },
        ),
        ({"state": ["PA"]}, {"Jo"}),
        ({"state": ["nc"], "county": ["37183"]}, {"Fay", "Gus"}),
        ({"party": [""]}, {"Fay"}),
        ({"party": ["DEM", "UNA"]}, {"Dana", "Gus", "Hal", "Ivy", "Jo", "Max"}),
        ({"general_votes": [0]}, {"Gus"}),
        ({"general_votes": [3]}, {"Eli"}),
        ({"general_votes": [1, 2]}, {"Dana", "Fay", "Hal", "Ivy", "Jo", "Max"}),
        ({"voted_in": [G2024]}, {"Dana", "Eli", "Hal", "Jo"}),
        ({"voted_in": [G2016, G2024]}, {"Eli", "Hal"}),
        ({"not_voted_in": [G2024]}, {"Fay", "Gus", "Ivy", "Max"}),
        ({"voted_in": [G2020], "not_voted_in": [G2016]}, {"Fay", "Jo"}),
        ({"status": ["inactive", "removed"]}, {"Gus", "Ivy"}),
        ({"missing": True}, {"Max"}),
        ({"missing": False, "state": ["NC"], "status": ["active"]}, {"Dana", "Eli", "Fay", "Hal"}),
        ({"age": {"min": 18, "max": 29}}, {"Dana", "Gus", "Jo"}),
        ({"age": {"min": 65}}, {"Fay", "Ivy"}),
        ({"age": {"max": 18}}, {"Gus"}),
        ({"has_email": False}, {"Fay", "Nora"}),
        ({"has_phone": True}, {"Eli", "Hal", "Lou"}),
        ({"tags_any": ["donor"]}, {"Hal", "Ivy"}),
        ({"tags_any": ["volunteer"], "tags_none": ["donor"]}, {"Dana", "Kit"}),
    ],
)
def test_each_filter(file: list[Row], spec: dict[str, Any], expected: set[str]) -> None:
    assert _names(spec) == expected
    assert selectors.universe_count(spec) == len(expected)
    assert selectors.universe_breakdown(spec).total == len(expected)


def test_org_unit_is_the_unit_and_everything_under_it(campaign: Any, file: list[Row]) -> None:
    assert _names({"org_unit": campaign.triangle.pk}) == {
        "Dana",
        "Eli",
        "Fay",
        "Gus",
        "Kit",
        "Lou",
        "Max",
        "Alice",
    }
    assert _names({"org_unit": campaign.guilford.pk, "has_phone": True}) == {"Hal"}


def test_breakdown_splits_voters_from_people_off_the_file(file: list[Row]) -> None:
    result = selectors.universe_breakdown({"has_email": True})
    assert result.total == 11
    assert result.voters == 7
    assert result.off_file == 4
    assert result.by_state == {"NC": 6, "PA": 1}
    assert result.by_turnout == {0: 1, 1: 2, 2: 3, 3: 1}
    assert sum(result.by_party.values()) == 7


def _naive(rows: list[Row], spec: dict[str, Any], paths: dict[int, str]) -> int:
    """The same universe, filtered row by row in Python."""

    def keep(row: Row) -> bool:
        p, v = row.person, row.voter
        voter_keys = {
            "state",
            "county",
            "party",
            "general_votes",
            "status",
            "missing",
            "voted_in",
            "not_voted_in",
        }
        if voter_keys & set(spec) and v is None:
            return False
        checks = {
            "state": lambda s: v["state"] in s,
            "county": lambda s: v["county_fips"] in s,
            "party": lambda s: v["party"] in s,
            "general_votes": lambda s: len(row.voted) in s,
            "status": lambda s: v["status"] in s,
            "missing": lambda m: bool(v.get("missing")) == m,
            "voted_in": lambda days: set(days) <= row.voted,
            "not_voted_in": lambda days: not set(days) & row.voted,
            "has_email": lambda h: bool(p.email) == h,
            "has_phone": lambda h: bool(p.phone) == h,
            "tags_any": lambda t: bool(set(t) & row.tags),
            "tags_none": lambda t: not set(t) & row.tags,
            "org_unit": lambda u: bool(row.unit_path) and row.unit_path.startswith(paths[u]),
            "age": lambda a: (
                p.birth_date is not None
                and a.get("min", 0) <= age_on(p.birth_date, TODAY) <= a.get("max", 200)
            ),
        }
        return all(checks[key](value) for key, value in spec.items())

    return sum(keep(row) for row in rows)


def _specs(unit_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    sub = lambda values: st.lists(st.sampled_from(values), min_size=1, max_size=3)  # noqa: E731
    ages = st.fixed_dictionaries(
        {}, optional={"min": st.integers(0, 90), "max": st.integers(0, 90)}
    ).filter(lambda a: a and a.get("min", 0) <= a.get("max", 130))
    return st.fixed_dictionaries(
        {},
        optional={
            "state": sub(["NC", "PA", "GA"]),
            "county": sub(["37063", "37183", "37081", "42101"]),
            "party": sub(["DEM", "REP", "UNA", ""]),
            "general_votes": sub([0, 1, 2, 3]),
            "status": sub(["active", "inactive", "removed"]),
            "missing": st.booleans(),
            "voted_in": sub([G2016, G2020]),
            "not_voted_in": sub([G2024]),
            "has_email": st.booleans(),
            "has_phone": st.booleans(),
            "tags_any": sub(["volunteer", "donor"]),
            "tags_none": sub(["donor"]),
            "org_unit": st.sampled_from(unit_ids),
            "age": ages,
        },
    )


def test_the_count_equals_a_naive_filter_over_the_same_rows(campaign: Any, file: list[Row]) -> None:
    units = [
        campaign.national,
        campaign.nc,
        campaign.triangle,
        campaign.durham,
        campaign.wake,
        campaign.guilford,
    ]
    paths = {u.pk: u.path for u in units}

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(_specs(list(paths)))
    def check(spec: dict[str, Any]) -> None:
        assert selectors.universe_count(spec) == _naive(file, spec, paths), spec
        assert selectors.universe_breakdown(spec).total == _naive(file, spec, paths), spec

    check()


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ([], "spec"),
        ({"version": 2}, "version"),
        ({"colour": ["blue"]}, "colour"),
        ({"state": "PA"}, "state"),
        ({"state": []}, "state"),
        ({"state": ["XX"]}, "state"),
        ({"state": [["PA"]]}, "state"),
        ({"county": ["4210"]}, "county"),
        ({"party": ["WHIG"]}, "party"),
        ({"general_votes": [4]}, "general_votes"),
        ({"general_votes": [True]}, "general_votes"),
        ({"general_votes": ["1"]}, "general_votes"),
        ({"status": ["asleep"]}, "status"),
        ({"missing": "yes"}, "missing"),
        ({"has_email": 1}, "has_email"),
        ({"age": {"min": 40, "max": 30}}, "age"),
        ({"age": {"min": -1}}, "age"),
        ({"age": {}}, "age"),
        ({"age": {"oldest": 3}}, "age"),
        ({"voted_in": ["last tuesday"]}, "voted_in"),
        ({"voted_in": [G2024], "not_voted_in": [G2024]}, "not_voted_in"),
        ({"org_unit": 999_999}, "org_unit"),
        ({"org_unit": "1"}, "org_unit"),
        ({"tags_any": ["no-such-tag"]}, "tags_any"),
    ],
)
def test_a_bad_spec_names_its_field(campaign: Any, spec: Any, field: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        selectors.universe_count(spec)
    assert caught.value.code == "universe_spec_invalid"
    assert caught.value.field == field
    assert caught.value.status == 422


def test_the_api_counts_and_answers_422_for_a_bad_spec(
    campaign: Any, file: list[Row], make_staff: Any, client_for: Any
) -> None:
    # Counts are aggregates: an analyst, who sees no personal records, may count.
    client = client_for(make_staff(role="analyst", unit=campaign.national))
    good = client.get("/api/people/universes/count", {"spec": json.dumps({"state": ["PA"]})})
    assert good.status_code == 200
    assert good.json() == {"count": 1, "version": 1}
    bad = client.get("/api/people/universes/count", {"spec": json.dumps({"age": {"min": "x"}})})
    assert_api_error(bad, 422, "universe_spec_invalid", "age")
    not_json = client.get("/api/people/universes/count", {"spec": "{"})
    assert not_json.status_code == 422
    assert not_json.json()["field"] == "spec"


def test_the_count_endpoint_takes_the_builders_inputs(
    campaign: Any, file: list[Row], make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff(role="analyst", unit=campaign.national))
    response = client.get(
        "/people/universes/count/",
        {"state": "NC", "party": ["", "UNA"], f"election_{G2020}": "voted", "age_min": "60"},
    )
    assert response.status_code == 200
    assert response.json()["count"] == 1  # Fay
    assert "Turnout propensity" in response.json()["html"]
    bad = client.get("/people/universes/count/", {"age_min": "old"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "age"
    assert Client().get("/people/universes/count/").status_code == 302


def test_save_update_and_delete_are_audited_and_names_are_unique(
    campaign: Any, file: list[Row], make_staff: Any
) -> None:
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    saved = services.universe_save(
        actor=olivia, name="  Low  turnout NC ", filters={"state": ["NC"], "general_votes": [0, 1]}
    )
    assert saved.name == "Low turnout NC"
    assert saved.filters == {"version": 1, "state": ["NC"], "general_votes": [0, 1]}
    assert saved.last_count == 4
    assert saved.counted_at is not None
    assert AuditEvent.objects.filter(action="universe.create", entity_id=str(saved.pk)).exists()

    with pytest.raises(ApplicationError) as taken:
        services.universe_save(actor=olivia, name="low turnout nc", filters={})
    assert (taken.value.code, taken.value.field) == ("universe_name_taken", "name")
    with pytest.raises(ApplicationError) as blank:
        services.universe_save(actor=olivia, name="  ", filters={})
    assert blank.value.field == "name"
    with pytest.raises(ApplicationError) as bad:
        services.universe_save(actor=olivia, name="Bad", filters={"party": ["WHIG"]})
    assert bad.value.field == "party"
    assert Universe.objects.count() == 1

    updated = services.universe_save(
        actor=olivia, name="Low turnout NC", filters={"state": ["NC"]}, universe_id=saved.pk
    )
    assert updated.last_count == 7
    change = AuditEvent.objects.get(action="universe.update")
    assert change.changes["last_count"] == [4, 7]

    someone = make_staff("sam", role="organizer", unit=campaign.piedmont)
    with pytest.raises(ApplicationError):
        services.universe_delete(actor=someone, universe_id=saved.pk)
    services.universe_delete(actor=olivia, universe_id=saved.pk)
    assert not Universe.objects.exists()
    assert AuditEvent.objects.filter(action="universe.delete").count() == 1


def _export(client: Any, universe: Universe) -> tuple[Any, list[dict[str, str]]]:
    response = client.get(f"/people/universes/{universe.pk}/export/")
    body = b"".join(response.streaming_content).decode() if response.status_code == 200 else ""
    return response, list(csv.DictReader(io.StringIO(body)))


def test_an_export_holds_only_people_in_scope_and_is_logged_once(
    campaign: Any, file: list[Row], make_staff: Any, client_for: Any
) -> None:
    universe = services.universe_save(actor=None, name="Emailable", filters={"has_email": True})
    assert universe.last_count == 11

    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    response, rows = _export(client_for(olivia), universe)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    # Triangle holds Durham and Wake; Guilford, Pennsylvania and the unplaced are left out.
    assert {r["first_name"] for r in rows} == {"Dana", "Eli", "Gus", "Kit", "Lou", "Max", "Alice"}
    dana = next(r for r in rows if r["first_name"] == "Dana")
    assert (dana["party"], dana["general_votes"], dana["county_fips"]) == ("DEM", "1", "37063")
    event = AuditEvent.objects.get(action="universe.export")
    assert event.actor == olivia
    assert event.kind == "read"
    assert event.entity_id == str(universe.pk)
    assert "7 people" in event.summary

    admin_client = client_for(make_staff("ada", role="admin", unit=campaign.national))
    _, everyone = _export(admin_client, universe)
    assert len(everyone) == 11
    assert AuditEvent.objects.filter(action="universe.export").count() == 2


def test_an_analyst_cannot_export_personal_data(
    campaign: Any, file: list[Row], make_staff: Any, client_for: Any
) -> None:
    universe = services.universe_save(actor=None, name="All", filters={})
    client = client_for(make_staff(role="analyst", unit=campaign.national))
    response, rows = _export(client, universe)
    assert response.status_code == 302
    assert rows == []
    assert not AuditEvent.objects.filter(action="universe.export").exists()


def test_without_javascript_the_form_counts_and_saves(
    campaign: Any, file: list[Row], make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff("olivia", role="organizer", unit=campaign.triangle))
    page = client.post("/people/universes/new/", {"action": "count", "state": "PA"})
    assert page.status_code == 200
    assert 'data-count="1"' in page.content.decode()

    bad = client.post("/people/universes/new/", {"action": "save", "name": "", "state": "PA"})
    assert bad.status_code == 422
    assert "Give the universe a name." in bad.content.decode()

    saved = client.post(
        "/people/universes/new/",
        {"action": "save", "name": "Young voters", "age_max": "30", "party": ["DEM", ""]},
    )
    universe = Universe.objects.get(name="Young voters")
    assert saved.status_code == 302
    assert saved["Location"] == f"/people/universes/{universe.pk}/"
    assert universe.filters == {"version": 1, "age": {"max": 30}, "party": ["DEM", ""]}
    assert universe.last_count == 2  # Dana and Jo
    listing = client.get("/people/universes/").content.decode()
    assert "Young voters" in listing
    reopened = client.get(f"/people/universes/{universe.pk}/").content.decode()
    assert 'data-count="2"' in reopened
    assert 'placeholder="to" value="30"' in reopened


def test_the_command_line_exports_everyone_as_the_system(
    file: list[Row], tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from groundgame import cli
    from groundgame.cli import people as people_commands

    services.universe_save(actor=None, name="Emailable", filters={"has_email": True})
    # The test database is ready: the command's start-up (data directory, migrations) is not
    # what is tested here.
    monkeypatch.setattr(people_commands, "boot", lambda: "sqlite")
    out = tmp_path / "emailable.csv"
    assert cli.main(["people", "export-universe", "EMAILABLE", "--out", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as written:
        rows = list(csv.DictReader(written))
    assert len(rows) == 11
    assert "11 people" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="universe.export")
    assert (event.actor, event.kind) == (None, "read")

    assert cli.main(["people", "export-universe", "Nobody", "--out", str(out)]) == 2
    assert "no universe named 'Nobody'" in capsys.readouterr().err
