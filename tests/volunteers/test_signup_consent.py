"""A sign-up's consent boxes become subscriptions, and its confirmation goes through the
messaging outbox under the one consent rule."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.messaging import services as messaging
from groundgame.people import services as people
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services
from tests.conftest import Campaign


@pytest.fixture(autouse=True)
def _signup_settings(settings: Any) -> None:
    settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def form(campaign: Campaign) -> Any:
    signup = volunteers_services.signup_form_create(
        actor=None,
        title="Join the team",
        org_unit=campaign.nc,
        consent_topics=["volunteering", "voting_info", "fundraising"],
        source="web",
    )
    return volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)


def sign_up(form: Any, email: str, consents: list[str]) -> Any:
    body = {
        "first_name": "Maya",
        "last_name": "Lopez",
        "email": email,
        "zip5": "27701",
        "consents": consents,
    }
    response = Client().post(
        f"/api/public/signups/{form.slug}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 201, response.content
    volunteers_services.signup_pending_drain()
    submission = volunteers_selectors.signup_submission_get(response.json()["id"])
    assert submission is not None
    assert submission.person_id is not None
    return submission


def test_ticked_topics_become_email_subscriptions_from_the_form(form: Any) -> None:
    submission = sign_up(form, "maya@example.org", ["volunteering", "voting_info"])
    assert consent_selectors.subscribed_topic_keys(
        person_id=submission.person_id, channel="email"
    ) == {"volunteering", "voting_info"}
    history = consent_selectors.person_consent(person_id=submission.person_id).history
    assert {e.source for e in history} == {f"signup_form:{form.pk}"}
    assert (
        consent_selectors.subscribed_topic_keys(person_id=submission.person_id, channel="sms")
        == set()
    ), "a form's boxes speak for email only"


def test_the_confirmation_is_sent_once_through_the_outbox(form: Any) -> None:
    submission = sign_up(form, "maya@example.org", [])
    volunteers_services.signup_confirmation_send(submission_id=submission.pk)
    volunteers_services.signup_confirmation_send(submission_id=submission.pk)  # a retried task
    messaging.sends_deliver(channel="email")
    assert [m.to for m in mail.outbox] == [["maya@example.org"]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_confirmation_reaches_a_person_on_the_do_not_contact_list(
    form: Any, campaign: Campaign
) -> None:
    known = people.person_create(
        actor=None, first_name="Maya", last_name="Lopez", email="maya@example.org"
    )
    consent.do_not_contact_set(person_id=known.pk, reason="Asked by phone", source="staff")
    submission = sign_up(form, "maya@example.org", ["volunteering"])
    assert submission.person_id == known.pk
    volunteers_services.signup_confirmation_send(submission_id=submission.pk)
    messaging.sends_deliver(channel="email")
    assert mail.outbox == []
