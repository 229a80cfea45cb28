"""The mailing pages through HTTP: compose with field messages and no partial write, the
live preview (escaped personalization, template problems named by line, scope), test send,
schedule, cancel, the mailing's progress, frequency caps, and who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundgame.consent import services as consent
from groundgame.consent.models import ContactCap
from groundgame.core.errors import ApplicationError, ValidationFailed
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db

GOOD = {
    "action": "save",
    "name": "Canvass this weekend",
    "channel": "email",
    "topic": "volunteering",
    "subject": "{{ first_name }}, knock doors with us",
    "body": 'Hi {{ first_name|default:"friend" }},\n\nJoin us Saturday in {{ city }}.',
}


@pytest.fixture(autouse=True)
def _locmem_email(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def everyone(campaign: Any) -> Any:
    return people.universe_save(actor=None, name="Everyone", filters={})


@pytest.fixture
def national_organizer_user(make_staff: Callable[..., Any], campaign: Any) -> Any:
    """Olivia, an organizer of the national unit: every person in the campaign is in scope."""
    return make_staff(
        "olivia", role="organizer", unit=campaign.national, email="olivia@campaign.example"
    )


@pytest.fixture
def national_organizer_client(
    client_for: Callable[[Any], Client], national_organizer_user: Any
) -> Client:
    return client_for(national_organizer_user)


@pytest.fixture
def national_admin_client(
    make_staff: Callable[..., Any], client_for: Callable[[Any], Client], campaign: Any
) -> Client:
    return client_for(make_staff("nadia", role="admin", unit=campaign.national))


@pytest.fixture
def state_admin_user(make_staff: Callable[..., Any], campaign: Any) -> Any:
    """An admin of North Carolina: its people are in scope, campaign settings are not."""
    return make_staff("sam", role="admin", unit=campaign.nc)


@pytest.fixture
def state_admin_client(client_for: Callable[[Any], Client], state_admin_user: Any) -> Client:
    return client_for(state_admin_user)


@pytest.fixture
def state_director_client(
    make_staff: Callable[..., Any], client_for: Callable[[Any], Client], campaign: Any
) -> Client:
    return client_for(make_staff("dana", role="director", unit=campaign.nc))


def _subscribe(person: Any, channel: str = "email", topic: str = "volunteering") -> None:
    consent.subscription_join(
        person_id=person.pk, channel=channel, topic_keys=[topic], source="test"
    )


def _draft(universe: Any, by: Any = None, **overrides: Any) -> Mailing:
    """A draft mailing to ``universe``, written by ``by`` (the system when None)."""
    fields = {
        "name": "Canvass this weekend",
        "channel": "email",
        "topic_key": "volunteering",
        "universe_id": universe.pk,
        "subject": "Knock doors with us",
        "body": "Hi {{ first_name }}, join us Saturday.",
        **overrides,
    }
    return messaging.mailing_create(actor=by, **fields)


def _preview(client: Client, **data: Any) -> Any:
    return client.post(reverse("messaging:mailing_preview"), data)


# Who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("messaging:mailings", []),
        ("messaging:mailing_new", []),
        ("messaging:mailing", [1]),
        ("messaging:mailing_progress", [1]),
        ("messaging:frequency_caps", []),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(name: str, args: list[int]) -> None:
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_preview_is_not_served() -> None:
    response = Client().post(reverse("messaging:mailing_preview"), {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_analysts_see_mailings_but_neither_compose_nor_preview(
    make_staff: Callable[..., Any],
    client_for: Callable[[Any], Client],
    campaign: Any,
    everyone: Any,
) -> None:
    mailing = _draft(everyone)
    analyst = client_for(make_staff("nia", role="analyst", unit=campaign.national))
    listing = analyst.get(reverse("messaging:mailings"))
    assert listing.status_code == 200
    assert "Canvass this weekend" in listing.content.decode()
    assert "New mailing" not in listing.content.decode()
    detail = analyst.get(reverse("messaging:mailing", args=[mailing.pk]))
    assert detail.status_code == 200
    # The preview shows real names and addresses: not for a role without personal data.
    assert 'id="preview-heading"' not in detail.content.decode()
    assert analyst.get(reverse("messaging:mailing_new")).status_code == 403
    assert _preview(analyst, channel="email", topic="volunteering", body="x").status_code == 403
    assert (
        analyst.post(reverse("messaging:mailing_schedule", args=[mailing.pk]), {"when": "now"})
    ).status_code == 403
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.DRAFT


# Compose ---------------------------------------------------------------------------------


def test_a_mailing_is_created_and_opens_on_its_page(
    national_organizer_client: Client, everyone: Any
) -> None:
    page = national_organizer_client.get(reverse("messaging:mailing_new"))
    assert page.status_code == 200
    assert "Everyone" in page.content.decode()
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"), {**GOOD, "universe": everyone.pk}
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:mailing", args=[mailing.pk])
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.universe_id == everyone.pk
    assert mailing.subject == "{{ first_name }}, knock doors with us"
    detail = national_organizer_client.get(response["Location"]).content.decode()
    assert "Send yourself a test" in detail
    assert "Schedule" in detail


def test_missing_fields_are_named_and_nothing_is_saved(
    national_organizer_client: Client, everyone: Any
) -> None:
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"),
        {"action": "save", "channel": "email", "topic": "", "body": ""},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["name"] == ["Name the mailing."]
    assert form.errors["topic"] == ["Choose what the mailing is about."]
    assert form.errors["universe"] == ["Choose the universe to send to."]
    assert form.errors["body"] == ["Write the message."]
    assert "Please check these fields" in response.content.decode()
    assert not Mailing.objects.exists()


def test_an_unknown_template_field_is_named_by_line_under_its_field(
    national_organizer_client: Client, everyone: Any
) -> None:
    body = "Hi {{ first_name }},\n\nSee you in {{ town }}."
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"), {**GOOD, "universe": everyone.pk, "body": body}
    )
    assert response.status_code == 422
    (message,) = response.context["form"].errors["body"]
    assert message.startswith("Line 3: unknown field 'town'")
    assert not Mailing.objects.exists()
    # The preview on the same page says the same, before anything is saved.
    assert "Line 3: unknown field" in response.context["preview_error"].message


def test_an_email_without_a_subject_is_refused_by_the_service(
    national_organizer_client: Client, everyone: Any
) -> None:
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"), {**GOOD, "universe": everyone.pk, "subject": " "}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["subject"] == ["An email needs a subject."]
    assert not Mailing.objects.exists()


def test_a_text_longer_than_the_limit_is_refused(
    national_organizer_client: Client, everyone: Any
) -> None:
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"),
        {**GOOD, "universe": everyone.pk, "channel": "sms", "body": "x" * 1601},
    )
    assert response.status_code == 422
    assert "at most 1600 characters" in response.context["form"].errors["body"][0]


def test_editing_keeps_the_old_version_when_the_new_one_is_wrong(
    national_organizer_client: Client, national_organizer_user: Any, everyone: Any
) -> None:
    mailing = _draft(everyone, by=national_organizer_user)
    url = reverse("messaging:mailing_edit", args=[mailing.pk])
    page = national_organizer_client.get(url)
    assert page.status_code == 200
    assert "Hi {{ first_name }}, join us Saturday." in page.content.decode()
    bad = national_organizer_client.post(
        url, {**GOOD, "universe": everyone.pk, "body": "Hi {{ first_name"}
    )
    assert bad.status_code == 422
    assert "without its }}" in bad.context["form"].errors["body"][0]
    assert Mailing.objects.get(pk=mailing.pk).body == "Hi {{ first_name }}, join us Saturday."
    good = national_organizer_client.post(
        url, {**GOOD, "universe": everyone.pk, "name": "Canvass, take two"}
    )
    assert good.status_code == 302
    saved = Mailing.objects.get(pk=mailing.pk)
    assert saved.name == "Canvass, take two"
    # The channel stays what it was, whatever is posted.
    assert saved.channel == "email"


def test_a_sent_mailing_cannot_be_edited(national_organizer_client: Client, everyone: Any) -> None:
    mailing = _draft(everyone)
    messaging.mailing_cancel(actor=None, mailing_id=mailing.pk)
    response = national_organizer_client.post(
        reverse("messaging:mailing_edit", args=[mailing.pk]),
        {**GOOD, "universe": everyone.pk, "name": "Changed"},
    )
    assert response.status_code == 302
    assert Mailing.objects.get(pk=mailing.pk).name == "Canvass this weekend"
    page = national_organizer_client.get(response["Location"]).content.decode()
    assert "cannot be changed" in page


def test_a_missing_mailing_is_not_found(national_organizer_client: Client) -> None:
    assert (
        national_organizer_client.get(reverse("messaging:mailing", args=[999])).status_code == 404
    )
    assert (
        national_organizer_client.get(reverse("messaging:mailing_edit", args=[999])).status_code
        == 404
    )


# Preview ---------------------------------------------------------------------------------


def test_the_preview_shows_real_recipients_with_personalization_escaped(
    national_organizer_client: Client, campaign: Any, everyone: Any
) -> None:
    mallory = people.person_create(
        actor=None,
        first_name="<script>alert(1)</script>",
        last_name="Malloy",
        email="mallory@example.com",
        org_unit_id=campaign.durham.pk,
    )
    for person in (campaign.alice, mallory):
        _subscribe(person)
    data = {
        "channel": "email",
        "topic": "volunteering",
        "universe": everyone.pk,
        "subject": "{{ first_name }}, knock doors",
        "body": 'Hi {{ first_name|default:"friend" }}!',
    }
    first = _preview(national_organizer_client, **data)
    assert first.status_code == 200
    reply = first.json()
    assert reply["recipients"] == 2
    assert "Alice Aardvark" in reply["html"]
    assert "alice@example.com" in reply["html"]
    assert "Alice, knock doors" in reply["html"]
    # Bob is not subscribed, Nora has no email: neither is a recipient.
    assert "Bob" not in reply["html"]
    second = _preview(national_organizer_client, **data, recipient=1).json()
    assert second["recipient"] == 1
    html = second["html"]
    assert "<script>" not in html
    # The subject as text; the email's HTML escaped when composed, then again in srcdoc.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;, knock doors" in html
    assert "Hi &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;!" in html
    # The footer every email ends with.
    assert "Choose what you hear about, or unsubscribe" in html
    # Past the last recipient, the last one is shown.
    assert _preview(national_organizer_client, **data, recipient=9).json()["recipient"] == 1


def test_the_preview_names_a_template_problem_by_field_and_line(
    national_organizer_client: Client, everyone: Any
) -> None:
    response = _preview(
        national_organizer_client,
        channel="email",
        topic="volunteering",
        universe=everyone.pk,
        subject="Hello",
        body="Hi {{ first_name }},\n{{ first_nmae }}",
    )
    assert_api_error(response, 422, "template_invalid", "body")
    reply = response.json()
    assert reply["message"].startswith("Line 2: unknown field 'first_nmae'")
    assert "The message cannot be shown" in reply["html"]


def test_a_text_preview_counts_segments_and_adds_the_first_text_footer(
    national_organizer_client: Client, campaign: Any, everyone: Any, settings: Any
) -> None:
    people.person_update(actor=None, person_id=campaign.alice.pk, phone="+19195550101")
    _subscribe(campaign.alice, channel="sms")
    body = "{{ first_name }}, canvass Saturday? " + "Reply YES. " * 15
    reply = _preview(
        national_organizer_client,
        channel="sms",
        topic="volunteering",
        universe=everyone.pk,
        body=body,
    ).json()
    text = f"{settings.GROUNDGAME_ORGANIZATION}: Alice, canvass Saturday?"
    assert text in reply["html"]
    assert "Reply STOP to opt out." in reply["html"]
    assert reply["segments"] == 2
    assert "First text to this number" in reply["html"]


def test_the_preview_shows_only_people_in_the_staff_members_units(
    make_staff: Callable[..., Any],
    client_for: Callable[[Any], Client],
    campaign: Any,
    everyone: Any,
) -> None:
    for person in (campaign.alice, campaign.bob):
        _subscribe(person)
    piedmont = client_for(make_staff("pat", role="organizer", unit=campaign.piedmont))
    reply = _preview(
        piedmont,
        channel="email",
        topic="volunteering",
        universe=everyone.pk,
        subject="Hi",
        body="Hi {{ first_name }}",
    ).json()
    assert reply["recipients"] == 1
    assert "Bob Bittern" in reply["html"]
    assert "Alice" not in reply["html"]


def test_without_reachable_recipients_the_preview_uses_a_sample_and_says_why(
    national_organizer_client: Client, everyone: Any
) -> None:
    reply = _preview(
        national_organizer_client,
        channel="email",
        topic="fundraising",
        universe=everyone.pk,
        subject="Hi",
        body="Hi {{ first_name }}",
    ).json()
    assert "Sample recipient" in reply["html"]
    assert "can be reached" in reply["html"]
    assert "Hi Test" in reply["html"]


def test_compose_without_javascript_previews_the_next_recipient(
    national_organizer_client: Client, campaign: Any, everyone: Any
) -> None:
    for person in (campaign.alice, campaign.bob):
        _subscribe(person)
    response = national_organizer_client.post(
        reverse("messaging:mailing_new"),
        {**GOOD, "action": "", "universe": everyone.pk, "recipient": "1"},
    )
    assert response.status_code == 200
    assert response.context["preview"].name == "Bob Bittern"
    assert not Mailing.objects.exists()


# Test send, schedule, progress, cancel ---------------------------------------------------


def test_a_test_send_goes_to_the_staff_members_address_only(
    national_organizer_client: Client, national_organizer_user: Any, campaign: Any, everyone: Any
) -> None:
    _subscribe(campaign.alice)
    mailing = _draft(everyone, by=national_organizer_user)
    url = reverse("messaging:mailing_test", args=[mailing.pk])
    response = national_organizer_client.post(url, {"address": "olivia@campaign.example"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["olivia@campaign.example"]
    assert message.subject == "[TEST] Knock doors with us"
    assert "Hi Test, join us Saturday." in message.body
    assert not Send.objects.exists()


def test_a_test_send_to_a_bad_address_says_so_under_the_field(
    national_organizer_client: Client, national_organizer_user: Any, everyone: Any
) -> None:
    mailing = _draft(everyone, by=national_organizer_user)
    response = national_organizer_client.post(
        reverse("messaging:mailing_test", args=[mailing.pk]), {"address": "not-an-address"}
    )
    assert response.status_code == 422
    assert response.context["test_form"].errors["address"]
    assert 'id="test_error"' in response.content.decode()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("channel", "address"),
    [("email", "not-an-address"), ("email", ""), ("sms", "12"), ("sms", " ")],
)
def test_the_test_send_service_refuses_a_bad_address(
    national_organizer_user: Any, everyone: Any, channel: str, address: str
) -> None:
    mailing = _draft(
        everyone,
        by=national_organizer_user,
        channel=channel,
        subject="Knock doors" if channel == "email" else "",
    )
    with pytest.raises(ValidationFailed) as refused:
        messaging.mailing_test_send(
            actor=national_organizer_user, mailing_id=mailing.pk, address=address
        )
    assert (refused.value.code, refused.value.field) == ("address_invalid", "address")
    assert not mail.outbox


def test_scheduled_now_it_fans_out_sends_and_the_page_shows_it_sent(
    national_organizer_client: Client, national_organizer_user: Any, campaign: Any, everyone: Any
) -> None:
    _subscribe(campaign.alice)
    mailing = _draft(everyone, by=national_organizer_user)
    response = national_organizer_client.post(
        reverse("messaging:mailing_schedule", args=[mailing.pk]), {"when": "now"}
    )
    assert response.status_code == 302
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SCHEDULED
    live = national_organizer_client.get(
        reverse("messaging:mailing_progress", args=[mailing.pk])
    ).json()
    assert live["live"] is True
    # The worker's step, run here.
    messaging.mailing_fan_out(mailing_id=mailing.pk)
    messaging.sends_deliver(channel="email")
    done = national_organizer_client.get(
        reverse("messaging:mailing_progress", args=[mailing.pk])
    ).json()
    assert done["live"] is False
    assert done["label"] == "Sent"
    page = national_organizer_client.get(reverse("messaging:mailing", args=[mailing.pk]))
    progress = page.context["progress"]
    assert progress.by_status == {"sent": 1}
    assert progress.percent == 100
    assert page.context["mailing"].audience_count == 3
    assert page.context["mailing"].suppressed_count == 2
    listing = national_organizer_client.get(reverse("messaging:mailings")).content.decode()
    assert "mailing-status-sent" in listing


def test_scheduling_for_later_reads_the_browsers_time_zone(
    national_organizer_client: Client, national_organizer_user: Any, everyone: Any
) -> None:
    mailing = _draft(everyone, by=national_organizer_user)
    later = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    # Typed in New York in summer (UTC-4): the browser reports an offset of 240 minutes.
    typed = (later - dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    response = national_organizer_client.post(
        reverse("messaging:mailing_schedule", args=[mailing.pk]),
        {"when": "later", "at": typed, "tz_offset": "240"},
    )
    assert response.status_code == 302
    saved = Mailing.objects.get(pk=mailing.pk)
    assert saved.status == Mailing.Status.SCHEDULED
    assert saved.scheduled_at == later


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "later", "at": ""}, "Give the date and time to send it."),
        ({"when": "later", "at": "next tuesday"}, "Enter a date and time"),
        ({"when": "later", "at": "2001-01-01T10:00"}, "That time has passed."),
    ],
)
def test_a_bad_schedule_is_named_under_the_time_and_nothing_changes(
    national_organizer_client: Client,
    national_organizer_user: Any,
    everyone: Any,
    data: dict[str, str],
    message: str,
) -> None:
    mailing = _draft(everyone, by=national_organizer_user)
    response = national_organizer_client.post(
        reverse("messaging:mailing_schedule", args=[mailing.pk]), data
    )
    assert response.status_code == 422
    assert message in response.context["schedule_form"].errors["at"][0]
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.DRAFT


def test_cancel_stops_a_mailing_once(
    national_organizer_client: Client, national_organizer_user: Any, everyone: Any
) -> None:
    mailing = _draft(everyone, by=national_organizer_user)
    url = reverse("messaging:mailing_cancel", args=[mailing.pk])
    first = national_organizer_client.post(url, follow=True)
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.CANCELLED
    assert "Cancelled" in first.content.decode()
    again = national_organizer_client.post(url, follow=True)
    assert "This mailing is cancelled." in again.content.decode()


# Contact caps ----------------------------------------------------------------------------

CAP_FIELDS = ("channel", "per_person", "per_household", "window_hours")


def test_contact_caps_are_shown_and_changed_per_channel_by_a_national_admin(
    national_admin_client: Client,
) -> None:
    page = national_admin_client.get(reverse("messaging:frequency_caps"))
    assert page.status_code == 200
    body = page.content.decode()
    for label in ("Email", "Text message", "Phone call", "Postal mail", "Door knock"):
        assert f">{label}</h2>" in body
    response = national_admin_client.post(
        reverse("messaging:frequency_caps"),
        {
            "channel": "mail",
            "mail-per_person": "2",
            "mail-per_household": "3",
            "mail-window_hours": "168",
        },
    )
    assert response.status_code == 302
    cap = ContactCap.objects.get(channel="mail")
    assert (cap.per_person, cap.per_household, cap.window_hours) == (2, 3, 168)
    shown = national_admin_client.get(reverse("messaging:frequency_caps")).content.decode()
    assert "at most <strong>2</strong> per person and <strong>3</strong> per household" in shown


@pytest.mark.parametrize("role", ["national_organizer", "state_admin", "state_director"])
def test_only_national_admins_change_the_caps(role: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(f"{role}_client")
    before = list(ContactCap.objects.values_list(*CAP_FIELDS))
    page = client.get(reverse("messaging:frequency_caps"))
    assert page.status_code == 200
    assert "Only national admins change the caps." in page.content.decode()
    assert "<form" not in page.content.decode().split('class="grid grid-2"')[1]
    response = client.post(
        reverse("messaging:frequency_caps"),
        {"channel": "door", "door-per_person": "1", "door-window_hours": "24"},
    )
    assert response.status_code == 403
    assert list(ContactCap.objects.values_list(*CAP_FIELDS)) == before


def test_the_cap_service_refuses_anyone_but_a_national_admin(
    state_admin_user: Any,
) -> None:
    with pytest.raises(ApplicationError) as raised:
        consent.contact_cap_set(
            actor=state_admin_user,
            channel="door",
            per_person=1,
            per_household=1,
            window_hours=24,
        )
    assert raised.value.code == "contact_caps_national_admins_only"
    assert not ContactCap.objects.filter(channel="door").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email-per_person": "0", "email-window_hours": "24"}, "per_person", "Between 1"),
        (
            {"email-per_person": "2", "email-per_household": "101", "email-window_hours": "24"},
            "per_household",
            "Between 1",
        ),
        ({"email-per_person": "2", "email-window_hours": "9999"}, "window_hours", "31 days"),
        ({"email-per_person": "two", "email-window_hours": "24"}, "per_person", "whole"),
    ],
)
def test_a_bad_cap_is_named_and_the_old_one_stays(
    national_admin_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    before = list(ContactCap.objects.values_list(*CAP_FIELDS))
    response = national_admin_client.post(
        reverse("messaging:frequency_caps"), {"channel": "email", **data}
    )
    assert response.status_code == 422
    (card,) = [c for c in response.context["cards"] if c["channel"] == "email"]
    assert message in card["form"].errors[field][0]
    assert list(ContactCap.objects.values_list(*CAP_FIELDS)) == before


def test_an_unknown_channel_cap_is_refused(national_admin_client: Client) -> None:
    response = national_admin_client.post(reverse("messaging:frequency_caps"), {"channel": "fax"})
    assert response.status_code == 400


def test_the_navigation_has_messaging(national_organizer_client: Client) -> None:
    page = national_organizer_client.get(reverse("messaging:mailings"))
    sections = {section.label: section for section in page.context["nav_items"]}
    assert sections["Messaging"].current is True
    assert sections["Messaging"].url == reverse("messaging:mailings")
    assert [(p.label, p.current) for p in page.context["nav_pages"]] == [
        ("Mailings", True),
        ("List health", False),
    ]
