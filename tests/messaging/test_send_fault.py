"""Fault injection: the sender is killed with SIGKILL in the middle of a mailing.

``groundgame messaging deliver`` runs in a process of its own against the test database and
delivers a mailing of a few hundred recipients to a real SMTP server (or a Twilio-shaped SMS
provider) on loopback. Once part of the mailing has arrived, the process is killed; after
its lease runs out, a second run recovers what the first left and finishes. Nobody may get
the message twice; everybody gets it once, except at most the one message the killed sender
had in flight, which is left ``unknown`` (it may or may not have arrived) and never resent.
Runs on the database of the test run: PostgreSQL when ``DATABASE_URL`` points to it, else
SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from groundgame.consent import services as consent
from groundgame.core.models import WorkerHeartbeat
from groundgame.messaging import sender
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people
from tests.helpers import database_url_for_tests
from tests.loopback import LoopbackSms, LoopbackSmtp
from tests.service_requirements import require_service

# Committed rows, for the sender process to see; the topics of the data migrations are put
# back after each test's flush.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 300
KILL_AFTER = 80
LEASE_SECONDS = 1
PER_SECOND = 100
SWEEP_SECONDS = 1


@contextmanager
def provider(channel: str) -> Iterator[tuple[dict[str, str], Callable[[], list[str]]]]:
    """The loopback provider of a channel: the environment that points the sender at it, and
    the addresses of what it received so far, one per message."""
    if channel == "email":
        smtp = LoopbackSmtp()
        smtp.start()
        try:
            yield (
                {"EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}"},
                lambda: [to for mail in list(smtp.inbox) for to in mail.rcpt_tos],
            )
        finally:
            smtp.stop()
    else:
        sms = LoopbackSms()
        sms.start()
        try:
            yield (
                {"SMS_URL": sms.url, "GROUNDGAME_SMS_FROM": sms.number},
                lambda: [message.to for message in list(sms.messages)],
            )
        finally:
            sms.stop()


def mailing_to_subscribers(channel: str) -> Mailing:
    """A mailing queued for RECIPIENTS people, each subscribed to volunteering."""
    for n in range(RECIPIENTS):
        person = people.person_create(
            actor=None,
            first_name=f"Rae{n}",
            last_name="Recipient",
            email=f"rae{n}@example.org",
            phone=f"+1919555{n:04d}",
        )
        consent.subscription_join(
            person_id=person.pk, channel=channel, topic_keys=["volunteering"], source="test"
        )
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    mailing = messaging.mailing_create(
        actor=None,
        name="Canvass Saturday",
        channel=channel,
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="Knock doors with us" if channel == "email" else "",
        body="Hi {{ first_name }}, canvass with us on Saturday?",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    result = messaging.mailing_fan_out(mailing_id=mailing.pk)
    assert result is not None
    assert result.queued == RECIPIENTS
    return mailing


def deliver_command(channel: str, mailing: Mailing) -> list[str]:
    return [
        sys.executable,
        "-m",
        "groundgame",
        "messaging",
        "deliver",
        "--channel",
        channel,
        "--mailing",
        str(mailing.pk),
    ]


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_sender_killed_mid_send_resumes_without_sending_anyone_twice(
    tmp_path: Path, channel: str
) -> None:
    mailing = mailing_to_subscribers(channel)
    # One person per address.
    addresses = set(Send.objects.filter(mailing=mailing).values_list("address", flat=True))
    with provider(channel) as (provider_env, received):
        # The run's own configuration, REDIS_URL included, on the test database.
        env = dict(os.environ)
        env.update(
            provider_env,
            DATABASE_URL=database_url_for_tests(),
            GROUNDGAME_HOME=str(tmp_path / "home"),
            GROUNDGAME_SEND_LEASE_SECONDS=str(LEASE_SECONDS),
            GROUNDGAME_EMAIL_PER_SECOND=str(PER_SECOND),
            GROUNDGAME_SMS_SEGMENTS_PER_MINUTE=str(PER_SECOND * 60),
        )
        log = tmp_path / "first.log"
        with log.open("wb") as stderr:
            first = subprocess.Popen(
                deliver_command(channel, mailing),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            deadline = time.monotonic() + 300
            while len(received()) < KILL_AFTER and first.poll() is None:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.005)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        killed_after = len(received())
        assert first.returncode == -signal.SIGKILL, log.read_text()
        assert killed_after < RECIPIENTS, "the sender finished before it could be killed"

        # The dead sender's lease runs out; the next run recovers what it left and finishes.
        time.sleep(LEASE_SECONDS + 0.5)
        before_second = len(received())
        second = subprocess.run(
            deliver_command(channel, mailing),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        counts = Counter(received())

    status = dict(Send.objects.filter(mailing=mailing).values_list("address", "status"))
    unknown = {a for a, s in status.items() if s == Send.Status.UNKNOWN}
    once = sum(1 for a in addresses if counts[a] == 1)
    twice = sorted(a for a in addresses if counts[a] > 1)
    missing = {a for a in addresses if counts[a] == 0}
    print(
        f"kill-and-resume ({channel}): {RECIPIENTS} recipients, {once} delivered once, "
        f"{len(twice)} twice, {len(unknown)} unknown, killed after {killed_after}"
    )
    assert set(counts) <= set(addresses), "a message went to someone outside the mailing"
    assert not twice, f"delivered twice: {twice}"
    # At most the one message in flight when the sender died is in doubt.
    assert len(unknown) <= 1
    assert missing <= unknown, f"never delivered: {sorted(missing - unknown)}"
    assert {s for a, s in status.items() if a not in unknown} == {Send.Status.SENT}
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT
    # The second run's summary counts what it sent itself.
    summary = second.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"{sum(counts.values()) - before_second:,} sent, "), second.stderr


def test_the_deliver_command_answers_bad_input_in_one_line(tmp_path: Path) -> None:
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    texts = messaging.mailing_create(
        actor=None,
        name="Texts",
        channel="sms",
        topic_key="volunteering",
        universe_id=universe.pk,
        body="Canvass Saturday?",
    )
    env = dict(os.environ, DATABASE_URL=database_url_for_tests(), GROUNDGAME_HOME=str(tmp_path))
    for args, words in [
        (["--channel", "fax"], ["--channel", "invalid choice"]),
        (["--channel", "email", "--mailing", "x"], ["--mailing", "invalid int"]),
        (["--channel", "email", "--mailing", "999999"], ["No such mailing"]),
        (["--channel", "email", "--mailing", str(texts.pk)], ["goes by sms, not email"]),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "groundgame", "messaging", "deliver", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, result.stderr
        assert len(lines) == 1, result.stderr
        assert all(word in lines[0] for word in words), lines[0]


def test_a_mailing_whose_sender_died_is_resumed_by_the_workers_sweep(
    tmp_path: Path, start_worker: Callable[..., Any]
) -> None:
    """Nobody schedules delivery again after the kill: the worker's sweep finds the outbox
    whose sender died and resumes it once the lease ran out, within a few sweeps."""
    mailing = mailing_to_subscribers("email")
    addresses = set(Send.objects.filter(mailing=mailing).values_list("address", flat=True))
    with provider("email") as (provider_env, received):
        settings_env = {
            **provider_env,
            "GROUNDGAME_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
            "GROUNDGAME_EMAIL_PER_SECOND": str(PER_SECOND),
            "GROUNDGAME_SWEEP_SECONDS": str(SWEEP_SECONDS),
        }
        env = {**os.environ, **settings_env, "DATABASE_URL": database_url_for_tests()}
        env["GROUNDGAME_HOME"] = str(tmp_path / "home")
        first = subprocess.Popen(
            deliver_command("email", mailing),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 300
            while len(received()) < KILL_AFTER and first.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.005)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        killed_after = len(received())
        assert killed_after < RECIPIENTS, "the sender finished before it could be killed"

        worker = start_worker(**settings_env)
        deadline = time.monotonic() + 120
        while Mailing.objects.get(pk=mailing.pk).status != Mailing.Status.SENT:
            assert time.monotonic() < deadline, worker.output()
            worker.assert_running()
            time.sleep(0.25)
        counts = Counter(received())

    unknown = set(
        Send.objects.filter(mailing=mailing, status=Send.Status.UNKNOWN).values_list(
            "address", flat=True
        )
    )
    assert not [a for a in addresses if counts[a] > 1], "someone got it twice"
    assert len(unknown) <= 1
    assert {a for a in addresses if counts[a] == 0} <= unknown


def _first_delivery_after(
    received: Callable[[], list[str]], before: set[str], deadline: float
) -> float:
    """The moment (monotonic) the provider receives a message to someone not in ``before``."""
    while not set(received()) - before:
        assert time.monotonic() < deadline, "the work never resumed"
        time.sleep(0.005)
    return time.monotonic()


def _assert_each_once(mailing: Mailing, addresses: set[str], received: list[str]) -> None:
    counts = Counter(received)
    unknown = set(
        Send.objects.filter(mailing=mailing, status=Send.Status.UNKNOWN).values_list(
            "address", flat=True
        )
    )
    assert not [a for a in addresses if counts[a] > 1], "someone got it twice"
    assert set(counts) <= addresses, "a message went to someone outside the mailing"
    # At most the one message in flight when its sender died is in doubt, never resent.
    assert len(unknown) <= 1, unknown
    assert {a for a in addresses if counts[a] == 0} <= unknown, "someone was never sent it"


def test_a_worker_killed_mid_send_is_taken_over_within_a_lease_and_a_sweep(
    start_worker: Callable[..., Any],
) -> None:
    """A worker sending a mailing dies with SIGKILL (with every process it started, as when
    its machine goes); another worker, already running, takes the mailing over once the dead
    sender's lease ran out, and from the kill to the next message sent is at most the lease
    plus one sweep interval. Nobody gets it twice and nobody is left out."""
    lease, sweep = 2, 5
    mailing = mailing_to_subscribers("email")
    addresses = set(Send.objects.filter(mailing=mailing).values_list("address", flat=True))
    with provider("email") as (provider_env, received):
        env = {
            **provider_env,
            "GROUNDGAME_SEND_LEASE_SECONDS": str(lease),
            "GROUNDGAME_EMAIL_PER_SECOND": "20",
            "GROUNDGAME_SWEEP_SECONDS": str(sweep),
        }
        # Nobody schedules delivery: the first worker's sweep finds the queued outbox.
        first = start_worker(**env)
        deadline = time.monotonic() + 120
        while len(received()) < 10:
            assert time.monotonic() < deadline, first.output()
            first.assert_running()
            time.sleep(0.01)
        second = start_worker(**env)
        while WorkerHeartbeat.objects.exclude(swept_at=None).count() < 2:
            assert time.monotonic() < deadline, second.output()
            second.assert_running()
            time.sleep(0.05)
        assert len(received()) < RECIPIENTS - 40, "the first worker finished before the kill"

        first.kill()
        killed_at = time.monotonic()
        # The message the dead worker had in flight may still land; it is not the work going
        # on, nor is anything it sent before.
        in_flight = Send.objects.filter(mailing=mailing, status=Send.Status.SENDING)
        before = set(received()) | set(in_flight.values_list("address", flat=True))
        resumed_at = _first_delivery_after(received, before, killed_at + 60)
        stall = resumed_at - killed_at
        assert stall <= lease + sweep, (
            f"the mailing stalled {stall:.2f} s after its worker was killed; "
            f"the bound is the lease ({lease} s) plus one sweep ({sweep} s)"
        )
        print(f"\nworker killed mid-send: resumed {stall:.2f} s after the kill")
        while Mailing.objects.get(pk=mailing.pk).status != Mailing.Status.SENT:
            assert time.monotonic() < deadline + 120, second.output()
            second.assert_running()
            time.sleep(0.1)
        _assert_each_once(mailing, addresses, received())


def _left_by_a_dead_sender(mailing: Mailing, lease: float) -> None:
    """Every send of the mailing claimed by a sender that died, its lease running out in
    ``lease`` seconds."""
    ids = sender.claim(channel="email", worker="dead:1:0", limit=RECIPIENTS, mailing_id=mailing.pk)
    assert len(ids) == RECIPIENTS
    until = timezone.now() + dt.timedelta(seconds=lease)
    Send.objects.filter(pk__in=ids).update(lease_until=until)


@contextmanager
def _sweeps_blocked(mailing: Mailing, sweep: float, workers: int) -> Iterator[list[int]]:
    """The dead sender's leases run out in a moment, and while the block runs a sweep stops
    in the middle, at their recovery: the test holds a lock its update waits for (the table
    in share mode on PostgreSQL, the write lock on SQLite). Yields the database backends
    (PostgreSQL) waiting in it once every worker's sweep does; on SQLite, once a whole sweep
    interval has passed after the leases ran out."""
    soon = 1.5
    Send.objects.filter(mailing=mailing).update(
        lease_until=timezone.now() + dt.timedelta(seconds=soon)
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{Send._meta.db_table}" IN SHARE MODE')
            deadline = time.monotonic() + 60
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT DISTINCT pid FROM pg_locks WHERE NOT granted "
                        "AND relation = %s::regclass",
                        [Send._meta.db_table],
                    )
                    waiting = [pid for (pid,) in cursor.fetchall()]
                if len(waiting) >= workers:
                    break
                assert time.monotonic() < deadline, "the sweeps did not reach the recovery"
                time.sleep(0.05)
            yield waiting
        else:
            Send.objects.filter(mailing=mailing, pk__lt=0).update(error="")
            time.sleep(soon + sweep + 1)
            yield []


@pytest.mark.parametrize("fault", ["sigkill", "dropped connection"])
def test_a_sweep_cut_short_leaves_nothing_behind(
    start_worker: Callable[..., Any], fault: str
) -> None:
    """A worker's sweep stops in the middle of recovering what a dead sender left: its worker
    is killed with SIGKILL (another worker is running), or the database drops its connection
    (PostgreSQL's pg_terminate_backend; the same worker goes on). From the fault to the next
    message sent is at most the lease plus one sweep interval, and the mailing ends with
    everyone sent it once."""
    if fault == "dropped connection":
        require_service("postgresql")
    lease, sweep = 2, 3
    mailing = mailing_to_subscribers("email")
    addresses = set(Send.objects.filter(mailing=mailing).values_list("address", flat=True))
    _left_by_a_dead_sender(mailing, lease=600)
    with provider("email") as (provider_env, received):
        env = {
            **provider_env,
            "GROUNDGAME_SEND_LEASE_SECONDS": str(lease),
            "GROUNDGAME_EMAIL_PER_SECOND": str(PER_SECOND),
            "GROUNDGAME_SWEEP_SECONDS": str(sweep),
        }
        workers = [start_worker(**env) for _ in range(1 if fault == "dropped connection" else 2)]
        deadline = time.monotonic() + 120
        while WorkerHeartbeat.objects.exclude(swept_at=None).count() < len(workers):
            assert time.monotonic() < deadline, workers[-1].output()
            for worker in workers:
                worker.assert_running()
            time.sleep(0.05)
        with _sweeps_blocked(mailing, sweep, len(workers)) as waiting:
            if fault == "sigkill":
                workers[0].kill()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM unnest(%s) pid", [waiting]
                    )
            faulted_at = time.monotonic()
        assert not received(), "nothing went while the sweep was held"
        resumed_at = _first_delivery_after(received, set(), faulted_at + 60)
        stall = resumed_at - faulted_at
        assert stall <= lease + sweep, (
            f"the outbox stalled {stall:.2f} s after the sweep's {fault}; "
            f"the bound is the lease ({lease} s) plus one sweep ({sweep} s)"
        )
        print(f"\nsweep cut short by {fault}: resumed {stall:.2f} s after")
        survivor = workers[-1]
        while Mailing.objects.get(pk=mailing.pk).status != Mailing.Status.SENT:
            assert time.monotonic() < deadline + 120, survivor.output()
            survivor.assert_running()
            time.sleep(0.1)
        _assert_each_once(mailing, addresses, received())
