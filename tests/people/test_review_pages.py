"""The identity-resolution pages and API: the review queue, comparing two records, merging,
keeping apart and undoing, within the staff member's units, with bad input answered by a
4xx naming the field."""

from __future__ import annotations

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.people import services as people
from groundgame.people.models import ExternalId, MatchReview, Person, PersonMerge
from tests.helpers import assert_api_error
from tests.people.builders import possible_duplicate

pytestmark = pytest.mark.django_db

DURHAM = {"city": "Durham", "state": "NC", "zip5": "27701"}


@pytest.fixture
def review(campaign):
    """A possible duplicate in Durham: a nickname, a transposed birth date, the same ZIP."""
    existing, intake = possible_duplicate(DURHAM)
    people.external_id_link(
        actor=None, person_id=existing.pk, system="ngpvan", external_id="VAN-1001"
    )
    assert existing.org_unit_id == campaign.durham.pk
    return intake.review


@pytest.fixture
def outsider_client(campaign, make_staff, client_for):
    """An organizer in another region, who may not see the Durham pair."""
    return client_for(make_staff("piet", role="organizer", unit=campaign.piedmont))


# The queue -----------------------------------------------------------------------------


def test_the_queue_lists_open_reviews_in_scope(review, organizer_client):
    response = organizer_client.get("/people/reviews/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bill Hughes" in page
    assert "William Hughes" in page
    assert "sign-up form" in page
    assert f"/people/reviews/{review.pk}/" in page
    assert f'value="{review.score:.3f}"' in page


def test_the_queue_is_empty_outside_scope(review, outsider_client):
    response = outsider_client.get("/people/reviews/")
    assert response.status_code == 200
    assert "Nothing to review" in response.content.decode()
    assert "Bill Hughes" not in response.content.decode()


def test_the_people_page_links_the_queue_with_its_count(review, organizer_client, outsider_client):
    page = organizer_client.get("/people/").content.decode()
    assert 'href="/people/reviews/"' in page
    assert 'count-pill count-pill-due">1<' in page
    assert 'count-pill">0<' in outsider_client.get("/people/").content.decode()


def test_the_queue_pages(campaign, organizer_client):
    base = people.person_create(
        actor=None, first_name="Ann", last_name="Lee", org_unit_id=campaign.durham.pk
    )
    for n in range(30):
        other = people.person_create(
            actor=None, first_name=f"Ann{n}", last_name="Lee", org_unit_id=campaign.durham.pk
        )
        MatchReview.objects.create(person=other, candidate=base, score=0.5 + n / 100)
    first = organizer_client.get("/people/reviews/").content.decode()
    assert "Ann29 Lee" in first
    assert "Showing 1\u201325 of 30" in first
    second = organizer_client.get("/people/reviews/?page=2").content.decode()
    assert "Ann0 Lee" in second
    assert "Ann29 Lee" not in second
    assert organizer_client.get("/people/reviews/?page=zzz").status_code == 200


def test_staff_pages_need_a_staff_role(review, make_staff, client_for, client):
    assert client.get("/people/reviews/").status_code == 302
    nobody = client_for(make_staff("norole"))
    assert nobody.get("/people/reviews/").status_code == 403
    assert nobody.get(f"/people/reviews/{review.pk}/").status_code == 403


# Comparing -----------------------------------------------------------------------------


def test_the_compare_page_shows_the_evidence_and_logs_both_reads(review, organizer_client):
    reads_before = AuditEvent.objects.filter(kind="read").count()
    response = organizer_client.get(f"/people/reviews/{review.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Bill” and “William” are forms of one name" in page
    assert "Digits transposed, or day and month swapped" in page
    assert "Same ZIP code, different street" in page
    assert "compare-differ" in page  # the emails
    assert "Not on file" in page  # no phone on either record
    assert f"Merge into {review.person.full_name}" in page
    assert f"Merge into {review.candidate.full_name}" in page
    assert "Not the same person" in page
    read = AuditEvent.objects.filter(kind="read").order_by("pk")[reads_before:]
    assert {int(e.entity_id) for e in read} == {review.person_id, review.candidate_id}


def test_compare_is_404_outside_scope_or_unknown(review, outsider_client, organizer_client):
    assert outsider_client.get(f"/people/reviews/{review.pk}/").status_code == 404
    assert organizer_client.get("/people/reviews/999999/").status_code == 404


# Deciding ------------------------------------------------------------------------------


def test_merge_from_the_compare_page_then_undo_it(review, organizer_client):
    survivor, absorbed = review.candidate_id, review.person_id
    response = organizer_client.post(
        f"/people/reviews/{review.pk}/decide/", {"decision": "merge", "survivor_id": survivor}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{survivor}/"
    assert Person.objects.get(pk=absorbed).merged_into_id == survivor
    page = organizer_client.get(f"/people/{survivor}/").content.decode()
    assert "Merged Bill Hughes into William Hughes" in page
    assert "Absorbed" in page
    assert "Undo merge" in page
    assert "Bill" not in organizer_client.get("/people/?q=hughes").content.decode()
    assert "VAN-1001" in page  # the crosswalk card
    merge = PersonMerge.objects.get(absorbed_id=absorbed)
    absorbed_page = organizer_client.get(f"/people/{absorbed}/").content.decode()
    assert "Merged into" in absorbed_page
    assert f"/people/merges/{merge.pk}/undo/" in absorbed_page

    response = organizer_client.post(f"/people/merges/{merge.pk}/undo/", {"person_id": survivor})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{absorbed}/"
    assert Person.objects.get(pk=absorbed).merged_into_id is None
    assert (
        "is a record of their own again"
        in organizer_client.get(f"/people/{absorbed}/").content.decode()
    )
    assert "Bill Hughes" in organizer_client.get("/people/?q=hughes").content.decode()
    assert "Undo merge" not in organizer_client.get(f"/people/{survivor}/").content.decode()

    again = organizer_client.post(
        f"/people/merges/{merge.pk}/undo/", {"person_id": survivor}, follow=True
    )
    assert again.status_code == 200
    assert "already undone" in again.content.decode()


def test_not_the_same_person_closes_the_review(review, organizer_client):
    response = organizer_client.post(
        f"/people/reviews/{review.pk}/decide/", {"decision": "distinct"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/people/reviews/"
    review.refresh_from_db()
    assert review.status == MatchReview.Status.DISTINCT
    assert Person.objects.filter(merged_into__isnull=False).count() == 0
    # Sent twice (a double click): said so, not an error page.
    again = organizer_client.post(
        f"/people/reviews/{review.pk}/decide/", {"decision": "distinct"}, follow=True
    )
    assert again.status_code == 200
    assert "already decided" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose to merge the records or keep them apart."),
        ({"decision": "maybe"}, "Select a valid choice"),
        ({"decision": "merge"}, "Choose which of the two records to keep."),
        ({"decision": "merge", "survivor_id": "abc"}, "Enter a whole number."),
        ({"decision": "merge", "survivor_id": "999999"}, "The survivor must be one of the two"),
    ],
)
def test_bad_decisions_are_named_and_change_nothing(review, organizer_client, data, message):
    response = organizer_client.post(f"/people/reviews/{review.pk}/decide/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The decision was not saved" in page
    assert message in page
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN
    assert not PersonMerge.objects.exists()


def test_deciding_outside_scope_is_404_and_changes_nothing(review, outsider_client):
    response = outsider_client.post(
        f"/people/reviews/{review.pk}/decide/", {"decision": "distinct"}
    )
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN


def test_undo_needs_post_scope_and_the_form(review, organizer_client, outsider_client):
    merge = people.person_merge(
        actor=None, survivor_id=review.candidate_id, absorbed_id=review.person_id
    )
    url = f"/people/merges/{merge.pk}/undo/"
    assert organizer_client.get(url).status_code == 405
    assert organizer_client.post(url, {}).status_code == 400
    assert outsider_client.post(url, {"person_id": review.person_id}).status_code == 404
    assert organizer_client.post("/people/merges/999999/undo/", {"person_id": 1}).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


# The API -------------------------------------------------------------------------------

INTAKE = {
    "first_name": "Rosa",
    "last_name": "Parkes",
    "email": "rosa@example.org",
    "phone": "(919) 555-0177",
    "birth_date": "1975-02-04",
    "source": "mobilize sync",
    "street": "12 Oak St",
    **DURHAM,
}


def test_find_or_create_is_idempotent_under_retry(campaign, organizer_client):
    payload = {**INTAKE, "external_system": "mobilize", "external_id": "M-77"}
    first = organizer_client.post(
        "/api/people/find-or-create", payload, content_type="application/json"
    )
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True
    assert body["review_id"] is None
    second = organizer_client.post(
        "/api/people/find-or-create", payload, content_type="application/json"
    )
    assert second.status_code == 200
    assert second.json()["person_id"] == body["person_id"]
    assert second.json()["created"] is False
    # A retry that lost the external id still finds the person by the match.
    third = organizer_client.post(
        "/api/people/find-or-create", INTAKE, content_type="application/json"
    )
    assert third.json()["person_id"] == body["person_id"]
    assert Person.objects.filter(last_name="Parkes").count() == 1
    assert ExternalId.objects.get(external_id="M-77").person_id == body["person_id"]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"first_name": ""}, 422, "person_invalid", "first_name"),
        ({"email": "not-an-email"}, 422, "person_invalid", "email"),
        ({"phone": "12"}, 422, "person_invalid", "phone"),
        ({"zip5": "2770"}, 422, "person_invalid", "zip5"),
        ({"state": "North Carolina"}, 422, "person_invalid", "state"),
        ({"birth_date": "2999-01-01"}, 422, "person_invalid", "birth_date"),
        ({"birth_date": "yesterday"}, 422, "validation_failed", "birth_date"),
        ({"external_system": "myspace", "external_id": "1"}, 422, "external_id_invalid", "system"),
        ({"external_system": "ngpvan"}, 422, "external_id_invalid", "external_id"),
        ({"external_id": "123"}, 422, "external_id_invalid", "external_system"),
        ({"last_name": None}, 422, "validation_failed", "last_name"),
    ],
)
def test_find_or_create_bad_input(campaign, organizer_client, change, status, code, field):
    before = Person.objects.count()
    response = organizer_client.post(
        "/api/people/find-or-create", {**INTAKE, **change}, content_type="application/json"
    )
    assert_api_error(response, status, code, field)
    assert Person.objects.count() == before


