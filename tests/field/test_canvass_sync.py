"""The canvassing app's API over HTTP: a list downloaded by its code, results synced once
however often they are sent, every kind of bad result answered on its row and kept for
review, do-not-contact requests passed on to consent, and a 200 that means committed."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from groundgame.audit.models import AuditEvent
from groundgame.consent import selectors as consent_selectors
from groundgame.field.models import CanvassResult, SyncRejection
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list, new_script_version, recorded
from tests.helpers import assert_api_error

SYNC = "/api/field/sync"


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham)


def result(canvass: Canvass, door: int = 0, **fields: Any) -> dict[str, Any]:
    """A well-formed result for a door of the list, as the app sends it."""
    household = canvass.door(door)
    row: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "household_id": household.pk,
        "outcome": "not_home",
        # Doors a few minutes apart, in walking order: nothing for the quality rules.
        "recorded_at": recorded(60 - 3 * door),
        "script_version": canvass.script_versions[0].pk if canvass.script_versions else None,
    }
    row.update(fields)
    return row


def sync(client: Client, code: str, results: list[Any]) -> Any:
    response = client.post(
        SYNC, json.dumps({"list_code": code, "results": results}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_list_downloads_with_its_code_in_walking_order(canvass: Canvass, client: Client) -> None:
    response = client.get(f"/api/field/lists/{canvass.code.lower()}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    bundle = response.json()
    assert bundle["code"] == canvass.code
    assert [h["id"] for h in bundle["households"]] == [h.pk for h in canvass.households]
    assert [h["position"] for h in bundle["households"]] == list(range(1, 7))
    first = bundle["households"][0]
    assert first["street"] == "100 Chapel Hill St"
    assert {p["id"] for p in first["people"]} == {p.pk for p in canvass.people[first["id"]]}
    assert bundle["script"]["version_id"] == canvass.script_versions[0].pk
    assert "most important issue" in bundle["script"]["body"]
    assert [item["title"] for item in bundle["literature"]] == ["Lower costs leaflet"]
    assert {o["key"] for o in bundle["outcomes"]} == {
        "not_home",
        "talked",
        "refused",
        "moved",
        "inaccessible",
        "come_back",
    }
    # A new script asks the campaign's issues, a multi-choice question.
    (issues,) = bundle["script"]["questions"]
    assert (issues["key"], issues["kind"]) == ("issues", "multi")
    assert [o["key"] for o in issues["options"]][:2] == ["inflation", "immigration"]
    # A download of names and addresses is logged, naming the list.
    assert AuditEvent.objects.filter(
        action="field.walklist.download", entity_id=str(canvass.walk_list.pk)
    ).exists()


def test_a_newer_approved_script_replaces_the_old_one_in_the_download(
    canvass: Canvass, client: Client
) -> None:
    newer = new_script_version(canvass, "Hi! Can we count on your vote on November 3?")
    bundle = client.get(f"/api/field/lists/{canvass.code}").json()
    assert bundle["script"]["version_id"] == newer.pk
    assert bundle["script"]["number"] == 2


def test_unknown_closed_and_expired_lists_do_not_download(canvass: Canvass, client: Client) -> None:
    missing = client.get("/api/field/lists/NOPE1234")
    assert_api_error(missing, 404, "walk_list_not_found")
    canvass.walk_list.expires_at = timezone.now() - dt.timedelta(minutes=1)
    canvass.walk_list.save()
    expired = client.get(f"/api/field/lists/{canvass.code}")
    assert_api_error(expired, 410, "walk_list_expired")
    canvass.walk_list.closed_at = timezone.now() - dt.timedelta(minutes=1)
    canvass.walk_list.save()
    closed = client.get(f"/api/field/lists/{canvass.code}")
    assert_api_error(closed, 410, "walk_list_closed")


def test_results_land_once_however_often_they_are_synced(canvass: Canvass, client: Client) -> None:
    person = canvass.people[canvass.door(1).pk][0]
    batch = [
        result(canvass, 0),
        result(
            canvass,
            1,
            outcome="talked",
            person_id=person.pk,
            support=2,
            answers={"issues": ["inflation", "housing"]},
            notes=" Wants a yard sign. ",
            latitude=canvass.door(1).latitude,
            longitude=canvass.door(1).longitude,
            canvasser_name="Maya",
        ),
        result(canvass, 2, outcome="refused"),
    ]
    first = sync(client, canvass.code, batch)
    assert (first["accepted"], first["duplicate"], first["rejected"]) == (3, 0, 0)
    assert [r["status"] for r in first["results"]] == ["accepted"] * 3
    assert first["script_version"] == canvass.script_versions[0].pk

    stored = CanvassResult.objects.get(client_id=batch[1]["client_id"])
    assert (stored.outcome, stored.support) == ("talked", 2)
    answers = stored.answers.order_by("position").values_list("question", "option")
    assert list(answers) == [("issues", "inflation"), ("issues", "housing")]
    assert (stored.person_id, stored.notes, stored.canvasser_name) == (
        person.pk,
        "Wants a yard sign.",
        "Maya",
    )
    assert stored.org_unit_id == canvass.team.pk
    assert stored.script_version_id == canvass.script_versions[0].pk
    assert stored.review == ""
    assert stored.flags == []

    # The phone did not hear back and sends everything again, plus one new door.
    again = sync(client, canvass.code, [*batch, result(canvass, 3)])
    assert (again["accepted"], again["duplicate"], again["rejected"]) == (1, 3, 0)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3 + ["accepted"]
    # The same result twice in one batch is one result.
    twice = result(canvass, 4)
    doubled = sync(client, canvass.code, [twice, twice])
    assert [r["status"] for r in doubled["results"]] == ["accepted", "duplicate"]
    assert CanvassResult.objects.count() == 5
    # A replay that says something else is still the first result: the phone's id decides.
    changed = dict(batch[0], outcome="talked", support=1)
    assert sync(client, canvass.code, [changed])["results"][0]["status"] == "duplicate"
    assert CanvassResult.objects.get(client_id=batch[0]["client_id"]).outcome == "not_home"
    assert AuditEvent.objects.filter(action="field.canvass_sync").count() == 3


BAD_RESULTS = [
    # (what is wrong, the change to a good result, the code, the field)
    ("not an object", "oops", "result_invalid", ""),
    ("no client id", {"client_id": None}, "client_id_invalid", "client_id"),
    ("client id not a UUID", {"client_id": "12345"}, "client_id_invalid", "client_id"),
    ("no household", {"household_id": None}, "result_invalid", "household_id"),
    ("a door of another list", {"household_id": -1}, "household_not_on_list", "household_id"),
    ("bad outcome", {"outcome": "abducted"}, "outcome_invalid", "outcome"),
    ("support 0", {"outcome": "talked", "support": 0}, "support_invalid", "support"),
    ("support 6", {"outcome": "talked", "support": 6}, "support_invalid", "support"),
    ("support as text", {"outcome": "talked", "support": "2"}, "support_invalid", "support"),
    ("support true", {"outcome": "talked", "support": True}, "support_invalid", "support"),
    (
        "issues outside the answers",
        {"outcome": "talked", "issues": ["jobs"]},
        "issue_unknown",
        "issues",
    ),
    (
        "unknown issue",
        {"outcome": "talked", "answers": {"issues": ["taxes"]}},
        "answer_invalid",
        "answers.issues",
    ),
    (
        "issues not a list",
        {"outcome": "talked", "answers": {"issues": "jobs"}},
        "answer_invalid",
        "answers.issues",
    ),
    (
        "a question the script does not ask",
        {"outcome": "talked", "answers": {"shoe_size": "9"}},
        "answer_question_unknown",
        "answers.shoe_size",
    ),
    (
        "answers without a script version",
        {"outcome": "talked", "script_version": None, "answers": {"issues": ["jobs"]}},
        "answers_script_unknown",
        "script_version",
    ),
    ("survey without talking", {"support": 1}, "survey_without_conversation", "outcome"),
    (
        "answers without talking",
        {"answers": {"issues": ["jobs"]}},
        "survey_without_conversation",
        "outcome",
    ),
    ("notes too long", {"notes": "x" * 2001}, "notes_too_long", "notes"),
    ("notes not text", {"notes": 5}, "result_invalid", "notes"),
    ("no time", {"recorded_at": None}, "recorded_at_invalid", "recorded_at"),
    (
        "time without offset",
        {"recorded_at": "2026-10-31T10:00:00"},
        "recorded_at_invalid",
        "recorded_at",
    ),
    (
        "time in the future",
        {"recorded_at": "2999-01-01T00:00:00Z"},
        "recorded_at_invalid",
        "recorded_at",
    ),
    (
        "time before the list",
        {"recorded_at": "2020-01-01T00:00:00Z"},
        "recorded_at_invalid",
        "recorded_at",
    ),
    ("latitude alone", {"latitude": 35.9}, "location_invalid", "latitude"),
    (
        "latitude out of range",
        {"latitude": 135.9, "longitude": -78.9},
        "location_invalid",
        "latitude",
    ),
    ("bad do-not-contact", {"do_not_contact": "maybe"}, "do_not_contact_invalid", "do_not_contact"),
    (
        "never contact without a person",
        {"do_not_contact": "all"},
        "do_not_contact_invalid",
        "person_id",
    ),
    (
        "a person of another door",
        {"person_id": "elsewhere"},
        "person_not_at_household",
        "person_id",
    ),
]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [case[1:] for case in BAD_RESULTS],
    ids=[case[0] for case in BAD_RESULTS],
)
def test_a_bad_result_is_rejected_on_its_row_and_kept_while_the_good_ones_land(
    canvass: Canvass, client: Client, change: Any, code: str, field: str
) -> None:
    if isinstance(change, dict) and change.get("person_id") == "elsewhere":
        change = {"person_id": canvass.people[canvass.door(5).pk][0].pk}
    bad = dict(result(canvass, 1), **change) if isinstance(change, dict) else change
    good = [result(canvass, 0), result(canvass, 2)]
    answer = sync(client, canvass.code, [good[0], bad, good[1]])
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected", "accepted"]
    row = answer["results"][1]
    assert (row["code"], row["field"]) == (code, field)
    assert row["message"]
    assert set(CanvassResult.objects.values_list("client_id", flat=True)) == {
        uuid.UUID(g["client_id"]) for g in good
    }
    kept = SyncRejection.objects.get()
    assert (kept.code, kept.field, kept.list_code) == (code, field, canvass.code)
    assert kept.payload == bad
    assert kept.org_unit_id == canvass.team.pk
    # Sent again, the rejected result is answered the same and kept once.
    again = sync(client, canvass.code, [bad])
    assert again["results"][0]["code"] == code
    assert SyncRejection.objects.count() == 1


def test_control_characters_are_dropped_so_a_pasted_nul_holds_back_no_result(
    canvass: Canvass, client: Client
) -> None:
    # PostgreSQL cannot store NUL: before, one in a note failed the whole batch with a 500.
    noted = result(canvass, 0, outcome="talked", notes="Call\x00 back", canvasser_name="Ma\x00ya")
    refused = result(canvass, 1, outcome="sang\x00")
    answer = sync(client, canvass.code, [noted, refused])
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"]
    stored = CanvassResult.objects.get()
    assert (stored.notes, stored.canvasser_name) == ("Call back", "Maya")
    assert SyncRejection.objects.get().payload["outcome"] == "sang"


def test_an_unknown_list_code_is_a_404_and_keeps_nothing(client: Client, db: None) -> None:
    rows = [
        {"client_id": str(uuid.uuid4()), "household_id": 1, "outcome": "talked", "notes": "x" * 900}
        for _ in range(200)
    ]
    for _ in range(5):
        response = client.post(
            SYNC, json.dumps({"list_code": "NOSUCHLIST", "results": rows}), "application/json"
        )
        assert_api_error(response, 404, "walk_list_not_found", "list_code")
    assert SyncRejection.objects.count() == 0
    assert CanvassResult.objects.count() == 0
    assert not AuditEvent.objects.filter(action="field.canvass_sync").exists()


def test_syncs_are_rate_limited_per_client_address(
    canvass: Canvass, client: Client, settings: Any
) -> None:
    settings.GROUNDGAME_CANVASS_SYNC_CLIENT_BURST = 3
    settings.GROUNDGAME_CANVASS_SYNC_PER_CLIENT_PER_MINUTE = 1
    body = json.dumps({"list_code": "NOSUCHLIST", "results": []})
    statuses = [client.post(SYNC, body, "application/json").status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    refused = client.post(SYNC, body, "application/json")
    assert_api_error(refused, 429, "canvass_sync_rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The list's own results wait too; another address is not held up by this one.
    good = json.dumps({"list_code": canvass.code, "results": [result(canvass)]})
    assert client.post(SYNC, good, "application/json").status_code == 429
    other = client.post(SYNC, good, "application/json", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200
    assert CanvassResult.objects.count() == 1


def test_a_closed_list_takes_what_was_recorded_before_it_closed(
    canvass: Canvass, client: Client
) -> None:
    canvass.walk_list.closed_at = timezone.now() - dt.timedelta(minutes=30)
    canvass.walk_list.expires_at = timezone.now() - dt.timedelta(minutes=10)
    canvass.walk_list.save()
    before = result(canvass, 0, recorded_at=recorded(45))
    after_close = result(canvass, 1, recorded_at=recorded(20))
    answer = sync(client, canvass.code, [before, after_close])
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"]
    assert answer["results"][1]["code"] == "recorded_after_close"
    canvass.walk_list.closed_at = None
    canvass.walk_list.save()
    late = sync(client, canvass.code, [result(canvass, 2, recorded_at=recorded(5))])
    assert late["results"][0]["code"] == "recorded_after_expiry"
    # Answered, not kept: the list's code no longer vouches for new work.
    assert not SyncRejection.objects.exists()


def test_an_old_script_version_is_accepted_and_noted(canvass: Canvass, client: Client) -> None:
    old = canvass.script_versions[0]
    newer = new_script_version(canvass, "Hi! Can we count on your vote?")
    answer = sync(
        client,
        canvass.code,
        [
            result(canvass, 0, script_version=old.pk),
            result(canvass, 1, script_version=newer.pk),
            result(canvass, 2, script_version=999_999),
        ],
    )
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 3
    assert answer["results"][0]["warnings"] == ["script_version_stale"]
    assert "warnings" not in answer["results"][1]
    assert answer["results"][2]["warnings"] == ["script_version_unknown"]
    assert answer["script_version"] == newer.pk
    versions = dict(CanvassResult.objects.values_list("household_id", "script_version_id"))
    assert versions == {
        canvass.door(0).pk: old.pk,
        canvass.door(1).pk: newer.pk,
        canvass.door(2).pk: None,
    }


def test_do_not_contact_requests_reach_consent(canvass: Canvass, client: Client) -> None:
    from groundgame.consent.models import Topic

    topic = Topic.objects.get_or_create(key="voting", defaults={"name": "Voting"})[0]
    door_person = canvass.people[canvass.door(0).pk][0]
    never_person = canvass.people[canvass.door(1).pk][1]
    household = canvass.people[canvass.door(2).pk]
    sync(
        client,
        canvass.code,
        [
            result(canvass, 0, outcome="talked", person_id=door_person.pk, do_not_contact="door"),
            result(canvass, 1, outcome="talked", person_id=never_person.pk, do_not_contact="all"),
            result(canvass, 2, outcome="refused", do_not_contact="door"),
        ],
    )

    def decision(person: Any, channel: str) -> str:
        return consent_selectors.contact_decision(
            person_id=person.pk, channel=channel, topic=topic
        ).reason

    assert decision(door_person, "door") == "channel_left"
    assert decision(door_person, "phone") != "channel_left"  # doors only
    assert decision(never_person, "door") == "do_not_contact"
    assert decision(never_person, "email") == "do_not_contact"
    assert {decision(p, "door") for p in household} == {"channel_left"}
    # The other resident of the first door asked nothing.
    assert decision(canvass.people[canvass.door(0).pk][1], "door") == ""
    assert CanvassResult.objects.filter(do_not_contact=True).count() == 3


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "invalid_json", None),
        (b"[1, 2]", 422, "batch_invalid", None),
        (b'{"results": []}', 422, "batch_invalid", "list_code"),
        (b'{"list_code": "DURHAM42", "results": {}}', 422, "batch_invalid", "results"),
        (
            json.dumps({"list_code": "DURHAM42", "results": [{}] * 201}).encode(),
            422,
            "batch_too_large",
            "results",
        ),
        (
            json.dumps({"list_code": "x", "results": [{"notes": "x" * 600_000}]}).encode(),
            413,
            "payload_too_large",
            None,
        ),
    ],
    ids=["not json", "not an object", "no code", "results not a list", "too many", "too big"],
)
def test_a_request_that_is_not_a_batch_is_refused_whole(
    canvass: Canvass, client: Client, body: bytes, status: int, code: str, field: str | None
) -> None:
    response = client.post(SYNC, body, content_type="application/json")
    assert_api_error(response, status, code, field)
    assert CanvassResult.objects.count() == 0
    assert SyncRejection.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_acknowledged_sync_is_committed(campaign: Campaign) -> None:
    """A 200 is sent only after the commit: another connection sees every accepted row."""
    canvass = build_walk_list(team=campaign.durham)
    rows = [result(canvass, n) for n in range(4)]
    answer = sync(Client(), canvass.code, rows)
    assert answer["accepted"] == 4
    seen: list[int] = []

    def look() -> None:
        from django.db import connection as other

        try:
            seen.append(CanvassResult.objects.filter(walk_list__code=canvass.code).count())
        finally:
            other.close()

    reader = threading.Thread(target=look)
    reader.start()
    reader.join()
    assert seen == [4]


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_syncs_store_each_result_once_on_postgresql(
    campaign: Campaign,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them by itself")
    canvass = build_walk_list(team=campaign.durham)
    batch = [result(canvass, n % 6, recorded_at=recorded(60 - n)) for n in range(30)]
    # Overlapping batches in other orders too: a retry racing the first attempt.
    batches = [batch, batch, list(reversed(batch)), batch[10:], batch[:20]] * 2
    barrier = threading.Barrier(len(batches))
    answers: list[dict[str, Any]] = []
    failures: list[BaseException] = []

    def one(rows: list[dict[str, Any]]) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            answers.append(sync(Client(), canvass.code, rows))
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=one, args=(rows,)) for rows in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert CanvassResult.objects.count() == 30
    assert sum(a["accepted"] for a in answers) == 30
    assert sum(a["rejected"] for a in answers) == 0
    assert sum(a["accepted"] + a["duplicate"] for a in answers) == sum(len(b) for b in batches)
