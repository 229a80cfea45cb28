"""The synthetic voter file: reproducible, fictional, and shaped by the real county returns."""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import addfips
import pytest
import zipcodes

from groundgame.audit.models import AuditEvent
from groundgame.demo import reference
from groundgame.demo import voters as demo_voters
from groundgame.field import turf_services
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.models import Household, Person, VoteHistory, VoterRecord
from groundgame.people.voterfile.bulk import HistoryRow, VoterFileBatch
from tests.helpers import shared_data

REPO = Path(__file__).resolve().parents[2]
TEAMS = {c.fips: 1000 + i for i, c in enumerate(people_selectors.swing_county_list())}
NO_PARTY_STATES = {"GA", "MI", "WI"}


def generate(voters: int, seed: int = 2024, batch_size: int = 20_000) -> VoterFileBatch:
    """The whole file as one batch (indices rebased), for looking at it."""
    whole = VoterFileBatch()
    for batch in demo_voters.voter_file(
        voters=voters, seed=seed, team_by_county=TEAMS, batch_size=batch_size
    ):
        rows = batch.rows
        h0, p0 = len(whole.households), len(whole.people)
        whole.households += rows.households
        whole.people += [p._replace(household=p.household + h0) for p in rows.people]
        whole.voters += rows.voters
        whole.history += [h._replace(voter=h.voter + p0) for h in rows.history]
    return whole


@pytest.fixture(scope="module")
def big_file() -> VoterFileBatch:
    # Large enough that the big counties hold thousands of voters each.
    return generate(150_000)


def test_bundled_tables_equal_what_the_shared_data_derives():
    shared = shared_data()
    bundled = (
        REPO / "src" / "groundgame" / "people" / "data" / "swing_counties.csv",
        REPO / "src" / "groundgame" / "demo" / "data" / "swing_states.csv",
    )
    assert tuple(p.read_text(encoding="utf-8") for p in bundled) == reference.derive(shared)


def test_the_bundled_tables_cover_every_county_of_the_seven_swing_states():
    counties = people_selectors.swing_county_list()
    by_state = Counter(c.state for c in counties)
    assert by_state == {"AZ": 15, "GA": 159, "MI": 83, "NV": 17, "NC": 100, "PA": 67, "WI": 72}
    assert all(
        c.fips[:2] == code
        for c in counties
        for code, s in reference.SWING_STATES.items()
        if s == c.state
    )
    assert all(0.5 < s.vep_turnout_2024 < 0.8 for s in reference.swing_states().values())


def test_the_same_seed_gives_the_same_file_and_another_seed_another():
    first, again, other = generate(4_000), generate(4_000), generate(4_000, seed=7)
    assert first == again
    assert first.people != other.people
    assert len(first.people) == len(first.voters) == 4_000


def test_batches_hold_whole_households_and_bounded_numbers_of_voters():
    batches = list(
        demo_voters.voter_file(voters=9_000, seed=1, team_by_county=TEAMS, batch_size=2_000)
    )
    assert len(batches) >= 4
    for batch in batches:
        rows = batch.rows
        assert len(rows.people) < 2_000 + 5  # a household finishes the batch it starts
        assert {p.household for p in rows.people} == set(range(len(rows.households)))
        assert all(h.voter < len(rows.people) for h in rows.history)


def test_voters_are_spread_over_counties_as_the_2024_vote(big_file):
    per_county = Counter(v.county_fips for v in big_file.voters)
    assert sum(per_county.values()) == 150_000
    allocation = demo_voters.allocate(150_000)
    assert all(per_county[f] == n for f, n in allocation.items())
    votes = {c.fips: c.votes[2024] for c in people_selectors.swing_county_list()}
    total = sum(votes.values())
    for fips, n in per_county.items():
        assert abs(n - 150_000 * votes[fips] / total) <= 1


def test_addresses_are_at_real_zip_codes_and_cities_of_the_right_county(big_file):
    fips_of = addfips.AddFIPS()
    states = {c.fips: c.state for c in people_selectors.swing_county_list()}
    for household in big_file.households[::50]:
        assert states[household.county_fips] == household.state
        (place,) = zipcodes.matching(household.zip5)
        assert place["state"] == household.state
        assert place["city"] == household.city
        assert fips_of.get_county_fips(place["county"], state=household.state) == (
            household.county_fips
        )
        # Near the ZIP's centroid, not on it.
        assert abs(household.latitude - float(place["lat"])) < 0.2
        assert abs(household.longitude - float(place["long"])) < 0.3


