"""Bad input at the people API: a 4xx with a stable code naming the field, no partial write."""

from __future__ import annotations

import pytest

from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "last_name": "Changed"}, "email"),
        ({"phone": "12", "last_name": "Changed"}, "phone"),
        ({"birth_date": "2999-01-01", "last_name": "Changed"}, "birth_date"),
        ({"last_name": "x" * 300}, "last_name"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(campaign, organizer_client, payload, field):
    response = organizer_client.patch(
        f"/api/people/{campaign.alice.pk}", payload, content_type="application/json"
    )
    assert_api_error(response, 422, "person_invalid", field)
    campaign.alice.refresh_from_db()
    assert campaign.alice.last_name == "Aardvark"


def test_a_malformed_date_is_a_422_naming_the_field(campaign, organizer_client):
    response = organizer_client.patch(
        f"/api/people/{campaign.alice.pk}",
        {"birth_date": "yesterday"},
        content_type="application/json",
    )
    assert_api_error(response, 422, "validation_failed", "birth_date")


def test_a_body_that_is_not_json_is_a_4xx(campaign, organizer_client):
    response = organizer_client.patch(
        f"/api/people/{campaign.alice.pk}", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500


def test_a_good_patch_normalizes_and_is_returned(campaign, organizer_client):
    response = organizer_client.patch(
        f"/api/people/{campaign.alice.pk}",
        {"phone": "(919) 555-0142", "email": " Alice@Example.COM "},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "+19195550142"
    assert response.json()["email"] == "alice@example.com"


def test_the_openapi_schema_describes_the_people_api(organizer_client):
    schema = organizer_client.get("/api/openapi.json").json()
    assert "/api/people/{person_id}" in schema["paths"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("aard", ["Aardvark"]),
        ("AARDVARK", ["Aardvark"]),
        ("alice aardvark", ["Aardvark"]),
        ("bob aardvark", []),
        ("ALICE@example.com", ["Aardvark"]),
        ("(919) 555-0142", ["Aardvark"]),
        ("+1 919 555 0142", ["Aardvark"]),
        ("0142", []),
        ("zebra", []),
    ],
)
def test_search_by_last_name_full_name_email_or_phone(
    campaign, make_staff, client_for, query, found
):
    from groundgame.people import services as people

    people.person_update(actor=None, person_id=campaign.alice.pk, phone="9195550142")
    client = client_for(make_staff(role="director", unit=campaign.national))
    listed = client.get("/api/people/", {"q": query}).json()
    assert [p["last_name"] for p in listed] == found
