"""The follow-up queue an organizer works through: what each volunteer told the form, every
call with its outcome, call-backs that come due, closing and reopening, and scope on every
write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ApplicationError
from groundgame.events import services as events_services
from groundgame.organizing import selectors as organizing_selectors
from groundgame.volunteers import metrics, selectors, services
from groundgame.volunteers.models import FollowUp, FollowUpAttempt
from tests.conftest import Campaign

SYSTEM = organizing_selectors.SYSTEM_SCOPE


def sign_up(form: Any, first: str, last: str, zip5: str = "27701", **answers: str) -> FollowUp:
    """A sign-up through the public path, finished by the worker's step: its follow-up."""
    submission, _ = services.signup_submit(
        form=form,
        idempotency_key=uuid.uuid4().hex,
        fields={
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}@example.org",
            "phone": "919-555-0142",
            "zip5": zip5,  # 27701 is in Durham County: the Durham team
        },
        answers=answers,
        consents=[],
        source="web",
    )
    services.signup_pending_drain()
    return FollowUp.objects.get(submission=submission)


def due(**kwargs: Any) -> list[str]:
    return [f.person.first_name for f in selectors.follow_up_queue(scope=SYSTEM, **kwargs)]


def make_shift(unit: Any, *, days: int = 3) -> Any:
    starts = timezone.now() + dt.timedelta(days=days)
    event = events_services.event_create(
        actor=None,
        org_unit=unit,
        title="Saturday canvass",
        kind="canvass",
        zip5="27701",
        shifts=[events_services.ShiftSpec(starts, starts + dt.timedelta(hours=3), 20)],
    )
    return event.shifts.get()


@pytest.fixture
def organizer(make_staff: Any, campaign: Campaign) -> Any:
    return make_staff("olivia", role="organizer", unit=campaign.triangle)