def _meters(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_320.0
    east = (a[1] - b[1]) * 111_320.0 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


def test_homes_stand_along_streets_in_number_order(big_file):
    streets: dict[tuple[str, str], dict[int, tuple[float, float]]] = defaultdict(dict)
    for h in big_file.households:
        number, name = h.street.split(" ", 1)
        homes = streets[h.zip5, name]
        # One address, one place: households sharing one are flats of one building.
        assert homes.setdefault(int(number), (h.latitude, h.longitude)) == (
            h.latitude,
            h.longitude,
        )
    gaps, across = [], []
    for homes in streets.values():
        numbers = sorted(homes)
        for n in numbers:
            if n + 2 in homes:  # the next house on the same side
                gaps.append(_meters(homes[n], homes[n + 2]))
            if n % 2 == 0 and n + 1 in homes:  # the house across the street
                across.append(_meters(homes[n], homes[n + 1]))
        # Numbers rise along the street: the lowest and highest are its two ends.
        if len(numbers) >= 3:
            ends = _meters(homes[numbers[0]], homes[numbers[-1]])
            assert ends >= max(_meters(homes[numbers[0]], homes[n]) for n in numbers) - 20
    assert len(gaps) > 10_000
    assert all(15 <= g <= 17 for g in gaps)
    assert all(15 <= a <= 22 for a in across)


def test_a_neighbourhood_walks_like_one(big_file):
    # Turfs of 50 cut within each ZIP code of a big county, as the demo cuts them.
    county = max(people_selectors.swing_county_list(), key=lambda c: c.votes[2024])
    points = [
        (i, h.street, h.zip5, h.county_fips, h.latitude, h.longitude, 1)
        for i, h in enumerate(big_file.households)
        if h.county_fips == county.fips
    ]
    doors = turf_services.doors_of(points)
    labels = turf_services._labels(doors, 50, "zip5")
    routes = [turf_services.route_doors(doors, (labels == k).nonzero()[0]) for k in set(labels)]
    full = [r for r in routes if r.doors >= 40]
    assert len(full) > 20
    assert statistics.median(r.meters for r in full) < 5_000
    assert statistics.median(r.meters / r.doors for r in full) < 40


def test_households_have_one_to_five_adults_mostly_sharing_a_surname(big_file):
    members: dict[int, list[str]] = defaultdict(list)
    for person in big_file.people:
        members[person.household].append(person.last_name)
    sizes = Counter(len(m) for m in members.values())
    assert set(sizes) <= {1, 2, 3, 4, 5}
    assert sizes[1] > 0
    assert sizes[2] > sizes[4]
    shared = [m[1] == m[0] for m in members.values() if len(m) > 1]
    assert 0.75 < sum(shared) / len(shared) < 0.95


def test_everyone_is_an_adult_and_nobody_voted_before_turning_18(big_file):
    today = dt.date.today()
    for person in big_file.people:
        assert person.birth_date is not None
        assert person.birth_date <= demo_voters.AS_OF.replace(year=demo_voters.AS_OF.year - 18)
        assert person.birth_date <= today.replace(year=today.year - 18, day=min(today.day, 28))
        assert person.birth_date > demo_voters.AS_OF.replace(year=demo_voters.AS_OF.year - 101)
    for row in big_file.history:
        birth = big_file.people[row.voter].birth_date
        assert birth is not None
        assert birth <= row.election_date.replace(year=row.election_date.year - 18)
    ages = [demo_voters.AS_OF.year - p.birth_date.year for p in big_file.people if p.birth_date]
    assert 45 < statistics.mean(ages) < 55


def test_party_registration_only_where_the_state_has_it_leaning_as_the_county_voted(big_file):
    parties: dict[str, Counter[str]] = defaultdict(Counter)
    for voter in big_file.voters:
        if voter.state in NO_PARTY_STATES:
            assert voter.party == ""
        else:
            assert voter.party in {"DEM", "REP", "UNA", "LIB", "GRE", "OTH"}
        parties[voter.county_fips][voter.party] += 1
    real, seeded = [], []
    for county in people_selectors.swing_county_list():
        counts = parties[county.fips]
        if county.state not in NO_PARTY_STATES and counts["DEM"] + counts["REP"] >= 400:
            real.append(county.dem_share_2024)
            seeded.append(counts["DEM"] / (counts["DEM"] + counts["REP"]))
    assert len(real) > 20
    assert statistics.correlation(real, seeded) > 0.9


def test_turnout_follows_the_real_county_returns_in_every_year(big_file):
    voters = Counter(v.county_fips for v in big_file.voters)
    ballots: Counter[tuple[str, int]] = Counter(
        (big_file.voters[h.voter].county_fips, h.election_date.year) for h in big_file.history
    )
    counties = people_selectors.swing_county_list()
    for year in (2016, 2020):
        for county in counties:
            if voters[county.fips] >= 3_000:
                seeded = ballots[county.fips, year] / ballots[county.fips, 2024]
                real = county.votes[year] / county.votes[2024]
                assert seeded == pytest.approx(real, rel=0.06), (county.name, year)
    for year in people_selectors.RETURN_YEARS:
        real_votes = [c.votes[year] for c in counties]
        seeded_votes = [ballots[c.fips, year] for c in counties]
        assert statistics.correlation(real_votes, seeded_votes) > 0.95
    # 2024 turnout of each state is its turnout of the eligible population.
    for state, figures in reference.swing_states().items():
        state_voters = sum(n for f, n in voters.items() if f[:2] == _code(state))
        state_ballots = sum(
            n for (f, y), n in ballots.items() if y == 2024 and f[:2] == _code(state)
        )
        assert state_ballots / state_voters == pytest.approx(figures.vep_turnout_2024, abs=0.02)


def test_a_voters_turnout_is_correlated_across_elections(big_file):
    voted: dict[int, set[int]] = defaultdict(set)
    for row in big_file.history:
        voted[row.voter].add(row.election_date.year)
    old_enough = [
        i for i, p in enumerate(big_file.people) if p.birth_date and p.birth_date.year < 1990
    ]
    in_2020 = [2020 in voted[i] for i in old_enough]
    in_2024 = [2024 in voted[i] for i in old_enough]
    p_2024_given_2020 = sum(a and b for a, b in zip(in_2020, in_2024, strict=True)) / sum(in_2020)
    p_2024_given_not = sum(b and not a for a, b in zip(in_2020, in_2024, strict=True)) / (
        len(in_2020) - sum(in_2020)
    )
    assert p_2024_given_2020 > p_2024_given_not + 0.3


def test_ballots_are_cast_in_plausible_ways(big_file):
    methods = Counter((h.election_date.year, h.method) for h in big_file.history)
    for year in people_selectors.RETURN_YEARS:
        total = sum(n for (y, _), n in methods.items() if y == year)
        assert 0.05 < methods[year, "mail"] / total < 0.5
        assert methods[year, "provisional"] / total < 0.02
    assert methods[2020, "mail"] > methods[2016, "mail"]


def test_contact_details_are_fictional(big_file):
    emails = [p.email for p in big_file.people if p.email]
    phones = [p.phone for p in big_file.people if p.phone]
    assert 0.4 < len(emails) / len(big_file.people) < 0.7
    assert all(re.fullmatch(r"[a-z.]+\d+@example\.(com|org|net)", e) for e in emails)
    assert all(re.fullmatch(r"\+1[2-9]\d\d555\d{4}", p) for p in phones)
    ids = [v.state_voter_id for v in big_file.voters]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("SYN") for i in ids)


