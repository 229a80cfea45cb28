"""The batch geocoder against a geocoder on loopback that speaks the Census Bureau's batch CSV:
households are placed, no-matches and ties reported, a failed request sent again without
writing a batch twice, a malformed answer refused, and the staff page shows the run."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from groundgame.audit.models import AuditEvent
from groundgame.cli import main as cli_main
from groundgame.core.errors import Conflict, PermissionDenied, ValidationFailed
from groundgame.people import tasks
from groundgame.people.models import GeocodeMiss, GeocodeRun, Household
from groundgame.people.services import geocode_run_execute, geocode_run_start
from tests.loopback import LoopbackGeocoder

pytestmark = pytest.mark.django_db

DURHAM = [
    ("101 Main St", 35.99601, -78.90105),
    ("103 Main St", 35.99606, -78.90088),
    ("105 Main St", 35.99611, -78.90071),
    ("12 Oak Ave", 35.99702, -78.89950),
    ("14 Oak Ave", 35.99709, -78.89933),
]


@pytest.fixture
def geocoder(settings: Any) -> Iterator[LoopbackGeocoder]:
    """The geocoder on loopback, configured as a deployment points at one."""
    server = LoopbackGeocoder()
    server.start()
    settings.GROUNDGAME_GEOCODER_URL = server.url
    settings.GROUNDGAME_GEOCODER_BENCHMARK = "Public_AR_Current"
    settings.GROUNDGAME_GEOCODER_RETRY_SECONDS = 0
    settings.GROUNDGAME_GEOCODER_ATTEMPTS = 3
    yield server
    server.stop()


def household(street: str, *, lat: float | None = None, lon: float | None = None) -> Household:
    return Household.objects.create(
        street=street, city="Durham", state="NC", zip5="27701", county_fips="37063",
        latitude=lat, longitude=lon,
    )  # fmt: skip


def durham(geocoder: LoopbackGeocoder) -> list[Household]:
    made = []
    for street, lat, lon in DURHAM:
        geocoder.place(street, "Durham", "NC", "27701", lat, lon)
        made.append(household(street))
    return made


def point(h: Household) -> tuple[float | None, float | None]:
    h.refresh_from_db()
    return h.latitude, h.longitude


def test_a_round_trip_places_every_household(geocoder, settings):
    settings.GROUNDGAME_GEOCODER_BATCH = 2
    homes = durham(geocoder)
    placed_before = household("1 Elm St", lat=36.0, lon=-78.9)
    run = geocode_run_start(actor=None, enqueue=False)
    assert run.households == 5
    seen: list[tuple[int, int]] = []
    run = geocode_run_execute(run_id=run.pk, progress=lambda _, n, of: seen.append((n, of)))
    assert (run.status, run.done, run.matched, run.unmatched, run.ties) == ("completed", 5, 5, 0, 0)
    for h, (_, lat, lon) in zip(homes, DURHAM, strict=True):
        assert point(h) == pytest.approx((lat, lon))
    assert point(placed_before) == (36.0, -78.9)  # not asked about
    # Three requests of at most two rows, in the shape the Census takes, with the benchmark.
    assert [len(r.rows) for r in geocoder.requests] == [2, 2, 1]
    assert geocoder.requests[0].benchmark == "Public_AR_Current"
    first = [str(homes[0].pk), "101 Main St", "Durham", "NC", "27701"]
    assert geocoder.requests[0].rows[0] == first
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert AuditEvent.objects.filter(action="geocode_run.batch", entity_id=str(run.pk)).count() == 3


def test_no_match_and_tie_are_reported(geocoder):
    homes = durham(geocoder)
    lost = household("999 Nowhere Rd")
    tied = household("7 Church St")
    geocoder.ties.add(geocoder.key("7 Church St", "Durham", "NC", "27701"))
    run = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert (run.matched, run.unmatched, run.ties) == (5, 1, 1)
    assert point(lost) == point(tied) == (None, None)
    assert point(homes[0]) != (None, None)
    misses = {(m.household_id, m.kind, m.address) for m in GeocodeMiss.objects.filter(run=run)}
    assert misses == {
        (lost.pk, "no_match", "999 Nowhere Rd, Durham, NC, 27701"),
        (tied.pk, "tie", "7 Church St, Durham, NC, 27701"),
    }


def test_a_failed_request_is_sent_again_and_written_once(geocoder, settings):
    settings.GROUNDGAME_GEOCODER_BATCH = 3
    homes = durham(geocoder)
    geocoder.fail_next = 2  # the first batch's request fails twice, then is answered
    run = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert (run.status, run.done, run.matched) == ("completed", 5, 5)
    assert (run.requests, run.retries) == (4, 2)
    assert [len(r.rows) for r in geocoder.requests] == [3, 3, 3, 2]
    assert all(point(h) != (None, None) for h in homes)
    assert AuditEvent.objects.filter(action="geocode_run.batch", entity_id=str(run.pk)).count() == 2


def test_a_geocoder_that_stays_down_fails_the_run_and_keeps_what_was_written(geocoder, settings):
    settings.GROUNDGAME_GEOCODER_BATCH = 3
    homes = durham(geocoder)
    run = geocode_run_start(actor=None, enqueue=False)
    geocoder.down_after = 1  # the first batch goes through; every try of the second fails
    run = geocode_run_execute(run_id=run.pk)
    assert run.status == "failed"
    assert "HTTP 503" in run.error
    assert (run.done, run.matched, run.checkpoint_household) == (3, 3, homes[2].pk)
    assert [point(h) != (None, None) for h in homes] == [True, True, True, False, False]
    # A new run takes up the rest once the geocoder is back.
    geocoder.down_after = None
    again = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert (again.status, again.households, again.matched) == ("completed", 2, 2)
    assert all(point(h) != (None, None) for h in homes)


def test_a_malformed_answer_writes_nothing(geocoder):
    homes = durham(geocoder)
    geocoder.garble_next = 3  # every try of the one batch
    run = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert run.status == "failed"
    assert "not its CSV" in run.error
    assert (run.done, run.requests) == (0, 3)
    assert all(point(h) == (None, None) for h in homes)
    # Answered once well after a garbled answer: placed.
    geocoder.garble_next = 1
    run = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert (run.status, run.matched, run.retries) == ("completed", 5, 1)


def test_a_benchmark_the_geocoder_does_not_know_is_not_sent_again(geocoder, settings):
    durham(geocoder)
    settings.GROUNDGAME_GEOCODER_BENCHMARK = "Public_AR_Nonesuch"
    run = geocode_run_execute(run_id=geocode_run_start(actor=None, enqueue=False).pk)
    assert run.status == "failed"
    assert "HTTP 400" in run.error
    assert run.requests == 1


def test_starting_is_for_national_admins_one_run_at_a_time(geocoder, campaign, make_staff):
    durham(geocoder)
    with pytest.raises(PermissionDenied):
        geocode_run_start(actor=make_staff("olivia", role="director", unit=campaign.nc))
    with pytest.raises(ValidationFailed) as bad:
        geocode_run_start(actor=None, state="North Carolina")
    assert bad.value.field == "state"
    admin = make_staff("ada", role="admin", unit=campaign.national)
    geocode_run_start(actor=admin, state="nc")
    with pytest.raises(Conflict):
        geocode_run_start(actor=admin)
    assert GeocodeRun.objects.count() == 1


def test_the_page_starts_a_run_and_shows_its_progress(geocoder, campaign, make_staff, client_for):
    homes = durham(geocoder)
    household("999 Nowhere Rd")
    client = client_for(make_staff("ada", role="admin", unit=campaign.national))
    page = client.get(reverse("people:geocode"))
    assert page.status_code == 200
    assert "6</strong> households with an address have no coordinates" in page.text
    answer = client.post(reverse("people:geocode"), {"state": "NC"})
    run = GeocodeRun.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("people:geocode_run", args=[run.pk])
    queued = client.get(answer["Location"])
    assert "Queued" in queued.text
    assert 'http-equiv="refresh"' in queued.text
    tasks.geocode_run.call(run.pk)  # what the worker runs
    done = client.get(answer["Location"])
    assert "<strong>6</strong> of 6 households looked up" in done.text
    assert "999 Nowhere Rd, Durham, NC, 27701" in done.text
    assert 'http-equiv="refresh"' not in done.text
    assert all(point(h) != (None, None) for h in homes)
    # Not for other staff.
    organizer = client_for(make_staff("olivia", role="organizer", unit=campaign.triangle))
    assert organizer.get(reverse("people:geocode")).status_code == 403
    assert organizer.post(reverse("people:geocode"), {}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_progress_and_writes_the_misses(geocoder, tmp_path, capsys):
    durham(geocoder)
    household("999 Nowhere Rd")
    misses = tmp_path / "misses.csv"
    assert cli_main(["geocode", "--state", "NC", "--misses", str(misses)]) == 0
    out, err = capsys.readouterr()
    assert "6 households to look up" in err
    assert "geocoding: 6/6" in err
    assert "6 looked up, 5 placed, 1 not matched, 0 ties" in out
    rows = list(csv.reader(misses.open(encoding="utf-8")))
    assert rows[0] == ["household_id", "why", "address"]
    assert [r[1:] for r in rows[1:]] == [["no_match", "999 Nowhere Rd, Durham, NC, 27701"]]


@pytest.mark.django_db(transaction=True)
def test_the_misses_file_carries_no_formula(geocoder, tmp_path):
    """The list of addresses not placed is a file handed out like any export: an address
    typed as a formula reads as text in a spreadsheet."""
    household('=HYPERLINK("http://attacker.example","Click")')
    misses = tmp_path / "misses.csv"
    assert cli_main(["geocode", "--state", "NC", "--misses", str(misses)]) == 0
    (_, row) = list(csv.reader(misses.open(encoding="utf-8")))
    assert row[2].startswith("'=HYPERLINK(")
