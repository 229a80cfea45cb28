"""Personal data stays in scope: staff see people only inside their org units, aggregates are
visible to all staff, and every read of a person's record is logged."""

from __future__ import annotations

import pytest

from groundgame.audit import selectors as audit
from groundgame.audit.selectors import AuditFilter
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db


def reads_of(person_id: int, username: str) -> int:
    return audit.audit_event_list(
        AuditFilter(
            kind="read", entity_type="people.person", entity_id=str(person_id), actor=username
        )
    ).count()


def test_organizer_of_one_region_cannot_open_a_person_in_another(campaign, make_staff, client_for):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    client = client_for(olivia)

    page = client.get(f"/people/{campaign.bob.pk}/")
    assert page.status_code == 404
    assert b"Bittern" not in page.content

    api = client.get(f"/api/people/{campaign.bob.pk}")
    assert_api_error(api, 404, "person_not_found")
    # A refused read shows nothing, so nothing is logged as read.
    assert reads_of(campaign.bob.pk, "olivia") == 0


def test_organizer_opens_a_person_in_their_region_and_the_read_is_logged(
    campaign, make_staff, client_for
):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    client = client_for(olivia)

    page = client.get(f"/people/{campaign.alice.pk}/")
    assert page.status_code == 200
    assert b"Aardvark" in page.content
    assert reads_of(campaign.alice.pk, "olivia") == 1

    api = client.get(f"/api/people/{campaign.alice.pk}")
    assert api.status_code == 200
    assert api.json()["last_name"] == "Aardvark"
    assert reads_of(campaign.alice.pk, "olivia") == 2


def test_every_staff_role_sees_aggregates_for_the_whole_campaign(campaign, make_staff, client_for):
    for role, unit in [
        ("organizer", campaign.piedmont),
        ("analyst", campaign.nc),
        ("volunteer_leader", campaign.durham),
    ]:
        client = client_for(make_staff(role=role, unit=unit))
        assert client.get("/").status_code == 200
        units = client.get("/api/organizing/units")
        assert units.status_code == 200
        names = {u["name"] for u in units.json()}
        # Units outside their own scope are part of the aggregate view too.
        assert {"Triangle", "Piedmont Triad", "Guilford", "Durham"} <= names
        assert client.get("/organizing/").status_code == 200


def test_people_search_lists_only_people_in_scope(campaign, make_staff, client_for):
    client = client_for(make_staff(role="organizer", unit=campaign.piedmont))
    listed = client.get("/api/people/").json()
    assert [p["last_name"] for p in listed] == ["Bittern"]
    page = client.get("/people/")
    assert b"Bittern" in page.content
    assert b"Aardvark" not in page.content


def test_analyst_works_on_aggregates_only(campaign, make_staff, client_for):
    client = client_for(make_staff(role="analyst", unit=campaign.national))
    assert client.get(f"/people/{campaign.alice.pk}/").status_code == 404
    assert client.get("/api/people/").json() == []


def test_national_director_sees_everyone_including_unplaced_people(
    campaign, make_staff, client_for
):
    client = client_for(make_staff(role="director", unit=campaign.national))
    for person in (campaign.alice, campaign.bob, campaign.nobody):
        assert client.get(f"/people/{person.pk}/").status_code == 200


def test_state_director_does_not_see_people_in_no_unit(campaign, make_staff, client_for):
    client = client_for(make_staff(role="director", unit=campaign.nc))
    assert client.get(f"/people/{campaign.bob.pk}/").status_code == 200
    assert client.get(f"/people/{campaign.nobody.pk}/").status_code == 404


def test_account_without_role_is_refused_and_anonymous_is_sent_to_sign_in(
    campaign, make_staff, client_for
):
    client = client_for(make_staff("norole"))
    assert client.get("/").status_code == 403
    assert client.get(f"/people/{campaign.alice.pk}/").status_code == 403
    api = client.get("/api/people/")
    assert_api_error(api, 401, "not_authenticated")

    from django.test import Client

    anonymous = Client()
    response = anonymous.get(f"/people/{campaign.alice.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_editing_a_person_outside_scope_is_refused_without_a_write(
    campaign, make_staff, client_for
):
    client = client_for(make_staff(role="organizer", unit=campaign.triangle))
    response = client.patch(
        f"/api/people/{campaign.bob.pk}", {"last_name": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 404
    campaign.bob.refresh_from_db()
    assert campaign.bob.last_name == "Bittern"
