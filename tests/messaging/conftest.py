"""Fixtures for delivery over real transports: the SMTP server and the SMS provider on
loopback, the application served on a live server they call back, and a way to send a
mailing to a universe from start to finish."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from groundgame.consent import services as consent
from groundgame.core import env
from groundgame.messaging import sender
from groundgame.messaging import services as messaging
from groundgame.people import services as people
from tests.loopback import LoopbackSms, LoopbackSmtp


@pytest.fixture
def smtp(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackSmtp]:
    """An SMTP server on loopback, configured as a deployment would be: ``EMAIL_URL``."""
    server = LoopbackSmtp()
    server.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://{server.host}:{server.port}")
    for name, value in env.email(Path()).items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def public_url(live_server: Any, settings: Any) -> str:
    """The application on a live server, which links and webhooks are addressed to."""
    settings.GROUNDGAME_PUBLIC_URL = live_server.url
    return str(live_server.url)


@pytest.fixture
def sms(settings: Any, public_url: str) -> Iterator[LoopbackSms]:
    """The SMS provider on loopback, configured through ``SMS_URL``."""
    provider = LoopbackSms()
    provider.start()
    settings.GROUNDGAME_SMS_URL = provider.url
    settings.GROUNDGAME_SMS_FROM = provider.number
    yield provider
    provider.stop()


@pytest.fixture
def send_mailing(db: None) -> Callable[..., sender.Tally]:
    """``send_mailing("sms", "volunteering", body)``: create, schedule, fan out and deliver a
    mailing to everyone, as the scheduled task does (through the configured backends, or
    ``use``); returns the sender's tally.

    The default contact caps (a text a day) are lifted, so that a test can send several
    mailings in a row to the same people."""
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    for channel in ("email", "sms"):
        consent.contact_cap_set(
            actor=None, channel=channel, per_person=100, per_household=None, window_hours=1
        )
    counter = iter(range(1, 1000))

    def send(
        channel: str, topic: str, body: str, subject: str = "", use: sender.Backends | None = None
    ) -> sender.Tally:
        mailing = messaging.mailing_create(
            actor=None,
            name=f"Mailing {next(counter)}",
            channel=channel,
            topic_key=topic,
            universe_id=universe.pk,
            subject=subject,
            body=body,
        )
        messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
        messaging.mailing_fan_out(mailing_id=mailing.pk)
        return messaging.sends_deliver(channel=channel, mailing_id=mailing.pk, use=use)

    return send
