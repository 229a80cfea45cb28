"""Seeding the synthetic campaign: the hierarchy, staff, voters and volunteers, once."""

from __future__ import annotations

import stat
import statistics
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model

from groundgame import seed
from groundgame.audit.models import AuditEvent
from groundgame.organizing.models import Coverage, Membership, OrgUnit, StaffRole
from groundgame.people import reference
from groundgame.people import selectors as people
from groundgame.people.models import Person, VoterRecord

SWING_STATES = {"AZ", "GA", "MI", "NV", "NC", "PA", "WI"}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GROUNDGAME_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def seeded(db: None, home: Path, settings) -> seed.SeedReport:
    # Staff passwords are hashed on purpose slowly; the test needs accounts, not that cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed.seed_campaign(scale="tiny", seed=11)


def test_the_seed_builds_units_staff_voters_and_volunteers(seeded):
    assert seed.campaign_is_seeded()
    assert seeded.voters == seeded.people == VoterRecord.objects.count() == 3_000
    assert seeded.households == Person.objects.values("household").distinct().count()
    assert seeded.units == OrgUnit.objects.count()
    assert seeded.volunteers == Membership.objects.count() > 0
    assert seeded.staff == get_user_model().objects.count()

    kinds = Counter(OrgUnit.objects.values_list("kind", flat=True))
    assert kinds["national"] == 1
    assert kinds["state"] == 7
    assert set(OrgUnit.objects.filter(kind="state").values_list("state", flat=True)) == (
        SWING_STATES
    )
    for state in OrgUnit.objects.filter(kind="state"):
        regions = state.children.all()
        assert 2 <= len(regions) <= 4
        assert all(r.children.exists() for r in regions)


def test_every_team_covers_real_counties_of_its_state_and_all_of_them(seeded):
    counties = {c.fips: c.state for c in reference.swing_counties()}
    covered = dict(Coverage.objects.values_list("county_fips", "org_unit__state"))
    assert covered == counties
    for team in OrgUnit.objects.filter(kind="team"):
        assert team.coverage.exists()
        assert team.depth == 3


def test_every_voter_belongs_to_the_team_covering_their_county(seeded):
    team_of = dict(Coverage.objects.values_list("county_fips", "org_unit_id"))
    rows = Person.objects.values_list(
        "org_unit_id", "voter_record__county_fips", "household__county_fips"
    )
    for unit, voter_county, home_county in rows:
        assert voter_county == home_county
        assert unit == team_of[voter_county]


def test_volunteers_are_on_their_own_teams_and_some_lead(seeded):
    memberships = Membership.objects.select_related("person")
    assert all(m.org_unit_id == m.person.org_unit_id for m in memberships)
    roles = Counter(m.role for m in memberships)
    assert roles["volunteer"] > roles["leader"] >= 0
    assert 0.005 < seeded.volunteers / seeded.people < 0.03


def test_staff_hold_roles_at_every_level(seeded):
    roles = Counter(StaffRole.objects.values_list("role", "org_unit__kind"))
    assert roles["admin", "national"] == 1
    assert roles["analyst", "national"] == 1
    assert roles["director", "state"] == 7
    assert roles["organizer", "region"] == OrgUnit.objects.filter(kind="region").count()
    assert roles["volunteer_leader", "team"] == 7


def test_the_demo_login_is_saved_for_its_owner_only_and_signs_in(seeded, home):
    username, password = seed.demo_login()
    path = home / "demo-login.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert username == "demo"
    assert len(password) >= 12
    user = authenticate(username=username, password=password)
    assert user is not None
    assert user.is_superuser
    assert StaffRole.objects.filter(user=user, role="admin", org_unit__kind="national").exists()


def test_each_voter_batch_is_one_audit_row(seeded):
    batches = AuditEvent.objects.filter(action="voter_file.bulk_load", kind="bulk")
    assert batches.count() >= 2  # small files still load in several batches
    assert AuditEvent.objects.filter(action="membership.bulk_create").count() == 1


def test_seeded_ballots_follow_the_real_returns(seeded):
    ballots = people.ballots_by_county_year()
    counties = reference.swing_counties()
    for year in reference.YEARS:
        real = [c.votes[year] for c in counties]
        seeded_votes = [ballots.get((c.fips, year), 0) for c in counties]
        assert statistics.correlation(real, seeded_votes) > 0.95
    parties = people.voters_by_party()
    by_state = people.voters_by_state()
    assert set(by_state) == SWING_STATES
    no_party = sum(by_state[s] for s in ("GA", "MI", "WI"))
    assert parties[""] >= no_party
    assert VoterRecord.objects.filter(state__in=["GA", "MI", "WI"]).exclude(party="").count() == 0


def test_seeding_again_does_nothing(seeded):
    counts = (OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    again = seed.seed_campaign(scale="tiny", seed=11)
    assert (again.voters, again.units, again.staff) == (0, 0, 0)
    assert (OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == counts


def test_an_unknown_scale_is_refused(db):
    with pytest.raises(ValueError, match="unknown scale"):
        seed.seed_campaign(scale="galactic")
    assert not seed.campaign_is_seeded()


def test_a_seed_stopped_half_way_is_reported_not_taken_for_a_campaign(db, monkeypatch):
    from groundgame import seed as seeding
    from groundgame.people import services as people_services
    from groundgame.runtime import CliError

    load = people_services.synthetic_voter_file_create

    def stop_after_the_first_batch(**kwargs):  # type: ignore[no-untyped-def]
        load(**{**kwargs, "voters": 10})
        raise KeyboardInterrupt  # as if Ctrl-C came during the next batch

    monkeypatch.setattr(people_services, "synthetic_voter_file_create", stop_after_the_first_batch)
    with pytest.raises(KeyboardInterrupt):
        seeding.seed_campaign(scale="tiny")
    with pytest.raises(CliError, match="stopped before it finished"):
        seeding.campaign_is_seeded()


def test_each_voters_propensity_counts_their_general_election_ballots(seeded):
    from django.db.models import Count

    pairs = set(
        VoterRecord.objects.annotate(n=Count("history")).values_list("general_votes", "n")
    )
    assert all(votes == n for votes, n in pairs)
    assert {votes for votes, _ in pairs} == {0, 1, 2, 3}
