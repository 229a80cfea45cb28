"""The audit log: every service write records who, what, when and the before/after of changed
fields; it is append-only through the application and the database; admins browse it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from groundgame.audit import selectors as audit
from groundgame.audit.models import AppendOnlyError, AuditEvent
from groundgame.audit.selectors import AuditFilter
from groundgame.people import services as people

pytestmark = pytest.mark.django_db


def test_an_update_records_who_and_the_before_and_after_of_changed_fields(campaign, make_staff):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    people.person_update(
        actor=olivia, person_id=campaign.alice.pk, email="alice@example.net", first_name="Alice"
    )
    event = audit.audit_event_list(AuditFilter(action="person.update")).get()
    assert event.actor_label == "olivia"
    assert event.kind == "update"
    assert event.entity_id == str(campaign.alice.pk)
    # Only what changed, with both values.
    assert event.changes == {"email": ["alice@example.com", "alice@example.net"]}
    assert abs((event.at - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_an_update_that_changes_nothing_writes_no_event(campaign, make_staff):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    people.person_update(actor=olivia, person_id=campaign.alice.pk, first_name="Alice")
    assert not audit.audit_event_list(AuditFilter(action="person.update")).exists()


def test_creates_are_recorded_with_their_values(campaign):
    event = audit.audit_event_list(
        AuditFilter(action="person.create", entity_id=str(campaign.bob.pk))
    ).get()
    assert event.actor_label == "system"
    assert event.changes["last_name"] == [None, "Bittern"]


def test_events_cannot_be_changed_or_deleted_through_the_application(campaign):
    event = AuditEvent.objects.first()
    assert event is not None
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_to_change_an_event_even_with_raw_sql(campaign):
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["forged", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).summary != "forged"


def test_a_failed_write_leaves_no_audit_row(campaign, make_staff):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    before = AuditEvent.objects.count()
    with pytest.raises(Exception, match="email"):
        people.person_update(actor=olivia, person_id=campaign.alice.pk, email="not-an-email")
    assert AuditEvent.objects.count() == before


def test_admins_browse_and_filter_the_log(campaign, make_staff, client_for):
    admin = make_staff("ada", role="admin", unit=campaign.national)
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    client_for(olivia).get(f"/people/{campaign.alice.pk}/")

    client = client_for(admin)
    page = client.get("/audit/", {"actor": "olivia", "kind": "read"})
    assert page.status_code == 200
    assert b"people.person.read" in page.content
    assert b"person.create" not in page.content

    everything = client.get("/audit/")
    assert b"person.create" in everything.content


def test_the_log_is_for_national_admins_only(campaign, make_staff, client_for):
    for role, unit in [("organizer", campaign.national), ("admin", campaign.nc)]:
        assert client_for(make_staff(role=role, unit=unit)).get("/audit/").status_code == 403


def test_a_reversed_date_range_is_a_field_error_not_a_500(campaign, make_staff, client_for):
    client = client_for(make_staff(role="admin", unit=campaign.national))
    page = client.get("/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert page.status_code == 400
    assert b"The end date is before the start date." in page.content
    page = client.get("/audit/", {"since": "yesterday"})
    assert page.status_code == 400
    assert b"Enter a valid date" in page.content


def test_the_raw_data_admin_shows_the_log_but_cannot_change_it(campaign, make_staff, client_for):
    root = client_for(make_staff("root", role="admin", unit=campaign.national, superuser=True))
    assert root.get("/admin/audit/auditevent/").status_code == 200
    event = AuditEvent.objects.first()
    assert event is not None
    assert root.get("/admin/audit/auditevent/add/").status_code == 403
    deleted = root.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