def test_people_belong_to_the_team_covering_their_county(big_file):
    for person, voter in zip(big_file.people, big_file.voters, strict=True):
        assert person.org_unit_id == TEAMS[voter.county_fips]
        assert big_file.households[person.household].county_fips == voter.county_fips


@pytest.mark.django_db
def test_bulk_load_links_the_rows_and_audits_each_batch_once():
    batches = list(
        demo_voters.voter_file(
            voters=3_000, seed=3, team_by_county={}.fromkeys(TEAMS), batch_size=1_000
        )
    )
    loaded = [people.voter_file_bulk_load(actor=None, batch=b.rows) for b in batches]

    rows = [b.rows for b in batches]
    assert Person.objects.count() == VoterRecord.objects.count() == 3_000
    assert Household.objects.count() == sum(len(r.households) for r in rows)
    assert VoteHistory.objects.count() == sum(len(r.history) for r in rows)
    assert AuditEvent.objects.filter(action="voter_file.bulk_load").count() == len(batches)

    batch, ids = rows[-1], loaded[-1].person_ids
    for index in (0, len(batch.people) // 2, len(batch.people) - 1):
        person = Person.objects.select_related("household", "voter_record").get(pk=ids[index])
        expected = batch.people[index]
        assert (person.first_name, person.last_name, person.birth_date) == (
            expected.first_name,
            expected.last_name,
            expected.birth_date,
        )
        assert person.household is not None
        assert person.household.street == batch.households[expected.household].street
        assert person.voter_record.state_voter_id == batch.voters[index].state_voter_id
        history = {(h.election_date, h.method) for h in person.voter_record.history.all()}
        assert history == {(h.election_date, h.method) for h in batch.history if h.voter == index}
    assert isinstance(batch.history[0], HistoryRow)


def _code(state: str) -> str:
    return next(code for code, s in reference.SWING_STATES.items() if s == state)


def test_newcomers_are_reproducible_swing_county_sign_ups_the_form_accepts():
    from groundgame.volunteers import signups as signup_rules

    newcomers = demo_voters.newcomers(count=300, seed=7)
    assert newcomers == demo_voters.newcomers(count=300, seed=7)
    swing = {z.zip5 for county in demo_voters.county_zips().values() for z in county}
    assert {n["zip5"] for n in newcomers} <= swing
    assert 0.7 < sum(bool(n["phone"]) for n in newcomers) / len(newcomers) < 0.9
    for fields in newcomers:
        clean = signup_rules.clean_submission(
            fields_config={"phone": "optional", "zip5": "required"},
            questions=[],
            consent_topics=["volunteering"],
            fields=fields,
            answers={},
            consents=["volunteering"],
            source="web",
            default_source="web",
        )
        assert clean.errors == {}, fields
        people.person_fields_clean(
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            email=fields["email"],
            phone=fields["phone"],
        )
