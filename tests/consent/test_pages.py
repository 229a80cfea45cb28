"""Consent pages through HTTP: a person's consent on their page, changed by staff on their
behalf (all or nothing, recorded as "staff"), do-not-contact set and lifted with a reason,
the topics page, and the public unsubscribe page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.consent import links
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import ConsentEvent, DoNotContact, Subscription, Topic
from groundgame.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def director_client(
    make_staff: Callable[..., Any], client_for: Callable[[Any], Client], campaign: Any
) -> Client:
    """Nadia, a director of the national unit."""
    return client_for(make_staff("nadia", role="director", unit=campaign.national))


def _statuses(person: Any) -> dict[tuple[str, str], str]:
    return {
        (s.channel, s.topic.key): s.status
        for s in Subscription.objects.filter(person=person).select_related("topic")
    }


def _subscriptions_url(person: Any) -> str:
    return reverse("consent:person_subscriptions", args=[person.pk])


def _dnc_url(person: Any) -> str:
    return reverse("consent:person_do_not_contact", args=[person.pk])


# Who may do what -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(campaign: Any) -> None:
    client = Client()
    for response in (
        client.get(reverse("consent:topics")),
        client.post(_subscriptions_url(campaign.alice), {"sub:email:news": "subscribed"}),
        client.post(_dnc_url(campaign.alice), {"action": "set", "reason": "asked"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Subscription.objects.exists()
    assert not DoNotContact.objects.exists()


def test_people_outside_the_staff_members_units_are_not_found(
    organizer_client: Client, campaign: Any
) -> None:
    # Bob is in the Piedmont Triad; the organizer works the Triangle.
    response = organizer_client.post(
        _subscriptions_url(campaign.bob), {"sub:email:news": "subscribed"}
    )
    assert response.status_code == 404
    response = organizer_client.post(_dnc_url(campaign.bob), {"action": "set", "reason": "asked"})
    assert response.status_code == 404
    assert not Subscription.objects.exists()
    assert not DoNotContact.objects.exists()


# The person page -------------------------------------------------------------------------


def test_the_person_page_shows_consent_per_channel_and_topic_with_history(
    organizer_client: Client, campaign: Any
) -> None:
    alice = campaign.alice
    consent.subscription_join(
        person_id=alice.pk, channel="email", topic_keys=["volunteering"], source="signup_form:1"
    )
    consent.channel_leave(person_id=alice.pk, channel="sms", source="unsubscribe_page")
    consent.address_suppress(
        channel="email", address=alice.email, reason="bounced", source="webhook:email"
    )
    page = organizer_client.get(reverse("people:detail", args=[alice.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="consent-heading"' in html
    assert (
        '<select name="sub:email:volunteering" aria-label="Email, Volunteering">\n'
        "                \n"
        '                <option value="subscribed" selected>Subscribed</option>'
    ) in html
    assert 'title="Left the whole channel">Left</span>' in html
    assert "Hard bounce" in html
    assert "via signup_form:1" in html
    assert "via unsubscribe_page" in html


def test_staff_change_subscriptions_on_the_persons_behalf(
    organizer_client: Client, organizer_user: Any, campaign: Any
) -> None:
    alice = campaign.alice
    consent.subscription_join(
        person_id=alice.pk, channel="email", topic_keys=["fundraising"], source="signup_form:1"
    )
    response = organizer_client.post(
        _subscriptions_url(alice),
        {
            "sub:email:volunteering": "subscribed",
            "sub:email:fundraising": "unsubscribed",
            "sub:email:news": "",
            "sub:phone:fundraising": "unsubscribed",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[alice.pk]) + "#consent"
    assert _statuses(alice) == {
        ("email", "volunteering"): "subscribed",
        ("email", "fundraising"): "unsubscribed",
        ("phone", "fundraising"): "unsubscribed",
    }
    staffed = ConsentEvent.objects.filter(person=alice, source="staff")
    assert staffed.count() == 3
    assert set(staffed.values_list("actor", flat=True)) == {organizer_user.pk}
    page = organizer_client.get(response["Location"]).content.decode()
    assert "Saved 3 changes of subscription." in page


def test_an_unknown_topic_changes_nothing_at_all(organizer_client: Client, campaign: Any) -> None:
    response = organizer_client.post(
        _subscriptions_url(campaign.alice),
        {"sub:email:volunteering": "subscribed", "sub:email:astrology": "subscribed"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was changed: Unknown topic &#x27;astrology&#x27;." in (
        response.content.decode()
    )
    assert not Subscription.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_an_unknown_choice_is_refused(organizer_client: Client, campaign: Any) -> None:
    response = organizer_client.post(
        _subscriptions_url(campaign.alice), {"sub:email:news": "maybe"}
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_do_not_contact_needs_a_reason_to_be_set_and_to_be_lifted(
    organizer_client: Client, campaign: Any
) -> None:
    alice = campaign.alice
    page = organizer_client.post(_dnc_url(alice), {"action": "set", "reason": " "}, follow=True)
    assert "Not saved: Say why" in page.content.decode()
    assert not DoNotContact.objects.exists()

    organizer_client.post(_dnc_url(alice), {"action": "set", "reason": "Asked at the door"})
    row = DoNotContact.objects.get(person=alice)
    assert (row.reason, row.source) == ("Asked at the door", "staff")
    page = organizer_client.get(reverse("people:detail", args=[alice.pk])).content.decode()
    assert "Do not contact" in page
    assert "“Asked at the door”" in page
    topic = consent_selectors.topic_get("transactional")
    assert topic is not None
    decision = consent_selectors.contact_decision(person_id=alice.pk, channel="email", topic=topic)
    assert decision.reason == "do_not_contact"

    page = organizer_client.post(_dnc_url(alice), {"action": "clear", "reason": ""}, follow=True)
    assert "Not saved: Say why the person may be contacted again." in page.content.decode()
    assert DoNotContact.objects.filter(person=alice).exists()
    organizer_client.post(_dnc_url(alice), {"action": "clear", "reason": "Called back to rejoin"})
    assert not DoNotContact.objects.filter(person=alice).exists()
    assert list(
        ConsentEvent.objects.filter(person=alice).order_by("pk").values_list("action", flat=True)
    ) == ["do_not_contact", "contact_allowed"]


def test_an_unknown_do_not_contact_action_is_refused(
    organizer_client: Client, campaign: Any
) -> None:
    response = organizer_client.post(_dnc_url(campaign.alice), {"action": "maybe", "reason": "x"})
    assert response.status_code == 400


# Topics ----------------------------------------------------------------------------------


@pytest.fixture
def national_admin_client(
    make_staff: Callable[..., Any], client_for: Callable[[Any], Client], campaign: Any
) -> Client:
    """Ada, an admin of the national unit: campaign-wide settings are hers."""
    return client_for(make_staff("ada", role="admin", unit=campaign.national))


def test_national_admins_add_a_topic(national_admin_client: Client) -> None:
    page = national_admin_client.get(reverse("consent:topics"))
    assert page.status_code == 200
    assert "Voting information" in page.content.decode()
    response = national_admin_client.post(
        reverse("consent:topics"),
        {"key": "gotv", "name": "Get out the vote", "description": "Election week reminders"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(key="gotv")
    assert (topic.name, topic.transactional) == ("Get out the vote", False)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "Bad Key!", "name": "Bad"}, "key", "lowercase letters"),
        ({"key": "news", "name": "Again"}, "key", "exists already"),
        ({"key": "gotv", "name": ""}, "name", "Give the topic a name."),
    ],
)
def test_a_bad_topic_is_named_under_its_field_and_not_added(
    national_admin_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    before = Topic.objects.count()
    response = national_admin_client.post(reverse("consent:topics"), data)
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert Topic.objects.count() == before


def test_only_national_admins_add_topics(
    organizer_client: Client, director_client: Client, campaign: Any, make_staff: Any
) -> None:
    for client in (organizer_client, director_client):
        page = client.get(reverse("consent:topics"))
        assert page.status_code == 200
        assert "Add topic" not in page.content.decode()
        response = client.post(reverse("consent:topics"), {"key": "gotv", "name": "GOTV"})
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        consent.topic_create(
            actor=make_staff("dee", role="director", unit=campaign.national), key="gotv", name="x"
        )
    assert not Topic.objects.filter(key="gotv").exists()


# The public unsubscribe page -------------------------------------------------------------


def test_the_unsubscribe_page_leaves_one_topic_and_keeps_the_rest(
    campaign: Any, settings: Any
) -> None:
    alice = campaign.alice
    consent.subscription_join(
        person_id=alice.pk,
        channel="email",
        topic_keys=["volunteering", "fundraising", "voting_info"],
        source="signup_form:1",
    )
    token = links.unsubscribe_token(person_id=alice.pk, channel="email", topic_key="fundraising")
    url = reverse("consent:unsubscribe", args=[token])
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert settings.GROUNDGAME_ORGANIZATION in html
    assert 'value="fundraising" checked data-this-message' in html
    response = Client().post(url, {"choice": "topics", "keep": ["volunteering", "voting_info"]})
    assert response.status_code == 200
    assert "Saved. You will hear from us only about what is ticked below." in (
        response.content.decode()
    )
    assert _statuses(alice) == {
        ("email", "volunteering"): "subscribed",
        ("email", "voting_info"): "subscribed",
        ("email", "fundraising"): "unsubscribed",
    }


def test_a_cut_link_gets_a_page_that_says_so(campaign: Any) -> None:
    response = Client().get(reverse("consent:unsubscribe", args=["not-a-token"]))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
