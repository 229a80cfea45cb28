"""The migrations that moved sign-ups, memberships and events out of organizing lose no row:
a database with rows in every moved table, migrated to the latest state, still has each row
with its values, read through the new apps' models, and Mobilize's ids in the integration's
links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.integrations.mobilize.models import AttendanceLink, EventLink, TimeslotLink
from groundgame.volunteers.models import FollowUp, Membership, SignupForm, SignupSubmission

# The last migrations before the split, of organizing and of the one app with a foreign key
# to a moved model.
BEFORE = [("organizing", "0006_intake_pending_index"), ("field", "0002_canvass_sync_review")]
MOVED = {
    "SignupForm": SignupForm,
    "SignupSubmission": SignupSubmission,
    "FollowUp": FollowUp,
    "Membership": Membership,
    "Event": Event,
    "Shift": Shift,
    "ShiftSignup": ShiftSignup,
}
WHEN = dt.datetime(2026, 10, 3, 14, tzinfo=dt.UTC)


def _rows(model: Any) -> list[dict[str, Any]]:
    """Every row of a table as its column values, without Mobilize's id (which moves)."""
    rows = model.objects.order_by("pk").values()
    return [{k: v for k, v in row.items() if k != "mobilize_id"} for row in rows]


def _fill(apps: Any) -> dict[str, int]:
    """Rows in every moved table through the models as they were; returns Mobilize's ids."""
    old = {name: apps.get_model("organizing", name) for name in MOVED}
    unit_model = apps.get_model("organizing", "OrgUnit")
    person_model = apps.get_model("people", "Person")
    unit = unit_model.objects.create(name="National", kind="national", path="")
    unit.path = f"{unit.pk}/"
    unit.save()
    ana = person_model.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    ben = person_model.objects.create(first_name="Ben", last_name="Ode", org_unit=unit)
    form = old["SignupForm"].objects.create(
        title="Launch day",
        slug="launch-day",
        org_unit=unit,
        status="published",
        fields={"phone": "optional"},
        questions=[{"key": "car", "label": "Car?", "kind": "yesno", "required": False}],
        consent_topics=["volunteering"],
        source="web",
        published_at=WHEN,
    )
    old["SignupSubmission"].objects.create(
        form=form,
        idempotency_key="key-00000001",
        person=ana,
        org_unit=unit,
        payload={"person": {"first_name": "Ana"}},
        processed_at=WHEN,
        answers={"car": "yes"},
        consents=["volunteering"],
        source="web",
        referred_by=ben,
        created_at=WHEN,
    )
    old["SignupSubmission"].objects.create(
        form=form, idempotency_key="key-00000002", payload={}, created_at=WHEN
    )
    old["FollowUp"].objects.create(person=ben, org_unit=unit, source="web")
    old["Membership"].objects.create(person=ana, org_unit=unit, role="leader", source="web")
    old["Membership"].objects.create(person=ben, org_unit=unit, source="seed")
    event = old["Event"].objects.create(
        title="Canvass",
        slug="canvass",
        kind="canvass",
        org_unit=unit,
        zip5="27701",
        latitude=35.99,
        longitude=-78.9,
        host=ben,
        mobilize_id=501,
    )
    shift = old["Shift"].objects.create(
        event=event, starts_at=WHEN, ends_at=WHEN + dt.timedelta(hours=3), mobilize_id=601
    )
    later = WHEN + dt.timedelta(days=1)
    old["Shift"].objects.create(event=event, starts_at=later, ends_at=later + dt.timedelta(hours=2))
    old["ShiftSignup"].objects.create(
        shift=shift,
        person=ana,
        status="confirmed",
        attendance="attended",
        cancel_token="a" * 43,
        mobilize_id=701,
    )
    old["ShiftSignup"].objects.create(
        shift=shift, person=ben, status="waitlisted", cancel_token="b" * 43
    )
    return {"event": event.pk, "shift": shift.pk, "signup": shift.signups.get(person=ana).pk}