def test_find_or_create_a_known_external_id_finds_its_person(review, organizer_client):
    payload = {**INTAKE, "external_system": "ngpvan", "external_id": "VAN-1001"}
    response = organizer_client.post(
        "/api/people/find-or-create", payload, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["person_id"] == review.candidate_id
    assert not Person.objects.filter(last_name="Parkes").exists()


def test_find_or_create_needs_a_json_body(campaign, organizer_client):
    response = organizer_client.post(
        "/api/people/find-or-create", "{nope", content_type="application/json"
    )
    assert 400 <= response.status_code < 500


def test_api_review_list_is_scoped(review, organizer_client, outsider_client):
    response = organizer_client.get("/api/people/reviews")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == review.pk
    assert row["person"]["full_name"] == "Bill Hughes"
    assert row["evidence"]["first_name"]["level"] == "nickname"
    assert outsider_client.get("/api/people/reviews").json() == []


def test_api_decide_merge_then_undo(review, organizer_client):
    response = organizer_client.post(
        f"/api/people/reviews/{review.pk}/decide",
        {"decision": "merge", "survivor_id": review.candidate_id},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "merged"
    assert body["merge_id"] is not None
    again = organizer_client.post(
        f"/api/people/reviews/{review.pk}/decide",
        {"decision": "distinct"},
        content_type="application/json",
    )
    assert_api_error(again, 409, "review_decided")

    undo = organizer_client.post(f"/api/people/merges/{body['merge_id']}/undo")
    assert undo.status_code == 200
    assert undo.json()["undone_at"] is not None
    assert Person.objects.get(pk=review.person_id).merged_into_id is None
    twice = organizer_client.post(f"/api/people/merges/{body['merge_id']}/undo")
    assert_api_error(twice, 409, "merge_invalid")


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"decision": "maybe"}, 422, "review_invalid", "decision"),
        ({"decision": "merge"}, 422, "merge_invalid", "survivor_id"),
        ({"decision": "merge", "survivor_id": 999999}, 422, "merge_invalid", "survivor_id"),
        ({"survivor_id": 1}, 422, "validation_failed", "decision"),
    ],
)
def test_api_decide_bad_input(review, organizer_client, payload, status, code, field):
    response = organizer_client.post(
        f"/api/people/reviews/{review.pk}/decide", payload, content_type="application/json"
    )
    assert_api_error(response, status, code, field)
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN


def test_api_scope_and_unknown_ids(review, organizer_client, outsider_client):
    decide = {"decision": "distinct"}
    response = outsider_client.post(
        f"/api/people/reviews/{review.pk}/decide", decide, content_type="application/json"
    )
    assert_api_error(response, 404, "person_not_found")
    response = organizer_client.post(
        "/api/people/reviews/999999/decide", decide, content_type="application/json"
    )
    assert_api_error(response, 404, "review_not_found")
    response = organizer_client.post("/api/people/merges/999999/undo")
    assert_api_error(response, 404, "merge_not_found")
    merge = people.person_merge(
        actor=None, survivor_id=review.candidate_id, absorbed_id=review.person_id
    )
    response = outsider_client.post(f"/api/people/merges/{merge.pk}/undo")
    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
