"""A synthetic voter file for the swing states, shaped by their real county returns.

Nobody in it is real: names are drawn from lists of common names, streets are invented (at
real ZIP codes of the right county, in neighbourhoods of streets near the ZIP's centroid:
``streets``), emails are at the
``example.*`` domains reserved for documentation and phones are in the fictional 555
exchange. What is real are the aggregates: the counties' returns (``people.selectors``) and the
states' turnout (``reference``):

- each county holds voters in proportion to its 2024 presidential vote;
- the chance that a voter of county *c* voted in year *Y* is
  ``votes_Y(c) / registered(c)``, where ``registered(c)`` is scaled so that 2024 turnout
  equals the state's 2024 turnout of its eligible population. A voter's turnout is correlated
  across years (and within a household) through a Gaussian copula, which keeps each year's
  county rate exact in expectation; nobody votes before turning 18;
- party registration, in the states that have it, leans as the county voted in 2024.

The same ``seed`` gives the same file. Each county draws from its own generator, so the file
does not depend on the order counties are processed in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from statistics import NormalDist

import addfips
import zipcodes

from groundgame.demo import names, reference
from groundgame.demo.streets import Neighbourhood, Streets
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.selectors import SwingCounty
from groundgame.people.services import (
    HistoryRow,
    HouseholdRow,
    PersonRow,
    VoterFileBatch,
    VoterRow,
)

ELECTIONS = (
    (2016, dt.date(2016, 11, 8), "2016 General"),
    (2020, dt.date(2020, 11, 3), "2020 General"),
    (2024, dt.date(2024, 11, 5), "2024 General"),
)
# Ages are as of the last election, so the file does not change with the day it is made.
AS_OF = ELECTIONS[-1][1]

# Adults by age band, roughly as among registered voters (Census CPS, November 2022).
_AGE_BANDS = (
    (18, 24, 0.11),
    (25, 34, 0.16),
    (35, 44, 0.16),
    (45, 54, 0.15),
    (55, 64, 0.17),
    (65, 74, 0.15),
    (75, 84, 0.075),
    (85, 100, 0.025),
)
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
_HOUSEHOLD_WEIGHTS = (0.30, 0.38, 0.17, 0.10, 0.05)

# Registration outside the two big parties: (unaffiliated, Libertarian, Green, other), roughly
# the states' late-2024 registration totals. Georgia, Michigan and Wisconsin register no party.
_NON_MAJOR = {
    "AZ": (0.34, 0.007, 0.001, 0.002),
    "NV": (0.36, 0.008, 0.001, 0.060),
    "NC": (0.38, 0.005, 0.001, 0.0),
    "PA": (0.11, 0.004, 0.002, 0.040),
}

# How each year's voters cast their ballot (election day, early, mail, provisional), roughly
# the national shares of the EAVS reports: 2020 was the mail election.
_METHODS = ("election_day", "early", "mail", "provisional")
_METHOD_WEIGHTS = {
    2016: (0.58, 0.27, 0.145, 0.005),
    2020: (0.28, 0.31, 0.405, 0.005),
    2024: (0.38, 0.37, 0.245, 0.005),
}

_YEAR_RHO = 0.65  # correlation of one voter's turnout between two elections
_HOUSEHOLD_SHARE = 0.5  # share of a voter's propensity that the household has in common
_MAX_TURNOUT = 0.97
# Households of the file in one neighbourhood of streets (see ``streets``).
_NEIGHBOURHOOD_HOMES = (60, 240)
VOLUNTEER_RATE = 0.015
LEADER_RATE = 0.08
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class Zip:
    zip5: str
    city: str
    latitude: float
    longitude: float
    area_codes: tuple[str, ...]


@dataclass
class SynthBatch:
    """A batch for the loader plus the people of it who volunteer: ``(index, is_leader)``."""

    rows: VoterFileBatch
    volunteers: list[tuple[int, bool]]


def _rank_weights(items: tuple[str, ...] | list[str]) -> list[float]:
    # Common names are much more common than rare ones: weight falls with the rank.
    return list(accumulate(1.0 / (rank + 8) for rank in range(len(items))))


_FEMALE_W = _rank_weights(names.FEMALE)
_MALE_W = _rank_weights(names.MALE)
_SURNAME_W = _rank_weights(names.SURNAMES)
_STREET_W = _rank_weights(names.STREETS)


@cache
def county_zips() -> dict[str, tuple[Zip, ...]]:
    """The street-delivery ZIP codes of each swing county (by FIPS), in ZIP order."""
    found: dict[str, tuple[Zip, ...]] = {}
    for state, area_codes in names.AREA_CODES.items():
        found.update(state_zips(state, area_codes))
    return found


def state_zips(state: str, area_codes: tuple[str, ...]) -> dict[str, tuple[Zip, ...]]:
    """The street-delivery ZIP codes of each county of ``state`` (by FIPS), in ZIP order, with
    the area codes among ``area_codes`` that each ZIP is dialled with."""
    fips = addfips.AddFIPS()
    found: dict[str, list[Zip]] = {}
    # The package ships no type hints.
    for z in zipcodes.filter_by(state=state):  # type: ignore[no-untyped-call]
        if z["zip_code_type"] != "STANDARD" or not z["active"] or not z["lat"]:
            continue
        county = fips.get_county_fips(z["county"], state=state)
        if county is None:
            continue
        own = tuple(a for a in z["area_codes"] if a in area_codes) or area_codes
        found.setdefault(county, []).append(
            Zip(z["zip_code"], z["city"], float(z["lat"]), float(z["long"]), own)
        )
    return {c: tuple(sorted(zs, key=lambda z: z.zip5)) for c, zs in found.items()}


@dataclass(frozen=True)
class CountyPlace:
    """A swing county, where it lies (the mean of its ZIP centroids) and how many voted."""

    fips: str
    state: str
    name: str
    votes_2024: int
    latitude: float
    longitude: float


def county_places() -> tuple[CountyPlace, ...]:
    zips = county_zips()
    return tuple(
        CountyPlace(
            fips=c.fips,
            state=c.state,
            name=c.name,
            votes_2024=c.votes[2024],
            latitude=sum(z.latitude for z in zips[c.fips]) / len(zips[c.fips]),
            longitude=sum(z.longitude for z in zips[c.fips]) / len(zips[c.fips]),
        )
        for c in people_selectors.swing_county_list()
    )


def allocate(total: int) -> dict[str, int]:
    """Voters per county, proportional to the 2024 vote (largest remainder, summing to total)."""
    counties = people_selectors.swing_county_list()
    votes = sum(c.votes[2024] for c in counties)
    shares = {c.fips: total * c.votes[2024] / votes for c in counties}
    counts = {f: int(s) for f, s in shares.items()}
    short = total - sum(counts.values())
    for f in sorted(shares, key=lambda f: (counts[f] - shares[f], f))[:short]:
        counts[f] += 1
    return counts


def turnout_rates(county: SwingCounty) -> dict[int, float]:
    """P(a registered voter of the county voted in year Y), before the age adjustment."""
    state = reference.swing_states()[county.state]
    registered = county.votes[2024] / state.vep_turnout_2024
    return {y: min(_MAX_TURNOUT, county.votes[y] / registered) for y, _, _ in ELECTIONS}


def voter_file(
    *, voters: int, seed: int, team_by_county: Mapping[str, int], batch_size: int = 20_000
) -> Iterator[SynthBatch]:
    """The synthetic file in batches of about ``batch_size`` voters (whole households)."""
    counts = allocate(voters)
    batch = SynthBatch(VoterFileBatch(), [])
    for county in people_selectors.swing_county_list():
        if not counts[county.fips]:
            continue
        generated = _county(county, counts[county.fips], seed, team_by_county[county.fips])
        for household, members in generated:
            rows = batch.rows
            h_index = len(rows.households)
            rows.households.append(household)
            for person, voter, years, volunteer in members:
                index = len(rows.people)
                rows.people.append(person._replace(household=h_index))
                rows.voters.append(voter)
                rows.history.extend(HistoryRow(index, *y) for y in years)
                if volunteer is not None:
                    batch.volunteers.append((index, volunteer))
            if len(rows.people) >= batch_size:
                yield batch
                batch = SynthBatch(VoterFileBatch(), [])
    if batch.rows.people:
        yield batch


@dataclass(frozen=True)
class LoadedFile:
    voters: int
    households: int
    ballots: int
    # (person id, team id, leads the team) of the synthetic people who volunteer.
    volunteers: list[tuple[int, int, bool]]


def voter_file_load(
    *,
    voters: int,
    seed: int,
    team_by_county: Mapping[str, int],
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadedFile:
    """Generate and load the synthetic swing-state voter file.

    Every person is placed in the team covering their county (``team_by_county`` maps each
    county FIPS to a team id). Batches commit one by one, so memory stays bounded at any size.
    """
    done = households = ballots = 0
    volunteers: list[tuple[int, int, bool]] = []
    # Batches of at most 20,000 voters bound memory at any size; at least ~20 of them keep the
    # progress line moving on small files.
    batch_size = min(20_000, max(2_000, voters // 20))
    batches = voter_file(
        voters=voters, seed=seed, team_by_county=team_by_county, batch_size=batch_size
    )
    for batch in batches:
        loaded = people.voter_file_bulk_load(actor=None, batch=batch.rows)
        for index, leader in batch.volunteers:
            team = batch.rows.people[index].org_unit_id
            if team is not None:
                volunteers.append((loaded.person_ids[index], team, leader))
        done += len(batch.rows.people)
        households += len(batch.rows.households)
        ballots += len(batch.rows.history)
        if progress is not None:
            progress("voters", done, voters)
    return LoadedFile(voters=done, households=households, ballots=ballots, volunteers=volunteers)


_Member = tuple[PersonRow, VoterRow, list[tuple[dt.date, str, str]], bool | None]


def _county(
    county: SwingCounty, count: int, seed: int, team: int
) -> list[tuple[HouseholdRow, list[_Member]]]:
    """Exactly ``count`` voters of one county, in households."""
    rng = random.Random(f"{seed}/{county.fips}")
    zips = county_zips()[county.fips]
    streets = Streets(random.Random(f"{seed}/{county.fips}/streets"), _street_name)
    households: list[tuple[HouseholdRow, Zip, list[tuple[str, str, dt.date]], float]] = []
    made = 0
    block: Neighbourhood | None = None
    where = zips[0]
    while made < count:
        size = min(rng.choices(_HOUSEHOLD_SIZES, _HOUSEHOLD_WEIGHTS)[0], count - made)
        if block is None or block.full:
            # Voters live in neighbourhoods, not spread thin over the county: one ZIP code
            # for a run of households.
            where = zips[rng.randrange(len(zips))]
            homes = rng.randint(*_NEIGHBOURHOOD_HOMES)
            block = streets.neighbourhood(where.zip5, where.latitude, where.longitude, homes)
        households.append(
            (_address(rng, county, where, block), where, _residents(rng, size), rng.gauss(0.0, 1.0))
        )
        made += size

    thresholds = _thresholds(county, [b for _, _, people, _ in households for _, _, b in people])
    party_shares = _party_weights(county)
    out = []
    serial = 0
    for household, where, residents, z_household in households:
        members: list[_Member] = []
        head_party = ""
        for first, last, birth in residents:
            serial += 1
            years = _vote_history(rng, birth, z_household, thresholds)
            party = ""
            if party_shares is not None:
                # Households mostly register alike; the head's party is drawn from the county.
                if head_party and rng.random() < 0.6:
                    party = head_party
                else:
                    party = rng.choices(_PARTIES, cum_weights=party_shares)[0]
                head_party = head_party or party
            person = PersonRow(
                household=0,
                first_name=first,
                middle_name=_middle(rng),
                last_name=last,
                suffix=names.SUFFIXES[rng.randrange(4)] if rng.random() < 0.015 else "",
                email=_email(rng, first, last) if rng.random() < 0.55 else "",
                phone=_phone(rng, where) if rng.random() < 0.65 else "",
                birth_date=birth,
                org_unit_id=team,
            )
            voter = VoterRow(
                state=county.state,
                state_voter_id=f"SYN{county.fips}{serial:07d}",
                county_fips=county.fips,
                party=party,
                status="inactive" if not years and rng.random() < 0.15 else "active",
                registered_on=_registered_on(rng, birth, years),
            )
            volunteer = None
            if rng.random() < VOLUNTEER_RATE:
                volunteer = rng.random() < LEADER_RATE  # True: leads the team
            members.append((person, voter, years, volunteer))
        out.append((household, members))
    return out


def _street_name(rng: random.Random) -> str:
    street = names.STREETS[_pick(rng, _STREET_W)]
    return f"{street} {names.STREET_TYPES[rng.randrange(len(names.STREET_TYPES))]}"


def _address(
    rng: random.Random, county: SwingCounty, where: Zip, block: Neighbourhood
) -> HouseholdRow:
    street, latitude, longitude = block.home()
    unit = f"Apt {rng.randint(1, 40)}{'ABCD'[rng.randrange(4)]}" if rng.random() < 0.12 else ""
    return HouseholdRow(
        street=street,
        unit=unit,
        city=where.city,
        state=county.state,
        zip5=where.zip5,
        county_fips=county.fips,
        latitude=latitude,
        longitude=longitude,
    )


def _residents(rng: random.Random, size: int) -> list[tuple[str, str, dt.date]]:
    """(first name, last name, birth date) of a household's adults."""
    surname = names.SURNAMES[_pick(rng, _SURNAME_W)]
    head_age = _age(rng)
    people = []
    for i in range(size):
        if i == 0:
            age = head_age
        elif i == 1:
            age = round(head_age + rng.gauss(0.0, 4.0))  # a partner of about the same age
        elif rng.random() < 0.6:
            age = round(head_age - 28 + rng.gauss(0.0, 4.0))  # a grown child
        else:
            age = _age(rng)  # a relative or a room-mate
        age = min(100, max(18, age))
        # Most adults at an address share the head's surname; some keep their own.
        keep = i == 0 or rng.random() < 0.85
        last = surname if keep else names.SURNAMES[_pick(rng, _SURNAME_W)]
        people.append((_first_name(rng), last, _birth_date(rng, age)))
    return people


