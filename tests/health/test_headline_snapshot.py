"""The dashboard's numbers: counted once, kept in the configured shared cache, refreshed in the
background when stale, and the page says when they were taken."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.test import override_settings
from django.utils import timezone

from groundgame.health import services
from groundgame.people import services as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured_cache(_own_cache):  # type: ignore[no-untyped-def]
    """The cache backend the settings choose (database table, or Redis), emptied."""
    from groundgame.core import env

    with override_settings(CACHES=env.caches()):
        cache: BaseCache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


def test_the_snapshot_is_kept_and_served_until_stale(campaign, configured_cache):
    first = services.headline_snapshot()
    assert first.headline.people == 3
    people.person_create(actor=None, first_name="New", last_name="Person")
    # Fresh enough: the same numbers, without counting again.
    assert services.headline_snapshot() == first
    assert configured_cache.get("health:headline:v2") == first


def test_a_stale_snapshot_is_shown_while_a_refresh_runs_in_the_background(
    campaign, configured_cache
):
    first = services.headline_snapshot()
    people.person_create(actor=None, first_name="New", last_name="Person")
    later = timezone.now() + services.STALE_AFTER + dt.timedelta(seconds=1)
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        override_settings(TASKS=immediate),
        mock.patch("django.utils.timezone.now", return_value=later),
    ):
        stale = services.headline_snapshot()
    # The visitor got the old numbers at once; the refresh ran (here, immediately) after.
    assert stale.headline.people == first.headline.people == 3
    assert services.headline_snapshot().headline.people == 4


def test_many_visitors_of_a_stale_snapshot_schedule_one_refresh(campaign, configured_cache):
    services.headline_snapshot()
    later = timezone.now() + services.STALE_AFTER + dt.timedelta(seconds=1)
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with (
        override_settings(TASKS=dummy),
        mock.patch("django.utils.timezone.now", return_value=later),
    ):
        from django_tasks import default_task_backend

        for _ in range(5):
            services.headline_snapshot()
        assert len(default_task_backend.results) == 1  # type: ignore[attr-defined]


def test_the_dashboard_says_when_its_numbers_were_taken(campaign, make_staff, client_for):
    client = client_for(make_staff(role="organizer", unit=campaign.nc))
    page = client.get("/")
    assert page.status_code == 200
    snapshot = services.headline_snapshot()
    assert snapshot.computed_at.strftime("%H:%M").encode() in page.content
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
