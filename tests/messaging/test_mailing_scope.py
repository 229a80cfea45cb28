"""Mailings within the sender's units: who may write, change, send and cancel one, and who
it reaches. Every write is tried by someone who may not make it, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from groundgame.consent import services as consent
from groundgame.core.errors import PermissionDenied
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people

pytestmark = pytest.mark.django_db

MAILING = {
    "name": "Canvass Saturday",
    "channel": "email",
    "topic_key": "volunteering",
    "subject": "Knock doors with us",
    "body": "Hi {{ first_name }}, join us Saturday.",
}


@pytest.fixture
def subscribed(campaign: Any) -> Any:
    """Alice (Durham), Bob (Guilford) and Nora (no unit yet), all subscribed."""
    for person in (campaign.alice, campaign.bob, campaign.nobody):
        if not person.email:
            people.person_update(actor=None, person_id=person.pk, email="nora@example.net")
        consent.subscription_join(
            person_id=person.pk, channel="email", topic_keys=["volunteering"], source="test"
        )
    return campaign


@pytest.fixture
def everyone(campaign: Any) -> Any:
    return people.universe_save(actor=None, name="Everyone on file", filters={})


def _recipients(mailing: Mailing) -> set[str]:
    return set(Send.objects.filter(mailing=mailing).values_list("person__first_name", flat=True))


def test_a_mailing_reaches_only_the_senders_units(
    subscribed: Any, everyone: Any, make_staff: Any
) -> None:
    """The finding: a county team's volunteer leader mailed everyone on file."""
    leader = make_staff("lee", role="volunteer_leader", unit=subscribed.durham)
    mailing = messaging.mailing_create(actor=leader, universe_id=everyone.pk, **MAILING)
    messaging.mailing_schedule(actor=leader, mailing_id=mailing.pk)
    result = messaging.mailing_fan_out(mailing_id=mailing.pk)

    assert result is not None
    assert _recipients(mailing) == {"Alice"}
    assert result.audience == 1

    national = make_staff("nat", role="admin", unit=subscribed.national)
    wide = messaging.mailing_create(actor=national, universe_id=everyone.pk, **MAILING)
    messaging.mailing_schedule(actor=national, mailing_id=wide.pk)
    messaging.mailing_fan_out(mailing_id=wide.pk)
    assert _recipients(wide) == {"Alice", "Bob", "Nora"}


def test_nobody_else_changes_sends_or_cancels_a_national_admins_mailing(
    subscribed: Any, everyone: Any, make_staff: Any, client_for: Any
) -> None:
    national = make_staff("nat", role="admin", unit=subscribed.national)
    mailing = messaging.mailing_create(actor=national, universe_id=everyone.pk, **MAILING)
    messaging.mailing_schedule(actor=national, mailing_id=mailing.pk, at=None)
    leader = make_staff("lee", role="volunteer_leader", unit=subscribed.durham)
    director = make_staff("dee", role="director", unit=subscribed.nc)

    for outsider in (leader, director):
        client = client_for(outsider)
        page = client.post(f"/messaging/mailings/{mailing.pk}/cancel", follow=True)
        assert "Only whoever wrote this mailing" in page.content.decode()
        for write in (messaging.mailing_cancel, messaging.mailing_schedule):
            with pytest.raises(PermissionDenied):
                write(actor=outsider, mailing_id=mailing.pk)
        with pytest.raises(PermissionDenied):
            messaging.mailing_update(
                actor=outsider,
                mailing_id=mailing.pk,
                name="Hijacked",
                topic_key="volunteering",
                universe_id=everyone.pk,
                subject="x",
                body="x",
            )
    mailing.refresh_from_db()
    assert (mailing.status, mailing.name) == (Mailing.Status.SCHEDULED, "Canvass Saturday")


def test_a_director_above_the_audience_may_stop_an_organizers_mailing(
    subscribed: Any, make_staff: Any
) -> None:
    organizer = make_staff("olivia", role="organizer", unit=subscribed.durham)
    durham = people.universe_save(actor=organizer, name="Durham doors", filters={})
    mailing = messaging.mailing_create(actor=organizer, universe_id=durham.pk, **MAILING)
    messaging.mailing_schedule(actor=organizer, mailing_id=mailing.pk)

    elsewhere = make_staff("gus", role="director", unit=subscribed.piedmont)
    with pytest.raises(PermissionDenied):
        messaging.mailing_cancel(actor=elsewhere, mailing_id=mailing.pk)
    above = make_staff("dee", role="director", unit=subscribed.triangle)
    messaging.mailing_cancel(actor=above, mailing_id=mailing.pk)
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.CANCELLED


def test_an_analyst_cannot_write_a_mailing(subscribed: Any, everyone: Any, make_staff: Any):
    analyst = make_staff("ana", role="analyst", unit=subscribed.national)
    with pytest.raises(PermissionDenied):
        messaging.mailing_create(actor=analyst, universe_id=everyone.pk, **MAILING)
    assert not Mailing.objects.exists()
    page = Client()
    page.force_login(analyst)
    assert page.get("/messaging/mailings/new/").status_code == 403
