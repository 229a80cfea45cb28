"""Events, shifts and RSVPs: capacity and the wait list, cancel links, replays, proposals,
reminders, and bad input answered field by field."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.core.errors import ApplicationError
from groundgame.events import selectors, services
from groundgame.events import tasks as events_tasks
from groundgame.events.models import ShiftSignup
from groundgame.messaging import services as messaging
from groundgame.organizing.selectors import staff_scope
from tests.conftest import Campaign
from tests.helpers import assert_api_error

DURHAM_ZIP = "27701"  # Durham, NC
RALEIGH_ZIP = "27601"  # about 23 miles east
GREENSBORO_ZIP = "27401"  # about 50 miles west


def make_event(
    unit: Any, *, capacity: int = 2, zip5: str = DURHAM_ZIP, days: int = 3, **extra: Any
) -> Any:
    starts = timezone.now() + dt.timedelta(days=days)
    return services.event_create(
        actor=None,
        org_unit=unit,
        title=extra.pop("title", "Saturday canvass"),
        kind=extra.pop("kind", "canvass"),
        zip5=zip5,
        shifts=[services.ShiftSpec(starts, starts + dt.timedelta(hours=3), capacity)],
        **extra,
    )


def rsvp(shift: Any, n: int, **extra: Any) -> services.RsvpResult:
    return services.rsvp_create(
        actor=None,
        shift_id=shift.pk,
        first_name=f"Vol{n}",
        last_name="Unteer",
        email=f"vol{n}@example.org",
        **extra,
    )


def test_capacity_then_wait_list_then_cancel_promotes_first_waiting(campaign: Campaign) -> None:
    shift = make_event(campaign.durham).shifts.get()
    results = [rsvp(shift, n) for n in range(4)]
    assert [r.signup.status for r in results] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]

    cancelled = services.rsvp_cancel(actor=None, token=results[0].signup.cancel_token)
    assert cancelled.signup.status == "cancelled"
    assert [s.pk for s in cancelled.promoted] == [results[2].signup.pk]
    again = services.rsvp_cancel(actor=None, token=results[0].signup.cancel_token)
    assert again.promoted == []
    summary = selectors.event_detail(event_id=shift.event_id)
    assert summary is not None
    assert (summary.shifts[0].confirmed, summary.shifts[0].waitlisted) == (2, 1)


def test_replayed_rsvp_returns_the_same_one(campaign: Campaign) -> None:
    shift = make_event(campaign.durham).shifts.get()
    first = rsvp(shift, 1)
    replay = rsvp(shift, 1)
    assert first.created
    assert not replay.created
    assert replay.signup.pk == first.signup.pk
    assert shift.signups.count() == 1


def test_bad_rsvp_input_names_the_field_and_writes_nothing(campaign: Campaign) -> None:
    shift = make_event(campaign.durham).shifts.get()
    for kwargs, field in [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"first_name": " "}, "first_name"),
        ({"phone": "123"}, "phone"),
        ({"zip5": "2770"}, "zip5"),
    ]:
        args = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org", **kwargs}
        with pytest.raises(ApplicationError) as caught:
            services.rsvp_create(actor=None, shift_id=shift.pk, **args)
        assert caught.value.field == field
        assert caught.value.status in (400, 422)
    assert shift.signups.count() == 0
    with pytest.raises(ApplicationError) as missing:
        services.rsvp_create(
            actor=None, shift_id=999_999, first_name="A", last_name="B", email="a@b.org"
        )
    assert missing.value.code == "shift_not_found"


def test_events_near_a_zip_by_distance_radius_and_kind(campaign: Campaign) -> None:
    durham = make_event(campaign.durham, title="Durham canvass")
    raleigh = make_event(campaign.wake, title="Raleigh phones", zip5=RALEIGH_ZIP, kind="phone_bank")
    make_event(campaign.guilford, title="Greensboro canvass", zip5=GREENSBORO_ZIP)
    online = make_event(campaign.durham, title="Training call", is_virtual=True, zip5="")
    search = selectors.events_near(zip5=DURHAM_ZIP, radius_miles=25)
    assert [r.event.pk for r in search.results] == [durham.pk, raleigh.pk, online.pk]
    assert search.results[0].distance_miles is not None
    assert search.results[0].distance_miles < 2
    assert 15 < (search.results[1].distance_miles or 0) < 30
    phones = selectors.events_near(zip5=DURHAM_ZIP, radius_miles=25, kind="phone_bank")
    assert [r.event.pk for r in phones.results] == [raleigh.pk]
    with pytest.raises(ApplicationError) as caught:
        selectors.events_near(zip5="00000")
    assert caught.value.code == "zip_unknown"


def test_volunteer_proposes_and_only_staff_over_the_unit_decide(
    campaign: Campaign, make_staff: Any
) -> None:
    starts = timezone.now() + dt.timedelta(days=5)
    event = services.event_propose(
        actor=None,
        title="Porch party",
        kind="meeting",
        zip5=DURHAM_ZIP,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=12,
        host_first_name="Hana",
        host_last_name="Host",
        host_email="hana@example.org",
    )
    assert event.status == "proposed"
    assert event.org_unit_id == campaign.durham.pk  # the team covering Durham County
    assert event.host is not None
    assert event.host.email == "hana@example.org"
    with pytest.raises(ApplicationError):
        rsvp(event.shifts.get(), 1)  # not open until approved

    outsider = make_staff(role="organizer", unit=campaign.guilford)
    organizer = make_staff(role="organizer", unit=campaign.triangle)
    assert selectors.event_proposals_pending(scope=staff_scope(outsider)) == []
    assert [
        p.event.pk for p in selectors.event_proposals_pending(scope=staff_scope(organizer))
    ] == [event.pk]
    with pytest.raises(ApplicationError) as caught:
        services.event_decide(actor=outsider, event_id=event.pk, approve=True)
    assert caught.value.code == "event_not_in_scope"
    decided = services.event_decide(actor=organizer, event_id=event.pk, approve=True)
    assert decided.status == "published"
    with pytest.raises(ApplicationError) as twice:
        services.event_decide(actor=organizer, event_id=event.pk, approve=False)
    assert twice.value.code == "event_proposal_decided"


def test_reminders_go_once_to_confirmed_people(campaign: Campaign) -> None:
    shift = make_event(campaign.durham, capacity=1, days=1).shifts.get()
    shift.starts_at = timezone.now() + dt.timedelta(hours=20)
    shift.save()
    rsvp(shift, 1)
    rsvp(shift, 2)  # wait-listed: no reminder
    mail.outbox.clear()
    assert services.shift_reminders_send(shift_id=shift.pk) == 1
    assert services.shift_reminders_send(shift_id=shift.pk) == 0
    # Reminders go through the messaging outbox; its sender delivers each once.
    messaging.sends_deliver(channel="email")
    messaging.sends_deliver(channel="email")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["vol1@example.org"]
    assert "/events/cancel/" in mail.outbox[0].body


def test_a_reminder_task_is_deferred_to_a_day_before_the_shift(
    campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = events_tasks.shift_reminders.get_backend()
    if not backend.supports_defer:
        pytest.skip("this run's task backend cannot defer jobs")
    with django_capture_on_commit_callbacks(execute=True):
        shift = make_event(campaign.durham, days=3).shifts.get()
    # The database backend keeps its jobs in this database, SQLite or PostgreSQL alike.
    if isinstance(backend, DatabaseBackend):
        job = DBTaskResult.objects.get(task_path__endswith="shift_reminders")
        assert job.run_after == shift.starts_at - services.REMINDER_LEAD
        assert job.args_kwargs["args"] == [shift.pk]


def test_clone_and_cancel(campaign: Campaign, make_staff: Any) -> None:
    organizer = make_staff(role="organizer", unit=campaign.durham)
    event = make_event(campaign.durham)
    copy = services.event_clone(actor=organizer, event_id=event.pk, days_later=7)
    assert copy.slug != event.slug
    assert copy.shifts.get().starts_at - event.shifts.get().starts_at == dt.timedelta(days=7)
    assert services.event_cancel(actor=organizer, event_id=copy.pk).status == "cancelled"
    with pytest.raises(ApplicationError):
        services.event_clone(
            actor=make_staff(role="organizer", unit=campaign.guilford), event_id=event.pk
        )


def test_attendance_by_staff_and_by_host_link(campaign: Campaign, make_staff: Any) -> None:
    event = make_event(campaign.durham)
    signup = rsvp(event.shifts.get(), 1).signup
    organizer = make_staff(role="organizer", unit=campaign.durham)
    marked = services.attendance_mark(actor=organizer, signup_id=signup.pk, attendance="attended")
    assert marked.attendance == "attended"
    token = selectors.event_host_token(event.pk)
    from django.contrib.auth.models import AnonymousUser

    host = services.attendance_mark(
        actor=AnonymousUser(), signup_id=signup.pk, attendance="no_show", host_token=token
    )
    assert host.attendance == "no_show"
    with pytest.raises(ApplicationError):
        services.attendance_mark(actor=AnonymousUser(), signup_id=signup.pk, attendance="attended")
    with pytest.raises(ApplicationError) as bad:
        services.attendance_mark(actor=organizer, signup_id=signup.pk, attendance="maybe")
    assert bad.value.field == "attendance"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacity=st.integers(min_value=1, max_value=4),
    steps=st.lists(
        st.tuples(st.sampled_from(["rsvp", "cancel"]), st.integers(min_value=0, max_value=7)),
        max_size=25,
    ),
)
def test_never_over_capacity_and_the_wait_list_moves_in_order(
    campaign: Campaign, capacity: int, steps: list[tuple[str, int]]
) -> None:
    shift = make_event(campaign.durham, capacity=capacity).shifts.get()
    tokens: dict[int, str] = {}
    waiting: list[int] = []  # the model: people waiting, in order
    confirmed: set[int] = set()
    for action, who in steps:
        if action == "rsvp":
            result = rsvp(shift, who)
            tokens[who] = result.signup.cancel_token
            if who not in confirmed and who not in waiting:
                (confirmed.add(who) if len(confirmed) < capacity else waiting.append(who))
        elif who in tokens:
            services.rsvp_cancel(actor=None, token=tokens[who])
            if who in confirmed:
                confirmed.discard(who)
                if waiting:
                    confirmed.add(waiting.pop(0))
            elif who in waiting:
                waiting.remove(who)
        rows = {s.person.first_name: s.status for s in shift.signups.select_related("person")}
        actual_confirmed = {int(n[3:]) for n, s in rows.items() if s == "confirmed"}
        assert len(actual_confirmed) <= capacity
        assert actual_confirmed == confirmed


def test_pages_answer_bad_input_in_the_page(campaign: Campaign) -> None:
    event = make_event(campaign.durham)
    client = Client()
    page = client.get(f"/events/{event.slug}/")
    assert page.status_code == 200
    assert b"RSVP" in page.content
    bad = client.post(
        f"/events/{event.slug}/",
        {"shift": event.shifts.get().pk, "first_name": "A", "last_name": "B", "email": "nope"},
    )
    assert bad.status_code == 400
    assert b"field-error" in bad.content
    ok = client.post(
        f"/events/{event.slug}/",
        {
            "shift": event.shifts.get().pk,
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "ann@example.org",
        },
    )
    assert ok.status_code == 302
    assert b"Check your email" in client.get(ok["Location"]).content
    assert client.get("/events/?zip=99999x").status_code == 400
    assert client.get("/events/?zip=00000").status_code == 400
    assert client.get(f"/events/?zip={DURHAM_ZIP}&radius=25").status_code == 200
    assert client.get("/events/cancel/not-a-token/").status_code == 404
    assert client.post("/events/propose/", {"title": ""}).status_code == 400


def test_rsvp_api_is_idempotent_and_speaks_codes(
    campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(campaign.durham, capacity=1)
    shift = event.shifts.get()
    client = Client()
    body = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org"}
    url = f"/api/organizing/public/shifts/{shift.pk}/rsvps"
    first = client.post(url, body, content_type="application/json")
    with django_capture_on_commit_callbacks() as notices:
        again = client.post(url, body, content_type="application/json")
    # Whoever posts Ann's name learns neither whether she is coming nor how to cancel her:
    # the two answers are the same, and the link goes to her email.
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert "cancel" not in first.content.decode().replace("change or cancel", "")
    assert "token" not in first.json()
    (signup,) = ShiftSignup.objects.filter(shift=shift)
    assert signup.status == "confirmed"
    assert [(cb.args[1]) for cb in notices] == ["already"]  # type: ignore[attr-defined]
    bad = client.post(url, {**body, "email": "x"}, content_type="application/json")
    assert_api_error(bad, 422, "rsvp_invalid", "email")
    unknown = client.post(
        "/api/organizing/public/shifts/0/rsvps", body, content_type="application/json"
    )
    assert_api_error(unknown, 404, "shift_not_found", "shift")
    found = client.get(f"/api/organizing/public/events?zip={DURHAM_ZIP}")
    assert found.status_code == 200
    assert found.json()[0]["id"] == event.pk
    assert_api_error(
        client.get("/api/organizing/public/events?zip=00000"), 422, "zip_unknown", "zip"
    )
    # Attendance is for staff only.
    assert (
        client.post(
            f"/api/organizing/rsvps/{signup.pk}/attendance",
            {"attendance": "attended"},
            content_type="application/json",
        ).status_code
        == 401
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_never_overbook_on_postgresql(campaign: Campaign) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers by itself")
    capacity, people = 5, 24
    shift = make_event(campaign.durham, capacity=capacity).shifts.get()
    barrier = threading.Barrier(people)
    failures: list[BaseException] = []

    def one(n: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            rsvp(shift, n)
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    statuses = list(shift.signups.values_list("status", flat=True))
    assert statuses.count("confirmed") == capacity
    assert statuses.count("waitlisted") == people - capacity


def test_shift_fill_counts_each_shifts_places_once(campaign: Campaign) -> None:
    big = make_event(campaign.durham, capacity=10, days=2).shifts.get()
    small = make_event(campaign.durham, capacity=5, days=2, title="Phone bank").shifts.get()
    small.starts_at, small.ends_at = big.starts_at, big.ends_at
    small.save()
    for n in range(3):
        rsvp(big, n)
    rsvp(small, 10)
    day = timezone.localtime(big.starts_at).date()
    fill = selectors.shift_fill_by_unit_day(since=day, until=day)
    assert fill == {(campaign.durham.pk, day): (4, 15)}


def test_the_event_page_answers_the_same_whether_or_not_the_email_has_a_place(
    campaign: Campaign,
) -> None:
    """Anyone can type a name and an email: the page's answer to a new RSVP and to one for an
    email that already has a place is the same, so it tells a stranger nothing about who is
    coming and hands over no way to manage the place (that goes to the email)."""
    event = make_event(campaign.durham, capacity=3)
    shift = event.shifts.get()
    form = {
        "shift": shift.pk,
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.org",
    }
    answers = []
    for _ in range(2):  # Ann's own RSVP, then a stranger posting her name and email
        response = Client().post(f"/events/{event.slug}/", form, follow=True)
        answers.append(
            (
                response.status_code,
                response.redirect_chain,
                # The page's script nonce is new in every answer.
                re.sub(r'nonce="[^"]*"', "", response.content.decode()),
            )
        )
    assert ShiftSignup.objects.get(shift=shift).status == ShiftSignup.Status.CONFIRMED
    assert answers[0] == answers[1]
    status, chain, page = answers[1]
    assert status == 200
    assert "Check your email" in page
    assert ShiftSignup.objects.get(shift=shift).cancel_token not in page + str(chain)


def test_rsvps_are_rate_limited_per_client_like_sign_ups(campaign: Campaign, settings: Any) -> None:
    settings.GROUNDGAME_SIGNUP_CLIENT_BURST = 2
    settings.GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE = 1
    shift = make_event(campaign.durham, capacity=50).shifts.get()
    url = f"/api/organizing/public/shifts/{shift.pk}/rsvps"
    answers = [
        Client().post(
            url,
            {"first_name": "V", "last_name": f"N{n}", "email": f"v{n}@example.org"},
            content_type="application/json",
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert_api_error(answers[2], 429, "rsvp_rate_limited")
    assert int(answers[2]["Retry-After"]) >= 1
    assert ShiftSignup.objects.filter(shift=shift).count() == 2
