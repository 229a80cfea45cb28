"""Fixtures for the browser tests: a small campaign built through the services, and Chromium.

The browser is Debian's Chromium driven by Playwright; Playwright never downloads one.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Playwright's driver reports service workers' requests to the context's routes only with
# this set when it starts, so that the canvass tests can cut the service worker's connection
# too (``offline_for_service_worker``): Chromium's offline emulation covers pages but not
# their service workers. One driver runs per session, so it is set for all.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = os.environ.get("GROUNDGAME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Where screenshots are kept after the run: the folder GROUNDGAME_TEST_ARTIFACTS names (CI
# names test-artifacts/), else the run's temporary directory, as tests write nowhere else.
ARTIFACTS = "GROUNDGAME_TEST_ARTIFACTS"
PASSWORD = "correct-horse-battery-staple"

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}

# name, state code, counties per region (two regions of two teams each)
STATES = [
    (
        "Pennsylvania",
        "PA",
        [("Philadelphia", ["42101", "42045"]), ("Pittsburgh", ["42003", "42125"])],
    ),
    (
        "Michigan",
        "MI",
        [("Detroit Metro", ["26163", "26125"]), ("West Michigan", ["26081", "26139"])],
    ),
    ("Wisconsin", "WI", [("Milwaukee", ["55079", "55133"]), ("Madison", ["55025", "55105"])]),
    ("Georgia", "GA", [("Atlanta", ["13121", "13089"]), ("Savannah", ["13051", "13029"])]),
    ("Arizona", "AZ", [("Phoenix", ["04013", "04021"]), ("Tucson", ["04019", "04023"])]),
    ("North Carolina", "NC", [("Triangle", ["37183", "37063"]), ("Charlotte", ["37119", "37179"])]),
    ("Nevada", "NV", [("Las Vegas", ["32003", "32510"]), ("Reno", ["32031", "32019"])]),
]
FIRST = [
    "Maya",
    "Jordan",
    "Luis",
    "Aisha",
    "Grace",
    "Omar",
    "Hannah",
    "DeShawn",
    "Priya",
    "Ethan",
    "Sofia",
    "Marcus",
    "Lena",
    "Tomas",
    "Keisha",
    "Noah",
    "Rosa",
    "Caleb",
    "Mei",
    "Andre",
]
LAST = [
    "Alvarez",
    "Baker",
    "Chen",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Johnson",
    "Kowalski",
    "Lopez",
    "Morgan",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Reyes",
    "Sullivan",
    "Thompson",
]
STREETS = [
    "Maple Ave",
    "Oak St",
    "Elm St",
    "Walnut St",
    "Main St",
    "Cedar Ln",
    "Park Blvd",
    "Lincoln Ave",
    "Washington St",
    "River Rd",
]
# Area codes in use in the campaign's states: phone numbers are checked (phonenumbers) when a
# person is created, and many numbers between 201 and 989 are not area codes anywhere.
AREA_CODES = (
    "215",
    "412",
    "313",
    "616",
    "414",
    "608",
    "404",
    "912",
    "602",
    "520",
    "919",
    "704",
    "702",
    "775",
)


def _area_code(draw: int) -> str:
    return AREA_CODES[draw % len(AREA_CODES)]


ELECTIONS = [
    (dt.date(2016, 11, 8), "2016 General"),
    (dt.date(2020, 11, 3), "2020 General"),
    (dt.date(2024, 11, 5), "2024 General"),
]


@dataclass
class Campaign:
    """What the tests need to know about the campaign they run against."""

    admin_username: str
    analyst_username: str
    organizer_username: str
    voters: int
    volunteers: int
    staff: int
    units: int
    region_name: str
    person_id: int
    person_name: str
    extra: dict[str, Any] = field(default_factory=dict)


def build_campaign(*, people_per_team: int = 6, seed: int = 2024) -> Campaign:
    """A national campaign in seven states, built through the services.

    The system (``actor=None``) builds the hierarchy and grants roles, as the command line
    does; the admin then adds the people, so the audit log has a staff member in it.

    Households and voter records have no write service yet (the voter-file import will own
    them), so they are created directly, like a factory would.
    """
    from groundgame.organizing import services as org
    from groundgame.people import services as people
    from groundgame.people.models import Household, VoteHistory, VoterRecord
    from groundgame.volunteers import services as volunteers_services

    rng = random.Random(seed)
    admin = org.staff_create(
        actor=None,
        username="ada.admin",
        password=PASSWORD,
        first_name="Ada",
        last_name="Admin",
        email="ada@campaign.example",
    )
    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    org.staff_role_grant(actor=None, user=admin, org_unit=national, role="admin")
    analyst = org.staff_create(actor=None, username="nia.analyst", password=PASSWORD)
    org.staff_role_grant(actor=None, user=analyst, org_unit=national, role="analyst")
    organizer = org.staff_create(actor=None, username="oscar.organizer", password=PASSWORD)

    units = 1
    voters = 0
    memberships: list[tuple[int, int, str]] = []
    first_person: tuple[int, str] | None = None
    region_name = ""
    for state_name, code, regions in STATES:
        state = org.org_unit_create(
            actor=None, name=state_name, kind="state", parent=national, state=code
        )
        units += 1
        if code == "PA":
            org.staff_role_grant(actor=None, user=organizer, org_unit=state, role="organizer")
        for region_label, counties in regions:
            region = org.org_unit_create(
                actor=None, name=f"{region_label} Region", kind="region", parent=state
            )
            region_name = region_name or region.name
            units += 1
            for n, county in enumerate(counties, start=1):
                team = org.org_unit_create(
                    actor=None,
                    name=f"{region_label} Team {n}",
                    kind="team",
                    parent=region,
                    counties=[county],
                )
                units += 1
                # Bigger states get more people, so the charts have some shape.
                size = people_per_team + (len(state_name) % 4) + rng.randint(0, 3)
                for _ in range(size):
                    household = Household.objects.create(
                        street=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
                        city=region_label.replace(" Metro", ""),
                        state=code,
                        zip5=f"{rng.randint(10000, 99999)}",
                        county_fips=county,
                    )
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    person = people.person_create(
                        actor=admin,
                        first_name=first,
                        last_name=last,
                        household=household,
                        org_unit_id=team.pk,
                        email=f"{first}.{last}.{rng.randint(1, 999)}@example.org".lower(),
                        phone=f"+1{_area_code(rng.randint(201, 989))}555{rng.randint(1000, 9999)}",
                        birth_date=dt.date(
                            rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)
                        ),
                    )
                    first_person = first_person or (person.pk, person.full_name)
                    record = VoterRecord.objects.create(
                        person=person,
                        state=code,
                        state_voter_id=f"{code}{person.pk:08d}",
                        county_fips=county,
                        party=rng.choice(["DEM", "REP", "UNA", ""]),
                        registered_on=dt.date(rng.randint(1990, 2016), 1, 15),
                    )
                    voters += 1
                    propensity = rng.random()
                    for day, name in ELECTIONS:
                        if rng.random() < propensity + 0.15:
                            VoteHistory.objects.create(
                                voter=record,
                                election_date=day,
                                election_name=name,
                                method=rng.choice(["election_day", "early", "mail"]),
                            )
                    if rng.random() < 0.3:
                        role = "leader" if rng.random() < 0.2 else "volunteer"
                        memberships.append((person.pk, team.pk, role))
    volunteers_services.membership_bulk_create(
        actor=None, memberships=memberships, source="test campaign"
    )
    assert first_person is not None
    return Campaign(
        admin_username=admin.get_username(),
        analyst_username=analyst.get_username(),
        organizer_username=organizer.get_username(),
        voters=voters,
        volunteers=len(memberships),
        staff=3,
        units=units,
        region_name=region_name,
        person_id=first_person[0],
        person_name=first_person[1],
    )


@pytest.fixture
def browser_campaign(transactional_db: None) -> Campaign:
    return build_campaign()


@pytest.fixture(autouse=True)
def _password_only_sign_in(settings: Any) -> None:
    """The pages' tests sign admins in through the real form with the password alone, as in
    the demo: two-factor sign-in, which a deployment requires of admins, is off here, and
    test_two_factor turns it on to drive it."""
    settings.GROUNDGAME_TWO_FACTOR_ROLES = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Tests marked ``browser`` are skipped (or failed in CI) before this runs when Chromium is
    # missing: see tests/service_requirements.py.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def csp_violations(context: Any) -> list[str]:
    """What the pages of ``context`` reported their Content-Security-Policy blocked (an inline
    script or style, a source from elsewhere): a test asserts there was none."""
    seen: list[str] = []

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            seen.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", note)
    return seen


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    blocked = csp_violations(context)
    page = context.new_page()
    yield page
    context.close()
    assert not blocked, blocked


def offline_for_service_worker(route: Any) -> None:
    """A route handler that cuts the service worker's requests, as ``set_offline`` cuts the
    page's: ``context.route("**/*", offline_for_service_worker)``."""
    if route.request.service_worker:
        route.abort("internetdisconnected")
    else:
        route.fallback()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kept = os.environ.get(ARTIFACTS)
    if not kept:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(kept).resolve() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for_service_worker(page: Any, seconds: float = 30.0) -> None:
    """Wait until the page is controlled by its service worker. Asked with ``evaluate`` in a
    loop: ``wait_for_function`` compiles its predicate in the page, which the pages'
    Content-Security-Policy (no eval) rightly refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "no service worker took control of the page"
        page.wait_for_timeout(100)


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
