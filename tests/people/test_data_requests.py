"""A person's requests about their data: the export holds every app's part, an erasure leaves
no personal value in any row about them while keeping them suppressed, and only national
admins may do either, each leaving its audit row."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone

from groundgame.audit.models import AuditEvent
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import SuppressedAddress
from groundgame.core.errors import PermissionDenied
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.field.models import CanvassAnswer, CanvassResult
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people
from groundgame.people.models import Person
from groundgame.volunteers.models import (
    FollowUp,
    FollowUpAttempt,
    Membership,
    SignupForm,
    SignupSubmission,
)
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list
from tests.field.test_canvass_sync import result, sync

EMAIL = "maya.lopez@example.net"
PHONE = "+19195550147"
NOTE = "Maya said her landlord Mr Quill is raising rent"
ANSWER = "Maya worries about rent on Chapel Hill St"


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham, doors=2)


@pytest.fixture
def maya(canvass: Canvass, campaign: Campaign, client: Client) -> Person:
    """A resident of the list's first door, known to every app: subscribed by email, a
    volunteer who signed up and was called, with an RSVP, a mailing sent to her, and a door
    knock with a note and a free-text answer about her."""
    person = canvass.people[canvass.door(0).pk][0]
    people.person_update(
        actor=None, person_id=person.pk, email=EMAIL, phone=PHONE, birth_date=dt.date(1988, 3, 9)
    )
    consent.subscription_join(
        person_id=person.pk, channel="email", topic_keys=["volunteering"], source="signup_form:1"
    )
    now = timezone.now()
    form = SignupForm.objects.create(title="Join us", slug="join-us", org_unit=campaign.durham)
    submission = SignupSubmission.objects.create(
        form=form,
        idempotency_key="k1",
        person=person,
        payload={"first_name": "Maya", "email": EMAIL, "phone": PHONE},
        answers={"why": ANSWER},
        created_at=now,
    )
    follow_up = FollowUp.objects.create(
        person=person, org_unit=campaign.durham, submission=submission
    )
    FollowUpAttempt.objects.create(follow_up=follow_up, made_at=now, outcome="reached", note=NOTE)
    Membership.objects.create(person=person, org_unit=campaign.durham)
    event = Event.objects.create(
        title="Durham canvass kickoff", slug="kickoff", kind="canvass", org_unit=campaign.durham
    )
    shift = Shift.objects.create(event=event, starts_at=now, ends_at=now + dt.timedelta(hours=2))
    ShiftSignup.objects.create(shift=shift, person=person, status="confirmed", cancel_token="t1")
    topic = consent_selectors.topic_get("volunteering")
    mailing = Mailing.objects.create(name="October", channel="email", topic=topic, body="Hi")
    Send.objects.create(
        mailing=mailing, person=person, channel="email", topic=topic, address=EMAIL, queued_at=now
    )
    row = result(canvass, 0, person_id=person.pk, outcome="talked", notes=NOTE)
    assert sync(client, canvass.code, [row])["results"][0]["status"] == "accepted"
    CanvassAnswer.objects.create(
        result=CanvassResult.objects.get(client_id=row["client_id"]), question="issue", text=ANSWER
    )
    person.refresh_from_db()
    return person


@pytest.fixture
def national_admin(make_staff: Any, campaign: Campaign) -> Any:
    return make_staff("nadia", role="admin", unit=campaign.national)


def test_the_export_holds_every_apps_part(maya: Person, national_admin: Any) -> None:
    document = people.person_export(actor=national_admin, person_id=maya.pk)
    # It is what a file would hold: JSON through and through.
    document = json.loads(json.dumps(document))
    assert document["person"]["email"] == EMAIL
    assert document["household"]["street"] == "100 Chapel Hill St"
    assert [s["topic"] for s in document["consent"]["subscriptions"]] == ["volunteering"]
    assert document["consent"]["history"][0]["action"] == "subscribe"
    assert document["volunteers"]["signups"][0]["payload"]["email"] == EMAIL
    assert document["volunteers"]["follow_ups"][0]["calls"][0]["note"] == NOTE
    assert document["volunteers"]["memberships"][0]["org_unit"] == "Durham"
    assert document["events"]["rsvps"][0]["event"] == "Durham canvass kickoff"
    assert document["messaging"]["sends"][0]["address"] == EMAIL
    [door] = document["field"]["canvass_results"]
    assert door["notes"] == NOTE
    assert door["answers"][0]["text"] == ANSWER
    assert {e["action"] for e in document["audit"]} >= {"person.create", "person.update"}
    export = AuditEvent.objects.get(action="person.export")
    assert (export.actor, export.entity_id, export.kind) == (national_admin, str(maya.pk), "read")


def _text_values(row: models.Model) -> list[str]:
    """Every text and JSON value of a row, as text."""
    values = []
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.JSONField):
            values.append(json.dumps(value))
        elif isinstance(value, str):
            values.append(value)
    return values


def _rows_about(person_id: int) -> list[models.Model]:
    """Every row of every model that points at the person, the person's own, and the audit
    log's events."""
    rows: list[models.Model] = [Person.objects.get(pk=person_id)]
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Person:
                rows.extend(model._default_manager.filter(**{field.name: person_id}))
    for model, path in ((FollowUpAttempt, "follow_up__person"), (CanvassAnswer, "result__person")):
        rows.extend(model._default_manager.filter(**{path: person_id}))
    rows.extend(AuditEvent.objects.all())
    return rows


