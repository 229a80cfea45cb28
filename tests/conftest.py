"""Shared fixtures: a small campaign built through the services, staff with roles, the
seeded synthetic campaign, and the fast password hasher every test runs with.

Fixture names mean one thing everywhere: ``<role>_user`` is a staff account, ``<role>_client``
a test client signed in as one (``make_staff`` and ``client_for`` make others).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from groundgame.demo import seed
from groundgame.organizing import services as organizing
from groundgame.people import services as people

# The report header (database, task backend) and the rule that a missing service fails under
# CI=true instead of skipping.
pytest_plugins = ["tests.service_requirements", "tests.workers"]

PASSWORD = "correct-horse-battery-staple-42"

# Read by groundgame.settings: see there and docs/testing.md.
FAST_PASSWORD_HASHER = "GROUNDGAME_TEST_FAST_PASSWORD_HASHER"


def pytest_configure(config: pytest.Config) -> None:
    """Passwords hash with MD5 in this run and in every server or worker it starts.

    PBKDF2 costs about a fifth of a second a hash here and the suite makes about a hundred.
    This process read its settings before this file was imported, so it is overridden here;
    the processes tests start inherit the environment and read the knob themselves, so they
    accept the hashes the tests made."""
    os.environ[FAST_PASSWORD_HASHER] = "1"
    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that use the seeded campaign run last, one after another: the transaction
    that holds it stays open from the first of them to the end of the run, and no other test
    may run inside it (a live server's thread could not see it, and a transactional test's
    flush would empty it)."""
    items.sort(key=lambda item: "seeded_campaign" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    """Each test gets an empty in-process cache of its own.

    The configured caches outlive a test (Redis, and the database cache table, which a
    transactional test's flush does not empty), so a snapshot cached by one test would show
    in the next. ``tests/health`` checks the configured backend itself.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


def _starting_rows() -> None:
    """The consent topics, contact caps and issue topics every campaign starts with. Data
    migrations make them, and the flush that ends a transactional (live-server) test empties
    their tables: made again for whichever test comes next, by the migrations' own
    functions."""
    import importlib

    from django.apps import apps

    for module, function in (
        ("groundgame.consent.migrations.0002_default_topics", "add_topics"),
        ("groundgame.consent.migrations.0004_default_contact_caps", "add_caps"),
        ("groundgame.insights.migrations.0002_issue_topics_from_canvass_issues", "seed"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _starting_data(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    _starting_rows()


@dataclass
class Campaign:
    national: Any
    nc: Any
    triangle: Any  # region
    piedmont: Any  # region
    durham: Any  # team in triangle
    wake: Any  # team in triangle
    guilford: Any  # team in piedmont
    alice: Any  # person in durham
    bob: Any  # person in guilford
    nobody: Any  # person in no unit yet


@pytest.fixture
def campaign(db: None) -> Campaign:
    national = organizing.org_unit_create(actor=None, name="National", kind="national")
    nc = organizing.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = organizing.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    piedmont = organizing.org_unit_create(
        actor=None, name="Piedmont Triad", kind="region", parent=nc
    )
    durham = organizing.org_unit_create(
        actor=None, name="Durham", kind="team", parent=triangle, counties=["37063"]
    )
    wake = organizing.org_unit_create(
        actor=None, name="Wake", kind="team", parent=triangle, counties=["37183"]
    )
    guilford = organizing.org_unit_create(
        actor=None, name="Guilford", kind="team", parent=piedmont, counties=["37081"]
    )
    alice = people.person_create(
        actor=None,
        first_name="Alice",
        last_name="Aardvark",
        email="alice@example.com",
        org_unit_id=durham.pk,
    )
    bob = people.person_create(
        actor=None,
        first_name="Bob",
        last_name="Bittern",
        email="bob@example.org",
        org_unit_id=guilford.pk,
    )
    nobody = people.person_create(actor=None, first_name="Nora", last_name="Nobody")
    return Campaign(national, nc, triangle, piedmont, durham, wake, guilford, alice, bob, nobody)


@pytest.fixture
def make_staff(db: None) -> Callable[..., AbstractBaseUser]:
    """``make_staff("olivia", role="organizer", unit=campaign.triangle)``; unit None = no role,
    ``email=`` the account's address."""
    counter = iter(range(1_000_000))

    def make(
        username: str | None = None,
        *,
        role: str = "organizer",
        unit: Any = None,
        superuser: bool = False,
        email: str = "",
    ) -> AbstractBaseUser:
        name = username or f"staff{next(counter)}"
        user = organizing.staff_create(
            actor=None, username=name, password=PASSWORD, superuser=superuser, email=email
        )
        if unit is not None:
            organizing.staff_role_grant(actor=None, user=user, org_unit=unit, role=role)
        return user

    return make


@pytest.fixture
def client_for() -> Callable[[AbstractBaseUser], Client]:
    """A test client already signed in as ``user``."""

    def make(user: AbstractBaseUser) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def organizer_user(make_staff: Callable[..., AbstractBaseUser], campaign: Campaign) -> Any:
    """Olivia, an organizer of the Triangle region (Durham and Wake, not Guilford)."""
    return make_staff("olivia", role="organizer", unit=campaign.triangle)


@pytest.fixture
def organizer_client(
    client_for: Callable[[AbstractBaseUser], Client], organizer_user: Any
) -> Client:
    return client_for(organizer_user)


@dataclass(frozen=True)
class SeededCampaign:
    report: seed.SeedReport
    home: Path  # the GROUNDGAME_HOME it was seeded for (the demo login is saved there)


@pytest.fixture(scope="session")
def seeded_campaign(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededCampaign]:
    """The synthetic campaign at its tiny scale, seeded once for every test that reads it.

    Seeding takes seconds, so it is done once, in a transaction that is rolled back at the
    end of the run; each test's own changes are rolled back to it by the test's ``db``.
    Tests using it run last (``pytest_collection_modifyitems``), and only tests on the
    test's own connection may use it: no live server, no transactional database.
    """
    home = tmp_path_factory.mktemp("seeded-home")
    locmem = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "seeded-campaign",
        }
    }
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as env,
        # The dashboard the seed counts goes to a cache of its own, not to Redis.
        override_settings(CACHES=locmem),
        transaction.atomic(),
    ):
        env.setenv("GROUNDGAME_HOME", str(home))
        # A transactional test that ran before may have flushed them.
        _starting_rows()
        report = seed.seed_campaign(scale="tiny", seed=11)
        yield SeededCampaign(report=report, home=home)
        transaction.set_rollback(True)