def test_a_message_left_brings_the_volunteer_back_two_days_later_and_a_shift_closes(
    form: Any, campaign: Campaign, organizer: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    now = timezone.now()
    left = services.follow_up_attempt_record(
        actor=organizer,
        follow_up_id=maya.pk,
        outcome="left_message",
        note="Voicemail; she works evenings.",
        now=now,
    )
    assert left.next_attempt_at == services.call_back_suggestion(now)
    assert due(now=now) == [], "not due until the call-back"
    assert due(now=now, show="later") == ["Maya"]
    back = left.next_attempt_at + dt.timedelta(minutes=1)
    assert due(now=back) == ["Maya"]

    shift = make_shift(campaign.durham)
    services.follow_up_attempt_record(
        actor=organizer, follow_up_id=maya.pk, outcome="scheduled", shift_id=shift.pk, now=back
    )
    assert due(now=back) == []
    assert due(now=back, show="closed") == ["Maya"]
    maya.refresh_from_db()
    assert (maya.outcome, maya.closed_at, maya.first_attempt_at) == ("scheduled", back, now)
    history = list(maya.attempts.order_by("made_at").values_list("outcome", "note", "shift"))
    assert history == [
        ("left_message", "Voicemail; she works evenings.", None),
        ("scheduled", "", shift.pk),
    ]
    actions = AuditEvent.objects.filter(entity_type="volunteers.followup").values_list(
        "action", flat=True
    )
    assert list(actions.order_by("pk")) == ["follow_up.call_back", "follow_up.close"]


def test_never_called_come_first_oldest_first_then_call_backs_by_when_due(
    form: Any, organizer: Any
) -> None:
    now = timezone.now()
    names = ["Ana", "Ben", "Cy", "Dee", "Eve"]
    follow_ups = {name: sign_up(form, name, "Test") for name in names}
    # Signed up an hour apart, Ana first.
    for hours, name in enumerate(names):
        FollowUp.objects.filter(pk=follow_ups[name].pk).update(
            created_at=now - dt.timedelta(hours=10 - hours)
        )
    # Ana and Ben were called; Ben's call-back came due before Ana's; Cy's is tomorrow.
    for name, back in [("Ana", 1), ("Ben", 2), ("Cy", -24)]:
        services.follow_up_attempt_record(
            actor=organizer,
            follow_up_id=follow_ups[name].pk,
            outcome="left_message",
            next_attempt_at=now - dt.timedelta(hours=back),
            now=now - dt.timedelta(days=2),
        )
    assert due(now=now) == ["Dee", "Eve", "Ben", "Ana"]
    assert due(now=now, show="later") == ["Cy"]
    assert selectors.follow_up_counts(scope=SYSTEM, now=now) == {"due": 4, "later": 1, "closed": 0}


def test_only_staff_whose_units_cover_the_volunteer_record_a_call(
    form: Any, campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    guilford = make_staff(role="organizer", unit=campaign.guilford)
    analyst = make_staff(role="analyst", unit=campaign.national)
    before = AuditEvent.objects.count()
    for outsider in (guilford, analyst):
        with pytest.raises(ApplicationError) as refused:
            services.follow_up_attempt_record(
                actor=outsider, follow_up_id=maya.pk, outcome="reached"
            )
        assert (refused.value.status, refused.value.code) == (404, "follow_up_not_found")
        response = client_for(outsider).post(
            f"/volunteers/{maya.pk}/attempts/", {f"f{maya.pk}-outcome": "reached"}
        )
        assert response.status_code == 404
    maya.refresh_from_db()
    assert (maya.closed_at, maya.first_attempt_at, maya.outcome) == (None, None, "")
    assert not FollowUpAttempt.objects.exists()
    assert AuditEvent.objects.count() == before, "nothing written, not even a read"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "called"}, "outcome"),
        ({"note": "x" * 501}, "note"),
        ({"note": "nul\x00"}, "note"),
        ({"outcome": "reached", "next_attempt_at": "tomorrow"}, "next_attempt_at"),
        ({"next_attempt_at": "an hour ago"}, "next_attempt_at"),
        ({"next_attempt_at": "naive"}, "next_attempt_at"),
        ({"outcome": "reached", "shift_id": "durham"}, "shift"),
        ({"outcome": "scheduled", "shift_id": "guilford"}, "shift"),
        ({"outcome": "scheduled", "shift_id": "missing"}, "shift"),
    ],
)
def test_bad_calls_are_refused_naming_the_field_and_change_nothing(
    form: Any, campaign: Campaign, organizer: Any, changes: dict[str, Any], field: str
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    now = timezone.now()
    moments = {
        "tomorrow": now + dt.timedelta(days=1),
        "an hour ago": now - dt.timedelta(hours=1),
        "naive": (now + dt.timedelta(days=1)).replace(tzinfo=None),
    }
    shifts = {
        "durham": lambda: make_shift(campaign.durham).pk,
        "guilford": lambda: make_shift(campaign.guilford).pk,
        "missing": lambda: 999_999,
    }
    kwargs: dict[str, Any] = {"outcome": "left_message", **changes}
    if "next_attempt_at" in kwargs:
        kwargs["next_attempt_at"] = moments[kwargs["next_attempt_at"]]
    if "shift_id" in kwargs:
        kwargs["shift_id"] = shifts[kwargs["shift_id"]]()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.follow_up_attempt_record(actor=organizer, follow_up_id=maya.pk, now=now, **kwargs)
    assert (refused.value.status, refused.value.code, refused.value.field) == (
        422,
        "follow_up_attempt_invalid",
        field,
    )
    assert refused.value.message
    assert not FollowUpAttempt.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    maya.refresh_from_db()
    assert (maya.first_attempt_at, maya.next_attempt_at, maya.outcome) == (None, None, "")


def test_a_shift_already_over_is_refused(form: Any, campaign: Campaign, organizer: Any) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    shift = make_shift(campaign.durham, days=1)
    with pytest.raises(ApplicationError) as refused:
        services.follow_up_attempt_record(
            actor=organizer,
            follow_up_id=maya.pk,
            outcome="scheduled",
            shift_id=shift.pk,
            now=shift.ends_at + dt.timedelta(minutes=1),
        )
    assert (refused.value.field, refused.value.code) == ("shift", "follow_up_attempt_invalid")
    assert not FollowUpAttempt.objects.exists()


def test_a_closed_entry_takes_no_call_until_reopened_and_keeps_its_history(
    form: Any, organizer: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    services.follow_up_attempt_record(actor=organizer, follow_up_id=maya.pk, outcome="reached")
    with pytest.raises(ApplicationError) as closed:
        services.follow_up_attempt_record(
            actor=organizer, follow_up_id=maya.pk, outcome="not_interested"
        )
    assert (closed.value.status, closed.value.code) == (409, "follow_up_closed")
    now = timezone.now()
    services.follow_up_reopen(actor=organizer, follow_up_id=maya.pk, now=now)
    assert due(now=now) == ["Maya"]
    with pytest.raises(ApplicationError) as open_already:
        services.follow_up_reopen(actor=organizer, follow_up_id=maya.pk)
    assert (open_already.value.status, open_already.value.code) == (409, "follow_up_open")
    services.follow_up_attempt_record(actor=organizer, follow_up_id=maya.pk, outcome="wrong_number")
    assert list(maya.attempts.order_by("pk").values_list("outcome", flat=True)) == [
        "reached",
        "wrong_number",
    ]


def test_reopening_is_refused_when_a_later_sign_up_opened_another_entry(
    form: Any, organizer: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    services.follow_up_attempt_record(actor=organizer, follow_up_id=maya.pk, outcome="reached")
    again = sign_up(form, "Maya", "Lopez")
    assert again.pk != maya.pk
    with pytest.raises(ApplicationError) as refused:
        services.follow_up_reopen(actor=organizer, follow_up_id=maya.pk)
    assert (refused.value.status, refused.value.code) == (409, "follow_up_open")
    assert FollowUp.objects.filter(pk=maya.pk, closed_at__isnull=False).exists()


# The page ---------------------------------------------------------------------------------


def test_the_queue_shows_answers_in_the_forms_order_contacts_and_logs_each_read(
    form: Any, organizer: Any, client_for: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez", canvass="yes", shirt="M")
    page = client_for(organizer).get("/volunteers/").content.decode()
    assert page.index("Shirt size") < page.index("Will you knock doors?")
    assert "<dd>M</dd>" in page
    assert "<dd>yes</dd>" in page
    assert "Join the team" in page, "the form they signed up on"
    assert 'href="tel:+19195550142"' in page
    assert "maya@example.org" in page
    assert f'href="/people/{maya.person_id}/"' in page
    reads = AuditEvent.objects.filter(kind="read", entity_type="people.person")
    assert list(reads.values_list("entity_id", "actor")) == [(str(maya.person_id), organizer.pk)]


def test_the_page_records_a_call_and_answers_bad_input_on_the_entry(
    form: Any, campaign: Campaign, organizer: Any, client_for: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    staff = client_for(organizer)
    missing = staff.post(f"/volunteers/{maya.pk}/attempts/", {f"f{maya.pk}-note": "hi"})
    assert missing.status_code == 400
    assert "Outcome: This field is required." in missing.content.decode()
    past = staff.post(
        f"/volunteers/{maya.pk}/attempts/",
        {f"f{maya.pk}-outcome": "left_message", f"f{maya.pk}-next_attempt_at": "2020-01-01T10:00"},
    )
    assert past.status_code == 422
    assert "Call again: The next call must be later than now." in past.content.decode()
    assert not FollowUpAttempt.objects.exists()

    done = staff.post(
        f"/volunteers/{maya.pk}/attempts/",
        {
            f"f{maya.pk}-outcome": "left_message",
            f"f{maya.pk}-note": "Voicemail",
            f"f{maya.pk}-next_attempt_at": "2099-03-04T18:30",
        },
    )
    assert done.status_code == 302
    attempt = FollowUpAttempt.objects.get()
    # Typed in the campaign's zone (New York by default): 18:30 EST is 23:30 UTC.
    assert attempt.next_attempt_at == dt.datetime(2099, 3, 4, 23, 30, tzinfo=dt.UTC)
    assert "Nobody is due a call" in staff.get("/volunteers/").content.decode()
    later = staff.get("/volunteers/?show=later").content.decode()
    assert "Voicemail" in later
    assert "Call back Wed Mar 4, 6:30 PM" in later


def test_a_second_click_or_a_colleagues_call_is_not_recorded_twice(
    form: Any, organizer: Any, client_for: Any
) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    page = client_for(organizer).get("/volunteers/").content.decode()
    assert f'name="f{maya.pk}-calls_seen" value="0"' in page
    post = {f"f{maya.pk}-outcome": "left_message", f"f{maya.pk}-calls_seen": "0"}
    staff = client_for(organizer)
    assert staff.post(f"/volunteers/{maya.pk}/attempts/", post).status_code == 302
    again = staff.post(f"/volunteers/{maya.pk}/attempts/", post)
    assert again.status_code == 409
    assert "A call to Maya Lopez was recorded since you opened the queue" in again.content.decode()
    assert FollowUpAttempt.objects.count() == 1
    with pytest.raises(ApplicationError) as refused:
        services.follow_up_attempt_record(
            actor=organizer, follow_up_id=maya.pk, outcome="reached", calls_seen=0
        )
    assert (refused.value.status, refused.value.code) == (409, "follow_up_changed")


def test_reopen_from_the_page(form: Any, organizer: Any, client_for: Any) -> None:
    maya = sign_up(form, "Maya", "Lopez")
    services.follow_up_attempt_record(
        actor=organizer, follow_up_id=maya.pk, outcome="not_interested"
    )
    staff = client_for(organizer)
    assert "Reopen Maya Lopez" in staff.get("/volunteers/?show=closed").content.decode()
    assert staff.post(f"/volunteers/{maya.pk}/reopen/").status_code == 302
    assert "Maya Lopez" in staff.get("/volunteers/").content.decode()
    assert Client().post(f"/volunteers/{maya.pk}/reopen/").status_code == 302, "sign in first"


# Time to first contact ---------------------------------------------------------------------


def test_time_to_first_contact_per_team_and_rolled_up(
    form: Any, campaign: Campaign, organizer: Any, client_for: Any
) -> None:
    now = timezone.now()
    # (name, ZIP, signed up hours ago, called after hours or None)
    volunteers = [
        ("Ana", "27701", 100, 10),
        ("Ben", "27701", 90, 60),
        ("Cy", "27701", 80, None),
        ("Dee", "27701", 10, None),  # still inside her 48 hours
        ("Eve", "27601", 50, 1),  # Wake County
    ]
    for name, zip5, ago, called_after in volunteers:
        follow_up = sign_up(form, name, "Test", zip5=zip5)
        opened = now - dt.timedelta(hours=ago)
        FollowUp.objects.filter(pk=follow_up.pk).update(created_at=opened)
        if called_after is not None:
            services.follow_up_attempt_record(
                actor=organizer,
                follow_up_id=follow_up.pk,
                outcome="reached",
                now=opened + dt.timedelta(hours=called_after),
            )
    figures = metrics.time_to_first_contact(since=now - dt.timedelta(days=7), until=now, now=now)
    durham, triangle = figures[campaign.durham.path], figures[campaign.triangle.path]
    assert (durham.signed_up, durham.called, durham.median_hours) == (4, 2, 35.0)
    assert (durham.judged, durham.called_within, durham.waiting_within) == (3, 1, 1)
    assert (triangle.signed_up, triangle.median_hours, triangle.judged) == (5, 10.0, 4)
    assert triangle.share_within == 0.5
    assert figures[campaign.nc.path].signed_up == 5
    assert campaign.guilford.path not in figures

    # The period chosen: Ana signed up before it.
    recent = metrics.time_to_first_contact(since=now - dt.timedelta(hours=95), until=now, now=now)
    assert (recent[campaign.durham.path].signed_up, recent[campaign.durham.path].hours) == (
        3,
        [60.0],
    )

    page = client_for(organizer).get(f"/field/reporting/?unit={campaign.triangle.pk}&days=7")
    text = page.content.decode()
    assert "New volunteers: time to first call" in text
    assert "10.0 h" in text, "the region's median"
    assert "50%" in text, "called within 48 hours, in the region"
    assert "35.0 h" in text, "Durham's median, in the units under the region"