def test_an_erasure_leaves_no_personal_value_and_keeps_them_suppressed(
    maya: Person, national_admin: Any, canvass: Canvass, client: Client
) -> None:
    personal = [EMAIL, PHONE, "Maya Lopez", "1988-03-09", "100 Chapel Hill St", NOTE, ANSWER]
    people.person_erase(actor=national_admin, person_id=maya.pk, reason="Email of 3 Oct 2026")

    for row in _rows_about(maya.pk):
        for text in _text_values(row):
            for value in personal:
                assert value.lower() not in text.lower(), (row._meta.label, text)
    erased = Person.objects.get(pk=maya.pk)
    assert erased.household_id is None
    assert erased.birth_date is None
    assert erased.erased_at is not None

    # The log keeps that it happened, by whom and for which request.
    event = AuditEvent.objects.get(action="person.erase")
    assert (event.actor, event.entity_id) == (national_admin, str(maya.pk))
    assert "Email of 3 Oct 2026" in event.summary
    assert AuditEvent.objects.filter(action="person.update", entity_id=str(maya.pk)).exists()

    # She stays suppressed without her addresses being kept: a record made later from a
    # sign-up with her email and number, subscribed, is left out of a mailing's audience and
    # of texts (tests/people/test_erased_return.py tries every way back).
    assert not SuppressedAddress.objects.filter(address__in=[EMAIL, PHONE]).exists()
    again = people.person_create(
        actor=None, first_name="M", last_name="L", email=EMAIL, phone=PHONE
    )
    for channel in ("email", "sms"):
        consent.subscription_join(
            person_id=again.pk, channel=channel, topic_keys=["volunteering"], source="signup_form:1"
        )
        topic = consent_selectors.topic_get("volunteering")
        audience = Person.objects.filter(pk__in=[again.pk, maya.pk])
        assert not consent_selectors.reachable(audience, channel=channel, topic=topic).exists()

    # And the walk list no longer has her at the door.
    bundle = client.get(f"/api/field/lists/{canvass.code}").json()
    residents = {p["id"] for door in bundle["households"] for p in door["people"]}
    assert maya.pk not in residents
    assert canvass.people[canvass.door(0).pk][1].pk in residents


@pytest.mark.parametrize("role", ["organizer", "director", "admin_of_a_state"])
def test_only_national_admins_export_or_erase(
    maya: Person, make_staff: Any, campaign: Campaign, role: str
) -> None:
    unit = campaign.nc if role == "admin_of_a_state" else campaign.national
    user = make_staff(role=role.removesuffix("_of_a_state"), unit=unit)
    with pytest.raises(PermissionDenied) as refused:
        people.person_export(actor=user, person_id=maya.pk)
    assert refused.value.code == "data_request_denied"
    with pytest.raises(PermissionDenied):
        people.person_erase(actor=user, person_id=maya.pk, reason="asked")
    assert Person.objects.get(pk=maya.pk).email == EMAIL
    assert not AuditEvent.objects.filter(action__in=["person.export", "person.erase"]).exists()