@pytest.mark.django_db(transaction=True)
def test_every_moved_row_survives_the_migrations() -> None:
    executor = MigrationExecutor(connection)
    # Back to before the split: undoing the new apps' first migrations undoes all after them.
    executor.migrate([("events", None), ("volunteers", None)])
    executor.loader.build_graph()
    apps = executor.loader.project_state(BEFORE).apps
    ours = _fill(apps)
    before = {name: _rows(apps.get_model("organizing", name)) for name in MOVED}
    assert all(before.values()), "every moved table has rows to keep"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = {name: _rows(model) for name, model in MOVED.items()}
    # The follow-up's own columns changed later (``volunteers.0002``-``0004``, tested below):
    # the columns it kept keep their values.
    kept = after["FollowUp"][0].keys() & before["FollowUp"][0].keys()
    for rows in (before, after):
        rows["FollowUp"] = [{k: row[k] for k in kept} for row in rows["FollowUp"]]
    assert after == before
    assert list(EventLink.objects.values_list("mobilize_id", "event_id")) == [(501, ours["event"])]
    assert list(TimeslotLink.objects.values_list("mobilize_id", "shift_id")) == [
        (601, ours["shift"])
    ]
    assert list(AttendanceLink.objects.values_list("mobilize_id", "signup_id")) == [
        (701, ours["signup"])
    ]


@pytest.mark.django_db(transaction=True)
def test_a_follow_up_marked_contacted_becomes_a_closed_entry_with_that_call() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("volunteers", "0001_initial")])
    executor.loader.build_graph()
    apps = executor.loader.project_state([("volunteers", "0001_initial")]).apps
    unit = apps.get_model("organizing", "OrgUnit").objects.create(
        name="Durham", kind="team", path="1/"
    )
    person_model = apps.get_model("people", "Person")
    ana = person_model.objects.create(first_name="Ana", last_name="Ruiz", org_unit=unit)
    ben = person_model.objects.create(first_name="Ben", last_name="Ode", org_unit=unit)
    olivia = apps.get_model("auth", "User").objects.create(username="olivia")
    form = apps.get_model("volunteers", "SignupForm").objects.create(
        title="Launch day", slug="launch-day", org_unit=unit, status="published"
    )
    submission = apps.get_model("volunteers", "SignupSubmission").objects.create(
        form=form,
        idempotency_key="key-00000001",
        person=ana,
        org_unit=unit,
        processed_at=WHEN,
        answers={"car": "yes"},
        created_at=WHEN,
    )
    old = apps.get_model("volunteers", "FollowUp")
    contacted = old.objects.create(
        person=ana,
        org_unit=unit,
        source="web",
        contacted_at=WHEN + dt.timedelta(hours=2),
        contacted_by=olivia,
        note="Loves phone banks",
    )
    waiting = old.objects.create(person=ben, org_unit=unit, source="web")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    closed = FollowUp.objects.get(pk=contacted.pk)
    called = WHEN + dt.timedelta(hours=2)
    assert (closed.closed_at, closed.first_attempt_at) == (called, called)
    assert closed.outcome == "reached"
    assert closed.submission_id == submission.pk
    assert list(closed.attempts.values_list("made_at", "made_by", "outcome", "note")) == [
        (called, olivia.pk, "reached", "Loves phone banks")
    ]
    still = FollowUp.objects.get(pk=waiting.pk)
    assert (still.closed_at, still.first_attempt_at, still.attempts.count()) == (None, None, 0)

    # Undone, the call is the contact it was.
    executor = MigrationExecutor(connection)
    executor.migrate([("volunteers", "0001_initial")])
    executor.loader.build_graph()
    apps = executor.loader.project_state([("volunteers", "0001_initial")]).apps
    row = apps.get_model("volunteers", "FollowUp").objects.get(pk=contacted.pk)
    assert (row.contacted_at, row.contacted_by_id, row.note) == (
        called,
        olivia.pk,
        "Loves phone banks",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
