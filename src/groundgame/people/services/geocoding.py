"""Geocoding the households without coordinates, batch by batch, through the configured
batch geocoder (``people.geocoder``).

A run is started by a national admin (from the page, as a task) or the command line (in the
process, printing progress). It goes through the households without coordinates in id order,
one request a batch. A batch's coordinates, its misses, the run's counters and its
checkpoint (the last household id) commit together, so a batch is written once: a request
that failed is sent again (a few times, some seconds apart) before the run stops as failed,
and a run taken up again, by a worker or after a crash, goes on after the checkpoint. A
household given coordinates meanwhile (by a voter file) keeps them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import Conflict, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import errors, geocoder, selectors
from groundgame.people.models import GeocodeMiss, GeocodeRun, Household

Progress = Callable[[str, int, int], None]

# A run that has written nothing for this long is taken as abandoned (its worker died): a
# worker may take it up, and another run may start.
LEASE = dt.timedelta(minutes=30)


def geocode_run_start(*, actor: Actor, state: str = "", enqueue: bool = True) -> GeocodeRun:
    """Start geocoding the households without coordinates (of ``state``, or all); the task
    does the work unless ``enqueue`` is False (the command line runs it itself)."""
    from groundgame.people import tasks

    scope = organizing_selectors.staff_scope(actor)
    if not scope.is_admin:
        raise PermissionDenied(
            "Only national admins geocode the campaign's households.",
            code=errors.GEOCODE_NOT_ALLOWED,
        )
    state = state.strip().upper()
    if state and not (len(state) == 2 and state.isalpha() and state.isascii()):
        raise ValidationFailed(
            f"{state!r} is not a state's two-letter code.",
            code=errors.GEOCODE_STATE_INVALID,
            field="state",
        )
    with transaction.atomic():
        active = _active_runs().select_for_update().first()
        if active is not None:
            raise Conflict(
                f"Geocoding run {active.pk} is under way: wait for it to finish.",
                code=errors.GEOCODE_RUN_ACTIVE,
            )
        run = GeocodeRun.objects.create(
            state=state,
            benchmark=settings.GROUNDGAME_GEOCODER_BENCHMARK,
            started_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            households=selectors.households_unplaced(state).count(),
        )
        audit_create(
            actor=actor,
            action="geocode_run.create",
            instance=run,
            summary=f"geocoding {run.households} households" + (f" of {state}" if state else ""),
        )
        if enqueue:
            transaction.on_commit(partial(tasks.geocode_run.enqueue, run.pk), robust=True)
    return run


def _active_runs() -> QuerySet[GeocodeRun]:
    fresh = timezone.now() - LEASE
    return GeocodeRun.objects.filter(
        status__in=[GeocodeRun.Status.QUEUED, GeocodeRun.Status.RUNNING], updated_at__gte=fresh
    )


def geocode_run_execute(*, run_id: int, progress: Progress | None = None) -> GeocodeRun:
    """Geocode a run's households batch by batch, from its checkpoint on. A run that is
    finished, or under way in another process, is left as it is."""
    now = timezone.now()
    claimed = (
        GeocodeRun.objects.filter(pk=run_id)
        .exclude(status=GeocodeRun.Status.COMPLETED)
        .exclude(status=GeocodeRun.Status.RUNNING, updated_at__gte=now - LEASE)
        .update(status=GeocodeRun.Status.RUNNING, error="", updated_at=now)
    )
    run = GeocodeRun.objects.get(pk=run_id)
    if not claimed:
        return run
    size = max(1, min(settings.GROUNDGAME_GEOCODER_BATCH, geocoder.MAX_BATCH))
    while True:
        batch = list(
            selectors.households_unplaced(run.state)
            .filter(pk__gt=run.checkpoint_household)
            .order_by("pk")
            .values_list("pk", "street", "city", "state", "zip5")[:size]
        )
        if not batch:
            break
        addresses = [geocoder.Address(*row) for row in batch]
        try:
            found = _ask(run, addresses)
        except geocoder.GeocoderError as exc:
            GeocodeRun.objects.filter(pk=run.pk).update(
                status=GeocodeRun.Status.FAILED,
                error=f"after household {run.checkpoint_household}: {exc}"[:500],
                updated_at=timezone.now(),
            )
            run.refresh_from_db()
            return run
        _write(run, addresses, found)
        if progress is not None:
            progress("geocoding", run.done, run.households)
    GeocodeRun.objects.filter(pk=run.pk).update(
        status=GeocodeRun.Status.COMPLETED, finished_at=timezone.now(), updated_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _ask(run: GeocodeRun, addresses: list[geocoder.Address]) -> dict[int, geocoder.Found]:
    """One batch's answer, asking again after a failure that may pass."""
    attempts = max(1, settings.GROUNDGAME_GEOCODER_ATTEMPTS)
    for attempt in range(1, attempts + 1):
        GeocodeRun.objects.filter(pk=run.pk).update(
            requests=F("requests") + 1,
            retries=F("retries") + int(attempt > 1),
            updated_at=timezone.now(),
        )
        try:
            return geocoder.geocode(
                addresses,
                url=settings.GROUNDGAME_GEOCODER_URL,
                benchmark=run.benchmark,
                timeout=settings.GROUNDGAME_GEOCODER_TIMEOUT_SECONDS,
            )
        except geocoder.GeocoderError as exc:
            if not exc.retry or attempt == attempts:
                raise
        time.sleep(settings.GROUNDGAME_GEOCODER_RETRY_SECONDS * attempt)
    raise AssertionError("unreachable")  # the loop returns or raises


def _write(
    run: GeocodeRun, addresses: list[geocoder.Address], found: dict[int, geocoder.Found]
) -> None:
    """A batch's coordinates, misses, counters and checkpoint, in one transaction."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    points = [
        (f.latitude, f.longitude, stamp, pk)
        for pk, f in found.items()
        if f.status == "match" and f.latitude is not None
    ]
    misses = [
        GeocodeMiss(
            run=run,
            household_id=a.id,
            kind=GeocodeMiss.Kind.TIE if found[a.id].status == "tie" else GeocodeMiss.Kind.NO_MATCH,
            address=a.text()[:300],
        )
        for a in addresses
        if found[a.id].status != "match"
    ]
    ties = sum(1 for m in misses if m.kind == GeocodeMiss.Kind.TIE)
    h = connection.ops.quote_name(Household._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Only where still without coordinates: a voter file may have placed it meanwhile.
            cursor.executemany(
                f"UPDATE {h} SET latitude = %s, longitude = %s, updated_at = %s "  # noqa: S608
                "WHERE id = %s AND latitude IS NULL",
                points,
            )
        GeocodeMiss.objects.bulk_create(misses, ignore_conflicts=True)
        GeocodeRun.objects.filter(pk=run.pk).update(
            done=F("done") + len(addresses),
            matched=F("matched") + len(points),
            unmatched=F("unmatched") + len(misses) - ties,
            ties=F("ties") + ties,
            checkpoint_household=addresses[-1].id,
            updated_at=now,
        )
        audit_record(
            actor=None,
            kind=AuditKind.BULK,
            action="geocode_run.batch",
            entity_type="people.geocoderun",
            entity_id=run.pk,
            summary=(
                f"households up to {addresses[-1].id}: {len(points)} placed, "
                f"{len(misses) - ties} not matched, {ties} ties"
            ),
        )
    run.refresh_from_db()
