"""A person erased on request stays uncontactable when they come back: the voter file imported
again, a sign-up, an RSVP or any find-or-create with their email or phone makes a new record,
and the one contact rule refuses it on every channel. The erasure keeps no personal value to
do this: only keyed hashes of the identifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from groundgame.consent import rules
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import Channel, SuppressedAddress
from groundgame.people import services as people
from groundgame.people.models import ErasedIdentity, Person, VoterRecord
from groundgame.volunteers import services as volunteers
from tests.conftest import Campaign
from tests.people.voterfile.voter_files_helpers import voter_line, write_pair

pytestmark = pytest.mark.django_db

EMAIL = "maya.lopez@example.net"
PHONE = "+19195550147"


def _erase(person_id: int) -> None:
    people.person_erase(actor=None, person_id=person_id, reason="Email of 3 Oct 2026")


def _subscribed(person_id: int) -> None:
    for channel in ("email", "sms"):
        consent.subscription_join(
            person_id=person_id, channel=channel, topic_keys=["volunteering"], source="test"
        )


def _refused_on_every_channel(person_id: int) -> None:
    topic = consent_selectors.topic_get("volunteering")
    for channel in Channel.values:
        decision = consent_selectors.contact_decision(
            person_id=person_id, channel=channel, topic=topic
        )
        assert (decision.allowed, decision.reason) == (False, rules.DO_NOT_CONTACT), channel


def _reachable_somewhere(person_id: int) -> bool:
    topic = consent_selectors.topic_get("volunteering")
    return any(
        consent_selectors.contact_decision(person_id=person_id, channel=c, topic=topic).allowed
        for c in Channel.values
    )


@pytest.fixture
def maya(campaign: Campaign) -> Person:
    """Maya, erased on request: her email and phone were on her record."""
    person = people.person_create(
        actor=None, first_name="Maya", last_name="Lopez", email=EMAIL, phone=PHONE
    )
    _erase(person.pk)
    return person


def test_the_erasure_keeps_no_value_only_keyed_hashes(maya: Person) -> None:
    keys = list(ErasedIdentity.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any(value.lower() in key for key in keys for value in (EMAIL, PHONE, "maya"))
    assert not SuppressedAddress.objects.filter(address__in=[EMAIL, PHONE]).exists()


@pytest.mark.parametrize(
    "fields", [{"email": EMAIL}, {"phone": PHONE}, {"email": EMAIL.upper(), "phone": ""}]
)
def test_a_new_record_with_her_email_or_phone_is_refused_on_every_channel(
    maya: Person, fields: dict[str, str]
) -> None:
    again = people.person_create(actor=None, first_name="Maya", last_name="L", **fields)
    _subscribed(again.pk)
    _refused_on_every_channel(again.pk)
    topic = consent_selectors.topic_get("volunteering")
    for channel in ("email", "sms"):
        audience = Person.objects.filter(pk=again.pk)
        assert not consent_selectors.reachable(audience, channel=channel, topic=topic).exists()


def test_someone_else_is_not_caught(maya: Person) -> None:
    other = people.person_create(
        actor=None, first_name="Maya", last_name="Lopez", email="other@example.net"
    )
    _subscribed(other.pk)
    assert _reachable_somewhere(other.pk)


def test_find_or_create_with_her_phone_makes_a_record_that_is_refused(maya: Person) -> None:
    found = people.person_find_or_create(
        actor=None, source="rsvp", first_name="Maya", last_name="Lopez", phone=PHONE
    )
    assert found.created
    _subscribed(found.person.pk)
    _refused_on_every_channel(found.person.pk)


def test_an_existing_record_given_her_email_later_is_refused(
    maya: Person, campaign: Campaign
) -> None:
    people.person_update(actor=None, person_id=campaign.bob.pk, email=EMAIL)
    _refused_on_every_channel(campaign.bob.pk)


def test_a_sign_up_with_her_email_makes_a_record_that_is_refused(
    maya: Person, campaign: Campaign
) -> None:
    form = volunteers.signup_form_create(actor=None, title="Join", org_unit=campaign.durham)
    volunteers.signup_form_publish(actor=None, form_id=form.pk)
    answer = Client().post(
        f"/api/public/signups/{form.slug}",
        {"first_name": "Maya", "last_name": "Lopez", "email": EMAIL, "zip5": "27701"},
        content_type="application/json",
        headers={"Idempotency-Key": "maya-again"},
    )
    assert answer.status_code in (200, 201, 202), answer.content
    volunteers.signup_pending_drain()
    again = Person.objects.get(email=EMAIL)
    assert again.pk != maya.pk
    _refused_on_every_channel(again.pk)


def test_the_voter_file_imported_again_brings_her_back_refused(
    campaign: Campaign, tmp_path: Path
) -> None:
    lines = [voter_line("AA1", first_name="MAYA"), voter_line("AA2", first_name="BEN")]
    voters, history = write_pair(tmp_path / "first", lines)
    people.voter_file_import(actor=None, layout="nc", voters=voters, history=history)
    first = VoterRecord.objects.get(state_voter_id="AA1").person_id
    _erase(first)
    assert not VoterRecord.objects.filter(state_voter_id="AA1").exists()

    # Next month's file: she is on it again, beside a new registrant.
    voters, history = write_pair(tmp_path / "again", [*lines, voter_line("AA3")])
    people.voter_file_import(actor=None, layout="nc", voters=voters, history=history)
    back = VoterRecord.objects.get(state_voter_id="AA1").person_id
    assert back != first
    _refused_on_every_channel(back)
    assert _reachable_somewhere(VoterRecord.objects.get(state_voter_id="AA2").person_id)


def test_voter_file_import_answers_the_same_without_erasures(
    campaign: Campaign, tmp_path: Path, settings: Any
) -> None:
    voters, history = write_pair(tmp_path / "plain", [voter_line("AB1")])
    people.voter_file_import(actor=None, layout="nc", voters=voters, history=history)
    assert _reachable_somewhere(VoterRecord.objects.get(state_voter_id="AB1").person_id)


def test_the_erasure_secret_is_its_own_and_kept(tmp_path: Path, monkeypatch: Any) -> None:
    """Left unset, it is generated once and kept; set to the secret key, the start stops."""
    from groundgame.core import env

    monkeypatch.delenv("GROUNDGAME_ERASURE_SECRET", raising=False)
    first = env.erasure_secret(tmp_path, "the-secret-key")
    assert first != "the-secret-key"
    assert env.erasure_secret(tmp_path, "the-secret-key") == first
    monkeypatch.setenv("GROUNDGAME_ERASURE_SECRET", "the-secret-key")
    with pytest.raises(ValueError, match="GROUNDGAME_ERASURE_SECRET"):
        env.erasure_secret(tmp_path, "the-secret-key")
