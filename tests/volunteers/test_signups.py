"""Volunteer sign-ups: forms, the public page and API, idempotency, abuse guards, the queue."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client

from groundgame.core import ratelimit, shared_cache
from groundgame.core.errors import PermissionDenied
from groundgame.organizing import selectors as organizing_selectors
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services
from groundgame.volunteers import signups as signup_rules
from groundgame.volunteers.services import processing
from tests.conftest import Campaign
from tests.helpers import assert_api_error
from tests.service_requirements import require_service

TASKS_IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _signup_settings(settings: Any) -> None:
    settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 0
    settings.TASKS = TASKS_IMMEDIATE


def person(**overrides: str) -> dict[str, str]:
    values = {
        "first_name": "Maya",
        "last_name": "Lopez",
        "email": f"maya.{uuid.uuid4().hex[:8]}@example.org",
        "phone": "919-555-0123",
        "zip5": "27701",  # Durham County, covered by the Durham team
    }
    values.update(overrides)
    return values


def post_api(client: Client, slug: str, body: Any, key: str | None = "key-0001", **extra: Any):  # type: ignore[no-untyped-def]
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        f"/api/public/signups/{slug}",
        data=data,
        content_type="application/json",
        **headers,
        **extra,
    )


# Forms ------------------------------------------------------------------------------------


def test_forms_are_created_as_drafts_cloned_and_published(campaign: Campaign) -> None:
    signup = volunteers_services.signup_form_create(
        actor=None, title="Launch day", org_unit=campaign.nc
    )
    assert signup.status == "draft"
    assert signup.slug == "launch-day"
    copy = volunteers_services.signup_form_clone(actor=None, form_id=signup.pk)
    assert (copy.slug, copy.status, copy.consent_topics) == (
        "launch-day-copy",
        "draft",
        signup.consent_topics,
    )
    assert (
        volunteers_services.signup_form_publish(actor=None, form_id=copy.pk).published_at
        is not None
    )
    assert Client().get("/f/launch-day/").status_code == 404, "a draft is not public"
    assert Client().get("/f/launch-day-copy/").status_code == 200


def test_an_organizer_cannot_make_forms_for_units_outside_their_own(
    campaign: Campaign, make_staff: Any
) -> None:
    organizer = make_staff(role="organizer", unit=campaign.guilford)
    with pytest.raises(PermissionDenied):
        volunteers_services.signup_form_create(
            actor=organizer, title="Durham", org_unit=campaign.durham
        )


# The API ----------------------------------------------------------------------------------


def test_a_signup_creates_the_volunteer_in_their_county_team_with_a_follow_up(
    form: Any, campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_api(Client(), form.slug, {**person(), "consents": ["volunteering"]})
    assert response.status_code == 201, response.content
    assert callbacks, "the commit schedules the worker"
    submission = volunteers_selectors.signup_submission_get(response.json()["id"])
    assert submission is not None
    assert (submission.person_id, submission.processed_at) != (None, None), "the worker ran"
    assert submission.org_unit_id == campaign.durham.pk
    queue = list(volunteers_selectors.follow_up_queue(scope=organizing_selectors.SYSTEM_SCOPE))
    assert [(f.person_id, f.org_unit_id) for f in queue] == [
        (submission.person_id, campaign.durham.pk)
    ]
    assert len(mail.outbox) == 1
    assert "/f/join-the-team/?ref=" in mail.outbox[0].body


def test_the_request_only_stores_the_signup_and_the_worker_finishes_it(
    form: Any, campaign: Campaign
) -> None:
    response = post_api(Client(), form.slug, person(first_name="Pending"), key="pending-01")
    assert response.status_code == 201
    submission = volunteers_selectors.signup_submission_get(response.json()["id"])
    assert submission is not None
    assert (submission.person_id, submission.processed_at) == (None, None)
    assert not list(volunteers_selectors.follow_up_queue(scope=organizing_selectors.SYSTEM_SCOPE))
    assert volunteers_services.signup_pending_drain() == 1
    submission.refresh_from_db()
    assert submission.person is not None
    assert submission.person.first_name == "Pending"
    assert submission.processed_at is not None
    assert volunteers_services.signup_pending_drain() == 0, (
        "a finished sign-up is not processed again"
    )


def test_the_sweep_schedules_sign_ups_left_pending(form: Any, settings: Any) -> None:
    import datetime as dt

    post_api(Client(), form.slug, person(), key="stranded-1")
    assert not volunteers_services.signup_pending_sweep(), "a fresh sign-up still has its task"
    assert volunteers_services.signup_pending_sweep(older_than=dt.timedelta(seconds=-1))
    assert volunteers_selectors.signup_submission_count() == 1
    assert volunteers_services.signup_pending_drain() == 0, "the sweep's task (immediate here) ran"


def test_a_replay_returns_the_same_response_and_writes_nothing(form: Any) -> None:
    client = Client()
    first = post_api(client, form.slug, person(), key="same-key-1")
    again = post_api(client, form.slug, person(first_name="Other"), key="same-key-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert volunteers_selectors.signup_submission_count(form.pk) == 1


@pytest.mark.parametrize(
    ("body", "key", "status", "code", "field"),
    [
        (person(), None, 400, "idempotency_key_required", "idempotency_key"),
        (person(), "short", 400, "idempotency_key_invalid", "idempotency_key"),
        ("{not json", "key-00001", 400, "invalid_json", None),
        ("[1, 2]", "key-00001", 400, "invalid_json", None),
        (person(first_name=""), "key-00001", 422, "signup_invalid", "first_name"),
        (person(zip5="2770"), "key-00001", 422, "signup_invalid", "zip5"),
        (person(email="nope"), "key-00001", 422, "signup_invalid", "email"),
        (person(phone="12"), "key-00001", 422, "signup_invalid", "phone"),
        ({**person(), "consents": ["fundraising"]}, "key-00001", 422, "signup_invalid", "consents"),
        ({**person(), "answers": {"shirt": "XXL"}}, "key-00001", 422, "signup_invalid", "q_shirt"),
        ({**person(), "first_name": 7}, "key-00001", 422, "signup_invalid", "first_name"),
        # PostgreSQL cannot store NUL: refused at the field, not by the insert.
        (person(last_name="Lo\x00pez"), "key-00001", 422, "signup_invalid", "last_name"),
        (person(email="m\x00@example.org"), "key-00001", 422, "signup_invalid", "email"),
    ],
)
def test_bad_input_is_a_4xx_with_a_stable_code_and_writes_nothing(
    form: Any, body: Any, key: str | None, status: int, code: str, field: str | None
) -> None:
    response = post_api(Client(), form.slug, body, key=key)
    assert_api_error(response, status, code, field)
    assert volunteers_selectors.signup_submission_count() == 0


def test_unknown_draft_and_closed_forms(form: Any, campaign: Campaign) -> None:
    assert_api_error(post_api(Client(), "nope", person()), 404, "signup_form_not_found")
    draft = volunteers_services.signup_form_create(actor=None, title="Draft", org_unit=campaign.nc)
    assert post_api(Client(), draft.slug, person()).status_code == 404
    volunteers_services.signup_form_close(actor=None, form_id=form.pk)
    closed = post_api(Client(), form.slug, person())
    assert_api_error(closed, 409, "signup_form_closed")


def test_an_oversized_body_is_refused_with_413(form: Any) -> None:
    response = post_api(Client(), form.slug, {**person(), "pad": "x" * 20_000})
    assert_api_error(response, 413, "payload_too_large")
    assert volunteers_selectors.signup_submission_count() == 0


def test_one_client_is_rate_limited_with_429_and_retry_after(form: Any, settings: Any) -> None:
    settings.GROUNDGAME_SIGNUP_CLIENT_BURST = 3
    settings.GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE = 6
    client = Client()
    statuses = [
        post_api(client, form.slug, person(), key=f"key-{n:05d}").status_code for n in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]
    limited = post_api(client, form.slug, person(), key="key-99999")
    assert_api_error(limited, 429, "intake_rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 10
    other = post_api(client, form.slug, person(), key="key-88888", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 201, "another client is not held up"


def test_behind_a_load_balancer_each_client_has_its_own_limit(form: Any, settings: Any) -> None:
    """Every request arrives from the balancer's address; the limit follows the address it
    forwards, and a forwarded address from anyone else is not believed."""
    settings.GROUNDGAME_SIGNUP_CLIENT_BURST = 3
    settings.GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE = 6
    settings.GROUNDGAME_TRUSTED_PROXIES = [ipaddress.ip_network("10.1.0.0/16")]
    balancer = {"REMOTE_ADDR": "10.1.0.5"}

    def post(n: int, forwarded: str, **peer: str) -> int:
        extra = {**balancer, **peer, "HTTP_X_FORWARDED_FOR": forwarded}
        return int(post_api(Client(), form.slug, person(), key=f"key-{n:05d}", **extra).status_code)

    assert [post(n, "198.51.100.7") for n in range(4)] == [201, 201, 201, 429]
    assert post(10, "198.51.100.8") == 201, "another client behind the balancer goes on"
    # A client talking to the app directly cannot pick a fresh address for each request.
    direct = [post(20 + n, f"203.0.113.{n}", REMOTE_ADDR="192.0.2.1") for n in range(4)]
    assert direct == [201, 201, 201, 429]


def test_on_redis_the_buckets_are_shared_in_one_command_per_sync(
    settings: Any, monkeypatch: Any
) -> None:
    require_service("redis")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
        }
    }
    client = shared_cache.redis_client()
    assert client is not None
    buckets = {"client": ratelimit.Limit(rate=0.1, burst=3), "form": ratelimit.Limit(100, 100)}
    try:
        waits = [ratelimit.take(buckets, now=1000.0) for _ in range(5)]
        assert waits[:3] == [0.0, 0.0, 0.0]
        assert waits[3:] == [pytest.approx(10.0)] * 2, "a refused take leaves the tokens"
        assert ratelimit.take(buckets, now=1010.0) == 0.0, "a token back after 10 s"
        assert client.hget(f"{prefix}:1:ratelimit:client", "t") == b"0", "all takes sent"
        assert 1 <= client.ttl(f"{prefix}:1:ratelimit:client") <= 60

        # Another web process, with a view of its own, starts from the shared tokens once
        # it has synced: it sees the takes above.
        monkeypatch.setattr(ratelimit, "_view", ratelimit._View())
        assert ratelimit.take(buckets, now=1010.0) == 0.0, "its first take, before it knows"
        assert ratelimit.take(buckets, now=1010.0) == pytest.approx(20.0), "the debt, synced"
        assert client.hget(f"{prefix}:1:ratelimit:client", "t") == b"-1"
    finally:
        client.delete(*client.keys(f"{prefix}:*"))


def test_the_processing_flag_is_asked_once_per_moment_and_the_drain_waits_for_it(
    form: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    asked: list[bool] = []
    raise_flag = processing._processing_flag_raise
    monkeypatch.setattr(
        processing, "_processing_flag_raise", lambda: asked.append(raise_flag()) or asked[-1]
    )
    volunteers_services.signup_processing_schedule()
    volunteers_services.signup_processing_schedule()
    assert asked == [True], "the second sign-up a moment later does not ask again"
    monkeypatch.setattr(processing, "FLAG_FRESH_SECONDS", 0.0)
    volunteers_services.signup_processing_schedule()
    assert asked == [True, False], "later it asks, and the flag is up: no second task"

    # A drain takes the flag down; a sign-up whose process skipped the look commits while
    # the drain waits before its last look, which therefore sees it.
    def commit_meanwhile(seconds: float) -> None:
        assert seconds > processing.FLAG_FRESH_SECONDS
        if not volunteers_selectors.signup_submission_count():
            post_api(Client(), form.slug, person(), key="meanwhile-1")

    monkeypatch.setattr(processing.time, "sleep", commit_meanwhile)
    assert volunteers_services.signup_pending_drain() == 1
    assert volunteers_selectors.signup_submission_count() == 1


def test_the_api_answers_ahead_of_the_stack_with_the_same_headers(form: Any) -> None:
    response = post_api(Client(), form.slug, person(), key="headers-1")
    assert response.status_code == 201
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])
    assert "Set-Cookie" not in response
    assert Client().get(f"/api/public/signups/{form.slug}").status_code == 405


def test_a_sign_up_on_a_dead_kept_connection_is_made_again_on_a_new_one(
    transactional_db: None, campaign: Campaign
) -> None:
    signup = volunteers_services.signup_form_create(actor=None, title="Retry", org_unit=campaign.nc)
    volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)
    statements: list[str] = []

    def dead_once(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "signupsubmission" in sql:
            statements.append(sql)
            if len(statements) == 1:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(dead_once):
        response = post_api(Client(), signup.slug, person(), key="retry-0001")
    assert response.status_code == 201, response.content
    # Then the worker's statements: the immediate task backend drains the queue at once.
    assert [sql.split()[0] for sql in statements[:3]] == ["INSERT", "INSERT", "SELECT"]
    assert "Idempotent-Replayed" not in response
    assert volunteers_selectors.signup_submission_count(signup.pk) == 1


def test_a_question_answer_with_a_nul_is_refused_at_its_field_and_a_bad_ref_ignored(
    form: Any,
) -> None:
    bad_answer = {**person(), "answers": {"canvass": "yes\x00"}}
    response = post_api(Client(), form.slug, bad_answer, key="nul-answer-1")
    assert response.status_code == 422
    assert response.json()["field"] == "q_canvass"
    # A referral code is only ever a signed code; anything else is dropped like a forgery.
    response = post_api(Client(), form.slug, {**person(), "ref": "x\x00y"}, key="nul-ref-001")
    assert response.status_code == 201, response.content
    assert volunteers_selectors.signup_submission_count(form.pk) == 1


def test_the_referral_link_records_who_recruited_whom(form: Any) -> None:
    recruiter = post_api(Client(), form.slug, person(first_name="Rosa"), key="recruiter-1").json()
    code = recruiter["share_path"].split("?ref=")[1]
    recruit = post_api(
        Client(), form.slug, {**person(first_name="Omar"), "ref": code}, key="recruit-01"
    ).json()
    forged = post_api(
        Client(), form.slug, {**person(first_name="Lena"), "ref": "1:forged"}, key="forged-01"
    ).json()
    volunteers_services.signup_pending_drain()
    rosa = volunteers_selectors.signup_submission_get(recruiter["id"])
    omar = volunteers_selectors.signup_submission_get(recruit["id"])
    assert rosa is not None
    assert omar is not None
    assert omar.referred_by_id == rosa.person_id is not None
    later = post_api(
        Client(),
        form.slug,
        {**person(first_name="Ines"), "ref": signup_rules.referral_code(rosa.person_id)},
        key="recruit-02",
    ).json()
    volunteers_services.signup_pending_drain()
    ines = volunteers_selectors.signup_submission_get(later["id"])
    assert ines is not None
    assert ines.referred_by_id == rosa.person_id
    assert volunteers_selectors.signup_submission_get(forged["id"]).referred_by_id is None  # type: ignore[union-attr]


# The public page --------------------------------------------------------------------------


def page_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))


def submit_page(client: Client, slug: str, values: dict[str, str], **hidden: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/f/{slug}/")
    assert page.status_code == 200
    data = {**page_fields(page.content.decode()), **values, **hidden}
    return client.post(f"/f/{slug}/", data)


def test_the_page_shows_each_problem_next_to_its_field(form: Any) -> None:
    response = submit_page(Client(), form.slug, person(email="", zip5="abc"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Email is required." in html
    assert "Enter a 5-digit ZIP code." in html
    assert 'href="#id_zip5"' in html, "the summary links to the field"
    assert volunteers_selectors.signup_submission_count() == 0


def test_a_double_submit_of_the_page_lands_once(form: Any) -> None:
    client = Client()
    page = client.get(f"/f/{form.slug}/").content.decode()
    data = {**page_fields(page), **person(), "q_shirt": "M", "consents": ["voting_info"]}
    first = client.post(f"/f/{form.slug}/", data)
    second = client.post(f"/f/{form.slug}/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert volunteers_selectors.signup_submission_count() == 1
    thanks = client.get(first["Location"]).content.decode()
    assert "Thank you, Maya!" in thanks
    assert "/f/join-the-team/?ref=" in thanks


def test_a_bot_filling_the_hidden_field_sees_a_thank_you_and_nothing_is_written(
    form: Any,
) -> None:
    response = submit_page(Client(), form.slug, person(), website="http://spam.example")
    assert response.status_code == 302
    assert "/thanks/" in response["Location"]
    assert volunteers_selectors.signup_submission_count() == 0


@pytest.mark.parametrize("trap", ["too_fast", "no_token"])
def test_a_quick_or_stale_post_is_asked_again_never_thanked_and_dropped(
    form: Any, settings: Any, trap: str
) -> None:
    """A browser's autofill posts within two seconds; a page left open for a week has a
    stale start time. Either may be a real person: they are asked to send it again."""
    client = Client()
    hidden: dict[str, str] = {}
    if trap == "too_fast":
        settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 60
    else:
        hidden["started"] = "forged"
    response = submit_page(client, form.slug, person(), **hidden)
    assert response.status_code == 400
    page = response.content.decode()
    assert "press the button again" in page
    assert 'value="Maya"' in page, "what they typed is kept"
    assert volunteers_selectors.signup_submission_count() == 0

    settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 0
    again = client.post(f"/f/{form.slug}/", {**page_fields(page), **person()})
    assert again.status_code == 302
    assert volunteers_selectors.signup_submission_count() == 1


def test_the_embed_may_be_framed_and_the_page_may_not(form: Any) -> None:
    assert "X-Frame-Options" not in Client().get(f"/f/{form.slug}/embed/")
    assert Client().get(f"/f/{form.slug}/")["X-Frame-Options"] == "DENY"


def test_an_oversized_page_post_is_refused_with_413(form: Any) -> None:
    response = Client().post(f"/f/{form.slug}/", {"first_name": "x" * 20_000})
    assert response.status_code == 413


def test_the_donation_thanks_prefills_the_form_and_ignores_a_tampered_link(form: Any) -> None:
    token = signup_rules.prefill_token({"first_name": "Dana", "email": "dana@example.org"})
    page = Client().get(f"/thanks/donation/?t={token}").content.decode()
    assert 'value="Dana"' in page
    assert 'value="donation"' in page, "sign-ups from the ask are counted as such"
    tampered = Client().get(f"/thanks/donation/?t={token[:-2]}xx").content.decode()
    assert "Dana" not in tampered
    assert "could not read your details" in tampered


# Staff: queue and dashboard ---------------------------------------------------------------


def test_the_queue_shows_organizers_their_units_only_until_reached(
    form: Any, campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    post_api(Client(), form.slug, person(first_name="Durham", last_name="Volunteer"))
    volunteers_services.signup_pending_drain()
    triangle = client_for(make_staff(role="organizer", unit=campaign.triangle))
    guilford = client_for(make_staff(role="organizer", unit=campaign.guilford))
    assert "Durham Volunteer" in triangle.get("/volunteers/").content.decode()
    assert "Durham Volunteer" not in guilford.get("/volunteers/").content.decode()
    follow_up = volunteers_selectors.follow_up_queue(scope=organizing_selectors.SYSTEM_SCOPE)[0]
    reached = {f"f{follow_up.pk}-outcome": "reached"}
    assert guilford.post(f"/volunteers/{follow_up.pk}/attempts/", reached).status_code == 404
    assert triangle.post(f"/volunteers/{follow_up.pk}/attempts/", reached).status_code == 302
    assert "Nobody is due a call" in triangle.get("/volunteers/").content.decode()


def test_the_live_dashboard_and_its_json(
    form: Any, campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    post_api(Client(), form.slug, person(), key="dash-0001")
    post_api(Client(), form.slug, {**person(), "source": "email"}, key="dash-0002")
    volunteers_services.signup_pending_drain()
    staff = client_for(make_staff(role="organizer", unit=campaign.triangle))
    assert staff.get("/volunteers/intake/").status_code == 200
    live = staff.get("/volunteers/intake/live.json").json()
    assert (live["total"], live["last_minute"], live["uncontacted"]) == (2, 2, 1)
    assert live["by_state"] == [["NC", 2]]
    assert sorted(live["by_source"]) == [["email", 1], ["web", 1]]
    assert "<svg" in live["chart_html"]
    assert Client().get("/volunteers/intake/live.json").status_code == 302


def test_staff_create_and_publish_a_form_through_the_pages(
    campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    staff = client_for(make_staff(role="director", unit=campaign.nc))
    response = staff.post(
        "/volunteers/forms/new/",
        {
            "title": "Weekend of action",
            "org_unit": campaign.nc.pk,
            "phone": "required",
            "zip5": "required",
            "street": "off",
            "questions": "Shirt size: S, M, L *\nCan you drive?",
            "consent_topics": ["volunteering"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    detail = response["Location"]
    assert staff.post(detail, {"action": "publish"}).status_code == 302
    page = Client().get("/f/weekend-of-action/").content.decode()
    assert "Shirt size" in page
    assert "Can you drive?" in page
    assert staff.post(detail, {"action": "clone"}).status_code == 302
    assert "Weekend of action (copy)" in staff.get("/volunteers/forms/").content.decode()


def test_the_form_editor_page_title_is_plain_text(
    campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    admin = client_for(make_staff(role="admin", unit=campaign.national))
    html = admin.get("/volunteers/forms/new/").content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("New sign-up form")
    assert "<" not in title, "no markup inside the document title"
