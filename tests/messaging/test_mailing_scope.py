"""Mailings within the sender's units: who may write, change, send and cancel one, and who
it reaches. Every write is tried by someone who may not make it, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from groundgame.audit.models import AuditEvent
from groundgame.consent import services as consent
from groundgame.core.errors import PermissionDenied, RateLimited
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.messaging.services import mailings as mailing_services
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


def test_only_who_may_change_a_mailing_sends_a_test_of_it(
    subscribed: Any, everyone: Any, make_staff: Any, client_for: Any
) -> None:
    """The finding: any staff member could send a test of any mailing, to any address."""
    national = make_staff("nat", role="admin", unit=subscribed.national)
    mailing = messaging.mailing_create(actor=national, universe_id=everyone.pk, **MAILING)
    leader = make_staff(
        "lee", role="volunteer_leader", unit=subscribed.durham, email="lee@campaign.example"
    )
    with pytest.raises(PermissionDenied) as refused:
        messaging.mailing_test_send(
            actor=leader, mailing_id=mailing.pk, address="lee@campaign.example"
        )
    assert refused.value.code == "mailing_denied"
    page = client_for(leader).post(
        f"/messaging/mailings/{mailing.pk}/test", {"address": "lee@campaign.example"}
    )
    assert page.status_code == 403
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action="messaging.mailing_test_send").exists()


def test_a_test_goes_to_the_senders_own_address_or_a_colleagues_in_their_units(
    subscribed: Any, make_staff: Any, client_for: Any
) -> None:
    organizer = make_staff(
        "olivia", role="organizer", unit=subscribed.durham, email="olivia@campaign.example"
    )
    make_staff("dan", role="organizer", unit=subscribed.durham, email="Dan@Campaign.example")
    make_staff("gus", role="organizer", unit=subscribed.piedmont, email="gus@campaign.example")
    durham = people.universe_save(actor=organizer, name="Durham doors", filters={})
    mailing = messaging.mailing_create(actor=organizer, universe_id=durham.pk, **MAILING)

    for address in ("olivia@campaign.example", "dan@campaign.example"):
        messaging.mailing_test_send(actor=organizer, mailing_id=mailing.pk, address=address)
    assert [m.to for m in mail.outbox] == [["olivia@campaign.example"], ["dan@campaign.example"]]

    client = client_for(organizer)
    for foreign in ("stranger@example.com", "gus@campaign.example"):
        with pytest.raises(PermissionDenied) as refused:
            messaging.mailing_test_send(actor=organizer, mailing_id=mailing.pk, address=foreign)
        assert (refused.value.code, refused.value.field) == ("test_address_denied", "address")
        page = client.post(f"/messaging/mailings/{mailing.pk}/test", {"address": foreign})
        assert page.status_code == 403
        assert "your own address" in page.context["test_form"].errors["address"][0]
    assert len(mail.outbox) == 2


def test_a_text_test_goes_to_the_senders_own_number_on_file(
    subscribed: Any, make_staff: Any
) -> None:
    organizer = make_staff(
        "olivia", role="organizer", unit=subscribed.durham, email="olivia@campaign.example"
    )
    people.person_create(
        actor=None,
        first_name="Olivia",
        last_name="Organizer",
        email="olivia@campaign.example",
        phone="+19195550101",
    )
    durham = people.universe_save(actor=organizer, name="Durham doors", filters={})
    texts = messaging.mailing_create(
        actor=organizer,
        universe_id=durham.pk,
        **{**MAILING, "channel": "sms", "subject": ""},
    )
    messaging.mailing_test_send(actor=organizer, mailing_id=texts.pk, address="+19195550101")
    with pytest.raises(PermissionDenied):
        messaging.mailing_test_send(actor=organizer, mailing_id=texts.pk, address="+19195550199")
    tests = AuditEvent.objects.filter(action="messaging.mailing_test_send")
    assert list(tests.values_list("summary", flat=True)) == ["test to +19195550101"]


def test_tests_are_rate_limited_per_sender(subscribed: Any, make_staff: Any) -> None:
    organizer = make_staff(
        "olivia", role="organizer", unit=subscribed.durham, email="olivia@campaign.example"
    )
    durham = people.universe_save(actor=organizer, name="Durham doors", filters={})
    mailing = messaging.mailing_create(actor=organizer, universe_id=durham.pk, **MAILING)
    burst = int(mailing_services.TEST_SENDS.burst)
    for _ in range(burst):
        messaging.mailing_test_send(
            actor=organizer, mailing_id=mailing.pk, address="olivia@campaign.example"
        )
    with pytest.raises(RateLimited) as refused:
        messaging.mailing_test_send(
            actor=organizer, mailing_id=mailing.pk, address="olivia@campaign.example"
        )
    assert refused.value.code == "test_send_rate_limited"
    assert refused.value.retry_after > 0
    assert len(mail.outbox) == burst
