"""The seeded synthetic campaign: the hierarchy, staff, voters and volunteers, the messaging
history, the library and the field program. The tests share one seed and only read it."""

from __future__ import annotations

import stat
import statistics
import zoneinfo
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model

from groundgame.audit.models import AuditEvent
from groundgame.consent.models import ConsentEvent, Subscription
from groundgame.demo import seed
from groundgame.messaging import list_health
from groundgame.messaging.models import Mailing, Send
from groundgame.organizing.models import Coverage, OrgUnit, StaffRole
from groundgame.people import selectors as people
from groundgame.people.models import Person, VoterRecord
from groundgame.volunteers.models import Membership
from tests.conftest import SeededCampaign

SWING_STATES = {"AZ", "GA", "MI", "NV", "NC", "PA", "WI"}


@pytest.fixture
def seeded(seeded_campaign: SeededCampaign, db: None) -> seed.SeedReport:
    """What seeding the tiny campaign reported (seeded once for the run: tests/conftest.py)."""
    return seeded_campaign.report


def test_the_seed_builds_units_staff_voters_and_volunteers(seeded):
    assert seed.campaign_is_seeded()
    assert seeded.voters == VoterRecord.objects.count() == 3_000
    assert seeded.donors == 750
    # The voters and donors, and the newcomers who signed up (with no street address).
    assert seeded.people == Person.objects.count() > 3_750
    households = Person.objects.exclude(household=None).values("household").distinct()
    assert seeded.households == households.count()
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
    counties = {c.fips: c.state for c in people.swing_county_list()}
    covered = dict(Coverage.objects.values_list("county_fips", "org_unit__state"))
    assert covered == counties
    for team in OrgUnit.objects.filter(kind="team"):
        assert team.coverage.exists()
        assert team.depth == 3