def test_an_erasure_needs_the_request_named(maya: Person, national_admin: Any) -> None:
    from groundgame.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        people.person_erase(actor=national_admin, person_id=maya.pk, reason="  ")
    assert refused.value.field == "reason"
    assert Person.objects.get(pk=maya.pk).email == EMAIL


# From the person's page ------------------------------------------------------------------


def test_a_national_admin_downloads_and_erases_from_the_page(
    maya: Person, national_admin: Any, client_for: Any
) -> None:
    client = client_for(national_admin)
    page = client.get(f"/people/{maya.pk}/").content.decode()
    assert "Requests about their data" in page
    download = client.get(f"/people/{maya.pk}/export.json")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="person-{maya.pk}.json"'
    assert json.loads(download.content)["person"]["email"] == EMAIL

    nothing_named = client.post(f"/people/{maya.pk}/erase/", {"reason": ""}, follow=True)
    assert "Say which request this is" in nothing_named.content.decode()
    assert Person.objects.get(pk=maya.pk).email == EMAIL

    erased = client.post(f"/people/{maya.pk}/erase/", {"reason": "Letter of 2 Oct"}, follow=True)
    assert "Erased on request" in erased.content.decode()
    assert Person.objects.get(pk=maya.pk).email == ""


def test_staff_who_are_not_national_admins_see_no_card_and_are_refused(
    maya: Person, make_staff: Any, client_for: Any, campaign: Campaign
) -> None:
    client = client_for(make_staff("sam", role="admin", unit=campaign.nc))
    assert "Requests about their data" not in client.get(f"/people/{maya.pk}/").content.decode()
    assert client.get(f"/people/{maya.pk}/export.json").status_code == 403
    assert client.post(f"/people/{maya.pk}/erase/", {"reason": "asked"}).status_code == 403
    assert Person.objects.get(pk=maya.pk).email == EMAIL


# The command line and retention ----------------------------------------------------------


def test_the_commands_export_and_erase_a_person(maya: Person, tmp_path: Any) -> None:
    from groundgame import cli

    out = tmp_path / "maya.json"
    assert cli.main(["people", "export-person", str(maya.pk), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["volunteers"]["follow_ups"][0]["calls"][0]["note"] == NOTE
    assert cli.main(["people", "erase-person", str(maya.pk), "--reason", "Call of 4 Oct"]) == 0
    assert Person.objects.get(pk=maya.pk).email == ""
    assert AuditEvent.objects.get(action="person.erase").actor_label == "system"
    # Erasing again, or nobody, is one line and exit code 2.
    assert cli.main(["people", "erase-person", str(maya.pk), "--reason", "again"]) == 2
    assert cli.main(["people", "export-person", "999999", "--out", str(out)]) == 2


def test_retention_deletes_rejected_rows_older_than_the_setting(
    campaign: Campaign, settings: Any
) -> None:
    from groundgame import cli
    from groundgame.field.models import SyncRejection
    from groundgame.people.models import VoterImport, VoterImportRowError

    settings.GROUNDGAME_RETENTION_DAYS = 30
    now = timezone.now()
    runs = []
    for age in (40, 5):
        run = VoterImport.objects.create(
            layout="nc", state="NC", voters_file=f"{age}.txt", fingerprint=str(age) * 32
        )
        VoterImport.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(days=age))
        VoterImportRowError.objects.create(
            run=run, file="voters", row_number=3, reason="missing", raw="SMITH,JO"
        )
        SyncRejection.objects.create(
            list_code="X",
            payload={"notes": "dog at the gate"},
            reason="unknown list",
            received_at=now - dt.timedelta(days=age),
        )
        runs.append(run)

    assert cli.main(["retention", "purge"]) == 0

    assert list(VoterImportRowError.objects.values_list("run_id", flat=True)) == [runs[1].pk]
    assert VoterImport.objects.count() == 2
    [kept] = SyncRejection.objects.all()
    assert kept.received_at > now - dt.timedelta(days=30)
    assert (
        AuditEvent.objects.filter(
            action__in=["voter_import.rejections_purge", "canvass.rejections_purge"]
        ).count()
        == 2
    )