def _age(rng: random.Random) -> int:
    low, high, _ = rng.choices(_AGE_BANDS, [w for _, _, w in _AGE_BANDS])[0]
    return rng.randint(low, high)


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birthday that makes the person exactly ``age`` on ``AS_OF``."""
    latest = AS_OF.replace(year=AS_OF.year - age).toordinal()
    earliest = AS_OF.replace(year=AS_OF.year - age - 1).toordinal() + 1
    return dt.date.fromordinal(rng.randint(earliest, latest))


def _first_name(rng: random.Random) -> str:
    if rng.random() < 0.52:
        return names.FEMALE[_pick(rng, _FEMALE_W)]
    return names.MALE[_pick(rng, _MALE_W)]


def _middle(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return _first_name(rng)
    if roll < 0.6:
        return "ABCDEFGHIJKLMNOPRSTW"[rng.randrange(20)]
    return ""


def _pick(rng: random.Random, cum_weights: list[float]) -> int:
    return min(len(cum_weights) - 1, bisect_left(cum_weights, rng.random() * cum_weights[-1]))


def _email(rng: random.Random, first: str, last: str) -> str:
    return f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(_EMAIL_DOMAINS)}".lower()


def _phone(rng: random.Random, where: Zip) -> str:
    area = where.area_codes[rng.randrange(len(where.area_codes))]
    return f"+1{area}555{rng.randrange(10_000):04d}"


def _eligible(birth: dt.date, election: dt.date) -> bool:
    return birth <= election.replace(year=election.year - 18)


def _thresholds(county: SwingCounty, births: list[dt.date]) -> dict[int, float]:
    """Normal quantiles per year: a voter votes when their latent propensity is below it.

    Only the voters already 18 can have voted, so the rate among them is raised to keep the
    county's expected ballots at ``rate x all voters``.
    """
    rates = turnout_rates(county)
    out = {}
    for year, date, _ in ELECTIONS:
        eligible = sum(1 for b in births if _eligible(b, date))
        if eligible:
            p = min(_MAX_TURNOUT, rates[year] * len(births) / eligible)
            out[year] = NormalDist().inv_cdf(p)
    return out


_SQRT_HOUSEHOLD = math.sqrt(_HOUSEHOLD_SHARE)
_SQRT_OWN = math.sqrt(1 - _HOUSEHOLD_SHARE)
_SQRT_RHO = math.sqrt(_YEAR_RHO)
_SQRT_NOISE = math.sqrt(1 - _YEAR_RHO)


def _vote_history(
    rng: random.Random, birth: dt.date, z_household: float, thresholds: dict[int, float]
) -> list[tuple[dt.date, str, str]]:
    # The person's propensity is standard normal (household part + own part), and so is each
    # year's latent value, so P(vote in Y) is exactly the year's rate.
    z_person = _SQRT_HOUSEHOLD * z_household + _SQRT_OWN * rng.gauss(0.0, 1.0)
    history = []
    for year, date, name in ELECTIONS:
        z = _SQRT_RHO * z_person + _SQRT_NOISE * rng.gauss(0.0, 1.0)
        if year in thresholds and _eligible(birth, date) and z < thresholds[year]:
            method = rng.choices(_METHODS, _METHOD_WEIGHTS[year])[0]
            history.append((date, name, method))
    return history


_PARTIES = ("DEM", "REP", "UNA", "LIB", "GRE", "OTH")


def _party_weights(county: SwingCounty) -> list[float] | None:
    """Cumulative weights over ``_PARTIES``, or None where the state registers no party."""
    non_major = _NON_MAJOR.get(county.state)
    if non_major is None:
        return None
    major = 1.0 - sum(non_major)
    dem = county.dem_share_2024
    return list(accumulate((major * dem, major * (1 - dem), *non_major)))


def _registered_on(
    rng: random.Random, birth: dt.date, years: list[tuple[dt.date, str, str]]
) -> dt.date:
    """Some day between turning 18 and a month before the first election they voted in."""
    earliest = max(
        birth.replace(year=birth.year + 18)
        if (birth.month, birth.day) != (2, 29)
        else dt.date(birth.year + 18, 3, 1),
        dt.date(1970, 1, 1),
    )
    latest = (years[0][0] if years else AS_OF) - dt.timedelta(days=30)
    latest = max(latest, earliest)
    return dt.date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


# Donors who give from outside the swing states, weighted roughly by each state's share of
# small-dollar giving (the big coastal states first): a national campaign's email list is
# mostly people who gave once, from everywhere, not only the voters of the states it works.
_DONOR_STATES = (
    ("CA", 0.22),
    ("NY", 0.13),
    ("TX", 0.10),
    ("FL", 0.09),
    ("IL", 0.07),
    ("MA", 0.06),
    ("WA", 0.06),
    ("NJ", 0.05),
    ("VA", 0.05),
    ("MD", 0.05),
    ("CO", 0.05),
    ("OR", 0.04),
    ("MN", 0.03),
)
DONOR_PHONE_RATE = 0.6


# A sign-up form asks for a mobile number to text about shifts; most people give one.
NEWCOMER_PHONE_RATE = 0.8


def newcomers(*, count: int, seed: int) -> list[dict[str, str]]:
    """``count`` synthetic supporters in swing counties who find the campaign through a
    sign-up form: the fields a form asks (names, email, a mobile phone for most, ZIP code).
    They are not on the voter file."""
    rng = random.Random(f"newcomers-{seed}")
    places = [z for county in county_zips().values() for z in county]
    out = []
    for _ in range(count):
        where = places[rng.randrange(len(places))]
        ((first, last, _birth),) = _residents(rng, 1)
        out.append(
            {
                "first_name": first,
                "last_name": last,
                "email": _email(rng, first, last),
                "phone": _phone(rng, where) if rng.random() < NEWCOMER_PHONE_RATE else "",
                "zip5": where.zip5,
            }
        )
    return out


@cache
def _donor_zips() -> dict[str, tuple[Zip, ...]]:
    """The street-delivery ZIP codes of each donor state, read in one pass over the table."""
    found: dict[str, list[Zip]] = {state: [] for state, _ in _DONOR_STATES}
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if z["state"] not in found or z["zip_code_type"] != "STANDARD" or not z["active"]:
            continue
        if z["lat"] and z["area_codes"]:
            found[z["state"]].append(
                Zip(
                    z["zip_code"],
                    z["city"],
                    float(z["lat"]),
                    float(z["long"]),
                    tuple(z["area_codes"]),
                )
            )
    return {state: tuple(zs) for state, zs in found.items()}


def donors(*, count: int, seed: int) -> list[tuple[HouseholdRow, PersonRow]]:
    """``count`` synthetic donors outside the swing states, each at an address of their own
    (a real ZIP code of their state), with an email and often a phone; none is a voter on
    the campaign's file."""
    rng = random.Random(f"donors-{seed}")
    streets = Streets(random.Random(f"donors-{seed}/streets"), _street_name)
    states = [s for s, _ in _DONOR_STATES]
    weights = [w for _, w in _DONOR_STATES]
    out = []
    for _ in range(count):
        state = rng.choices(states, weights)[0]
        zips = _donor_zips()[state]
        where = zips[rng.randrange(len(zips))]
        # Donors are few and far between: each on a street of their own near the ZIP's centre.
        street, latitude, longitude = streets.neighbourhood(
            where.zip5, where.latitude, where.longitude, homes=1
        ).home()
        household = HouseholdRow(
            street=street,
            unit="",
            city=where.city,
            state=state,
            zip5=where.zip5,
            county_fips="",
            latitude=latitude,
            longitude=longitude,
        )
        ((first, last, birth),) = _residents(rng, 1)
        phone = _phone(rng, where) if rng.random() < DONOR_PHONE_RATE else ""
        person = PersonRow(
            household=0,
            first_name=first,
            middle_name="",
            last_name=last,
            suffix="",
            email=_email(rng, first, last),
            phone=phone,
            birth_date=birth,
            org_unit_id=None,
        )
        out.append((household, person))
    return out


def donors_load(*, count: int, seed: int) -> list[int]:
    """Load ``count`` synthetic donors (see ``donors``) in bulk; returns their person ids."""
    return people.household_person_bulk_create(
        actor=None,
        rows=donors(count=count, seed=seed),
        what="synthetic donors outside the swing states",
    )