def test_every_voter_belongs_to_the_team_covering_their_county(seeded):
    team_of = dict(Coverage.objects.values_list("county_fips", "org_unit_id"))
    rows = Person.objects.filter(voter_record__isnull=False).values_list(
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


def test_the_demo_login_is_saved_for_its_owner_only_and_signs_in(seeded, seeded_campaign):
    username, password = seed.demo_login()
    path = seeded_campaign.home / "demo-login.json"
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
    counties = people.swing_county_list()
    for year in people.RETURN_YEARS:
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


def test_each_voters_propensity_counts_their_general_election_ballots(seeded):
    from django.db.models import Count

    pairs = set(VoterRecord.objects.annotate(n=Count("history")).values_list("general_votes", "n"))
    assert all(votes == n for votes, n in pairs)
    assert {votes for votes, _ in pairs} == {0, 1, 2, 3}


def test_the_seed_gives_list_health_a_history(seeded):
    """Subscriptions, ten weeks of mailings and churn, partly in the battleground states,
    and donors from elsewhere so that the battleground share means something."""
    battleground = set(settings.GROUNDGAME_BATTLEGROUND_STATES)
    donor_states = set(
        Person.objects.filter(voter_record__isnull=True).values_list("household__state", flat=True)
    )
    assert donor_states
    assert not donor_states & battleground
    with_email = Person.objects.exclude(email="").count()
    fundraising = Subscription.objects.filter(channel="email", topic__key="fundraising").count()
    assert 0.4 < fundraising / with_email < 0.8
    assert Mailing.objects.filter(status="sent").count() >= 10
    assert Send.objects.count() > 5 * Mailing.objects.count()
    churn = ConsentEvent.objects.exclude(action="subscribe")
    inside = churn.filter(state__in=battleground).count()
    assert 0.3 < inside / churn.count() < 0.95
    # Fundraising drives the unsubscribes, as it did in 2024.
    unsubscribes = Counter(churn.filter(action="unsubscribe").values_list("topic__key", flat=True))
    assert unsubscribes.most_common(1)[0][0] == "fundraising"
    health = list_health.list_health()
    assert health.mailings
    assert all(r.now > 0 for r in health.reach)


def test_the_seed_gives_the_field_program_and_library_a_story(seeded, client):
    """Turfs handed out with each state's approved door script, four weeks of doors that add
    up on the national reporting page, flagged and refused results for review, goals,
    materials, and an approval queue with something overdue."""
    from groundgame.content.models import ApprovalDelegation, ContentVersion
    from groundgame.field.models import (
        CanvassAnswer,
        CanvassResult,
        ContactGoal,
        MaterialRequest,
        SyncRejection,
        Turf,
        WalkList,
    )

    states = OrgUnit.objects.filter(kind="state")
    assert set(Turf.objects.values_list("cut__org_unit__parent__parent", flat=True)) == set(
        states.values_list("pk", flat=True)
    )
    lists = WalkList.objects.select_related("script", "turf__org_unit")
    assert lists.count() < Turf.objects.count()  # some turfs are not handed out yet
    for walk_list in lists:
        assert walk_list.script.kind == "script"
        assert walk_list.turf.org_unit.path.startswith(walk_list.script.org_unit.path)
        approved = walk_list.script.versions.filter(status="approved").get()
        assert [q["key"] for q in approved.questions] == ["issues", "vote_plan"]

    results = CanvassResult.objects.exclude(review="rejected")
    talked = results.filter(outcome="talked")
    honest = results.exclude(review="flagged")
    # About 30% of doors open to a conversation (a small sample at this scale).
    assert 0.2 < honest.filter(outcome="talked").count() / honest.count() < 0.45
    answers = CanvassAnswer.objects.filter(result__in=talked)
    issues = Counter(answers.filter(question="issues").values_list("option", flat=True))
    assert issues.most_common(1)[0][0] == "inflation"
    # Conversations since the second version of the scripts answer the vote plan too.
    assert answers.filter(question="vote_plan", option="early").exists()
    assert CanvassResult.objects.filter(review="flagged").exists()
    assert SyncRejection.objects.filter(code="survey_without_conversation").exists()

    user = get_user_model().objects.get(username="demo")
    client.force_login(user)
    report = client.get("/field/reporting/")
    assert report.status_code == 200
    assert report.context["unit"]["kind"] == "national"
    assert report.context["total"].doors == results.count()
    assert report.context["total"].conversations == talked.count()
    assert report.context["progress"]  # the national goal
    # Some states are ahead of their goal's pace and some behind.
    paces = {
        client.get(f"/field/reporting/?unit={state.pk}").context["progress"][0].on_track
        for state in states
    }
    assert paces == {True, False}
    assert ContactGoal.objects.filter(org_unit__kind="team").count() == 2

    delegated = ApprovalDelegation.objects.filter(approver__username__startswith="director.")
    assert delegated.count() == 7
    decided = ContentVersion.objects.filter(decided_by__username__startswith="director.")
    assert decided.filter(status__in=["approved", "superseded"]).count() > 20
    queue = client.get("/content/queue/")
    assert queue.status_code == 200
    assert queue.context["overdue"] >= 1
    assert ContentVersion.objects.filter(status="rejected").exclude(decision_note="").exists()

    materials = client.get("/field/materials/")
    assert materials.status_code == 200
    assert sum(row.late for row in materials.context["rows"]) == 1
    assert MaterialRequest.objects.filter(status="delivered").exists()


def test_the_seed_gives_sign_ups_the_queue_and_events_a_story(seeded, client):
    """Published forms in every state and its biggest team; three days of sign-ups through the
    intake, placed in teams with follow-ups (the older ones mostly called, the newest waiting,
    the last few left for the worker); past events with who came, coming ones with RSVPs and a
    wait list, and a volunteer's proposal, all in the states' units and their own time."""
    import datetime as dt

    from django.utils import timezone

    from groundgame.events.models import Event, ShiftSignup
    from groundgame.volunteers.models import FollowUp, SignupForm, SignupSubmission

    forms = SignupForm.objects.filter(status="published").select_related("org_unit")
    assert Counter(f.org_unit.kind for f in forms) == {"state": 7, "team": 7}
    assert all(f.questions for f in forms)
    signups = SignupSubmission.objects.all()
    assert signups.count() == 36
    assert {s.form.org_unit.state or s.form.org_unit.parent.parent.state for s in signups} >= {
        "PA",
        "MI",
        "NC",
    }
    now = timezone.now()
    oldest = signups.order_by("created_at").first().created_at
    assert dt.timedelta(days=2) < now - oldest < dt.timedelta(days=3, minutes=5)
    assert signups.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= 8
    done = signups.exclude(processed_at=None)
    assert signups.filter(processed_at=None).count() == 3  # for the demo's worker
    assert all(s.person_id and s.org_unit.kind == "team" for s in done)
    follow_ups = FollowUp.objects.all()
    assert follow_ups.count() == done.count()
    called = follow_ups.exclude(first_attempt_at=None)
    waiting = follow_ups.filter(first_attempt_at=None)
    assert called.exists()
    assert waiting.exists()
    # Calls come to outcomes: most close the entry, a message left asks for a call-back.
    assert called.filter(closed_at__isnull=False).exists()
    assert all(f.first_attempt_at >= f.created_at for f in called)
    # The queue's oldest have waited days: each follow-up dates from its sign-up's batch.
    assert now - waiting.order_by("created_at").first().created_at > dt.timedelta(days=1)

    user = get_user_model().objects.get(username="demo")
    client.force_login(user)
    live = client.get("/volunteers/intake/").context["live"]
    assert live.last_hour >= 8
    assert live.uncontacted == waiting.count()
    assert sum(n for _, n in live.per_minute) > 0
    # Due now: everyone never called, then the call-backs whose time has come.
    due = {f for f, _answers, _form in client.get("/volunteers/").context["entries"]}
    callbacks = called.filter(closed_at=None, next_attempt_at__lte=timezone.now())
    assert due == set(waiting) | set(callbacks)

    events = Event.objects.all()
    past = events.filter(shifts__ends_at__lt=now).distinct()
    coming = events.filter(status="published", shifts__starts_at__gt=now).distinct()
    assert past.count() == 7 * 4
    assert coming.count() == 7 * 4
    assert events.filter(status="proposed").count() == 7
    rsvps = ShiftSignup.objects.all()
    assert rsvps.filter(shift__event__in=past, attendance="attended").exists()
    assert rsvps.filter(shift__event__in=past, attendance="no_show").exists()
    assert rsvps.filter(shift__event__in=coming, status="confirmed").exists()
    assert rsvps.filter(shift__event__in=coming, status="waitlisted").exists()
    # Each event is in its state's biggest team, in the state's own time zone.
    assert {e.org_unit.kind for e in events.exclude(status="proposed")} == {"team"}
    staffs = events.exclude(status="proposed")
    assert {e.timezone for e in staffs.filter(org_unit__parent__parent__state="AZ")} == {
        "America/Phoenix"
    }
    staff_list = client.get("/events/staff/")
    assert len(staff_list.context["rows"]) == coming.count()


def test_a_quarter_of_donations_tells_a_story(seeded):
    from groundgame.money import selectors as money
    from groundgame.money.models import Adjustment, Contribution, LimitExcess, VolunteerAsk
    from groundgame.volunteers.models import Membership as Member

    gifts = Contribution.objects.all()
    assert gifts.count() > 100
    east = zoneinfo.ZoneInfo("America/New_York")
    days = {g.paid_at.astimezone(east).date() for g in gifts}
    assert min(days).month == 7
    assert max(days).month == 9
    assert gifts.filter(recurring_plan__isnull=False).exists()
    assert Adjustment.objects.exists()
    assert LimitExcess.objects.filter(status="open").exists()
    # Some donors volunteer already and are not asked again; the others are asked.
    donors = set(gifts.values_list("person_id", flat=True))
    volunteering = donors & set(Member.objects.values_list("person_id", flat=True))
    assert volunteering
    assert not VolunteerAsk.objects.filter(person_id__in=volunteering).exists()
    assert VolunteerAsk.objects.exists()
    # Every donor is a person the file knew: no one was made twice by a gift.
    assert (
        Person.objects.filter(
            pk__in=donors, created_at__gte=min(g.created_at for g in gifts)
        ).count()
        == 0
    )
    totals = money.refcode_totals()
    assert len(totals) > 4


def test_the_seed_gives_appeals_that_win_and_lose(seeded):
    from groundgame.money.models import AppealReturn

    results = {r.appeal.refcode: r for r in AppealReturn.objects.select_related("appeal")}
    assert len(results) == 8
    winner = results["em-0722-launch"]
    assert winner.raised_cents > winner.cost_cents > 0
    assert winner.messages > 0
    assert winner.loss_probability < 0.1
    assert results["ads-tv-0901"].loss_probability > 0.9
    assert not results["ads-tv-0901"].flagged  # its flight is over
    final = results["em-final-notice"]
    assert final.raised_cents == 0
    assert final.unsubscribes > 0
    assert final.flagged
