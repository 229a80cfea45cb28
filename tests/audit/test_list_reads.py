"""Every read of personal data leaves its audit row: a search or a page of a list writes one
row naming how many were shown and what was asked; a mailing's preview logs the recipient it
shows. The log keeps the server's own request id, with the client's beside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.audit.models import AuditEvent
from groundgame.consent import services as consent
from groundgame.people import services as people
from groundgame.people.models import VoterImport, VoterImportRowError
from tests.people.builders import possible_duplicate

pytestmark = pytest.mark.django_db

DURHAM = {"city": "Durham", "state": "NC", "zip5": "27701"}


def _list_reads(entity_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind="read", action=f"{entity_type}.list"))


def test_an_api_search_writes_one_row_with_the_count_and_the_query(
    campaign: Any, organizer_user: Any, organizer_client: Client
) -> None:
    response = organizer_client.get("/api/people/", {"q": "aardvark"})
    assert [p["email"] for p in response.json()] == ["alice@example.com"]
    [event] = _list_reads("people.person")
    assert event.actor == organizer_user
    assert event.summary == "1 shown; query: aardvark"


def test_the_people_page_writes_one_row(campaign: Any, organizer_client: Client) -> None:
    assert organizer_client.get("/people/", {"q": "alice@example.com"}).status_code == 200
    [event] = _list_reads("people.person")
    assert event.summary == "1 shown; query: alice@example.com"


def test_the_match_review_lists_write_one_row_each(campaign: Any, organizer_client: Client) -> None:
    possible_duplicate(DURHAM)
    assert len(organizer_client.get("/api/people/reviews").json()) == 1
    assert organizer_client.get(reverse("people:reviews")).status_code == 200
    assert [e.summary for e in _list_reads("people.matchreview")] == ["1 shown", "1 shown"]


def test_an_import_error_report_writes_one_row(
    campaign: Any, make_staff: Any, client_for: Any
) -> None:
    run = VoterImport.objects.create(
        layout="nc", state="NC", voters_file="ncvoter.txt", fingerprint="x" * 64
    )
    for row in (7, 9):
        VoterImportRowError.objects.create(
            run=run, file="voters", row_number=row, reason="missing", raw="SMITH,JO,12 OAK ST"
        )
    admin = client_for(make_staff("ada", role="admin", unit=campaign.national))
    assert admin.get(f"/people/imports/{run.pk}/errors.csv").status_code == 200
    [event] = _list_reads("people.voterimportrowerror")
    assert event.summary == f"2 shown; query: import run {run.pk}"


def test_a_mailing_preview_logs_the_recipient_it_shows(
    campaign: Any, make_staff: Any, client_for: Any
) -> None:
    everyone = people.universe_save(actor=None, name="Everyone", filters={})
    consent.subscription_join(
        person_id=campaign.alice.pk, channel="email", topic_keys=["volunteering"], source="t"
    )
    user = make_staff("olivia", role="organizer", unit=campaign.national)
    data = {"channel": "email", "topic": "volunteering", "universe": everyone.pk, "body": "Hi"}
    response = client_for(user).post(reverse("messaging:mailing_preview"), data)
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(kind="read", entity_type="people.person")
    assert (event.actor, event.entity_id) == (user, str(campaign.alice.pk))


def test_the_request_id_is_the_servers_with_the_clients_kept_beside_it(
    campaign: Any, organizer_client: Client
) -> None:
    response = organizer_client.get("/api/people/", HTTP_X_REQUEST_ID="client-chosen-id")
    [event] = _list_reads("people.person")
    assert event.request_id == response["X-Request-Id"]
    assert event.request_id != "client-chosen-id"
    assert len(event.request_id) == 32
    assert event.client_request_id == "client-chosen-id"
