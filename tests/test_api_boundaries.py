"""Hostile input at every API boundary: JSON nested thousands deep, lone surrogates, NUL,
NaN and infinite coordinates, integers past any column. Each is a 4xx with a stable code
naming the field, never a 500, and a batch refuses its bad rows alone."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from groundgame.events.models import ShiftSignup
from groundgame.field.models import CanvassResult, SyncRejection
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services
from tests.conftest import Campaign
from tests.events.test_events import make_event
from tests.field.builders import Canvass, build_walk_list, recorded
from tests.helpers import assert_api_error

DEEP = "[" * 3000 + "]" * 3000
# A JSON escape for half of a surrogate pair: json.loads gives a str no database stores.
LONE_SURROGATE = "\\ud800"


def post(client: Client, url: str, body: str, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def form(campaign: Campaign) -> Any:
    signup = volunteers_services.signup_form_create(
        actor=None, title="Join", org_unit=campaign.nc, questions=[], consent_topics=[]
    )
    return volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham)


def signup_body(first_name: str = '"Maya"') -> str:
    return (
        f'{{"first_name": {first_name}, "last_name": "Lopez", '
        f'"email": "maya.{uuid.uuid4().hex[:8]}@example.org", "zip5": "27701"}}'
    )


# Sign-ups --------------------------------------------------------------------------------


def test_a_sign_up_nested_thousands_deep_is_refused_as_too_deep(form: Any) -> None:
    response = post(
        Client(),
        f"/api/public/signups/{form.slug}",
        f'{{"answers": {DEEP}}}',
        HTTP_IDEMPOTENCY_KEY="deep-key-01",
    )
    assert_api_error(response, 400, "json_too_deep")
    assert volunteers_selectors.signup_submission_count() == 0


def test_a_sign_up_with_half_a_surrogate_is_refused_at_its_field_and_the_next_lands(
    form: Any,
) -> None:
    client = Client()
    url = f"/api/public/signups/{form.slug}"
    bad = post(
        client, url, signup_body(f'"Ma{LONE_SURROGATE}ya"'), HTTP_IDEMPOTENCY_KEY="bad-key-01"
    )
    assert_api_error(bad, 422, "signup_invalid", "first_name")
    assert "surrogate" in bad.json()["message"]
    good = post(client, url, signup_body(), HTTP_IDEMPOTENCY_KEY="good-key-01")
    assert good.status_code == 201, good.content
    assert volunteers_selectors.signup_submission_count(form.pk) == 1


# RSVPs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", f'"Ann{LONE_SURROGATE}"'),
        ("first_name", '"An\\u0000n"'),
        ("last_name", '"Le\\u0000e"'),
        ("email", '"ann\\u0000@example.org"'),
        ("phone", '"919\\u0000"'),
        ("zip5", '"2770\\u0000"'),
        ("source", '"api\\u0000"'),
    ],
)
def test_bad_text_in_an_rsvp_is_refused_at_its_field(
    campaign: Campaign, field: str, value: str
) -> None:
    shift = make_event(campaign.durham).shifts.get()
    body = {"first_name": '"Ann"', "last_name": '"Lee"', "email": '"ann@example.org"', field: value}
    raw = "{" + ", ".join(f'"{k}": {v}' for k, v in body.items()) + "}"
    response = post(Client(), f"/api/organizing/public/shifts/{shift.pk}/rsvps", raw)
    assert_api_error(response, 422, "validation_failed", field)
    assert not ShiftSignup.objects.exists()


def test_rsvp_cancel_tokens_and_shift_ids_out_of_range_are_4xx(campaign: Campaign) -> None:
    client = Client()
    nul = client.post("/api/organizing/public/rsvps/abc%00def/cancel")
    assert_api_error(nul, 422, "validation_failed", "token")
    huge = post(
        client,
        f"/api/organizing/public/shifts/{2**70}/rsvps",
        '{"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org"}',
    )
    assert_api_error(huge, 422, "validation_failed", "shift_id")


def test_an_event_search_with_nul_is_refused_at_its_field(campaign: Campaign) -> None:
    response = Client().get("/api/organizing/public/events?zip=27701&kind=can%00vass")
    assert_api_error(response, 422, "validation_failed", "kind")


# Canvass sync ----------------------------------------------------------------------------


def result(canvass: Canvass, door: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "household_id": canvass.door(door).pk,
        "outcome": "not_home",
        "recorded_at": recorded(60 - 3 * door),
    }
    row.update(fields)
    return row


def sync(body: str) -> Any:
    return post(Client(), "/api/field/sync", body)


def test_a_sync_nested_thousands_deep_is_refused_as_too_deep(canvass: Canvass) -> None:
    body = json.dumps({"list_code": canvass.code, "results": []})[:-2] + f"[{DEEP}]}}"
    assert_api_error(sync(body), 400, "json_too_deep")


def test_half_a_surrogate_in_a_note_loses_no_result_of_the_batch(canvass: Canvass) -> None:
    good, noted = result(canvass, 0), result(canvass, 1, notes="NOTE")
    body = json.dumps({"list_code": canvass.code, "results": [good, noted]})
    response = sync(body.replace("NOTE", f"Wants a sign {LONE_SURROGATE}"))
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 2
    kept = CanvassResult.objects.get(client_id=noted["client_id"])
    assert kept.notes == "Wants a sign \ufffd"
    assert CanvassResult.objects.filter(client_id=good["client_id"]).exists()


@pytest.mark.parametrize("coordinate", ["1e999", "-1e999"])
def test_an_infinite_coordinate_rejects_its_row_alone(canvass: Canvass, coordinate: str) -> None:
    good, bad = result(canvass, 0), result(canvass, 1, latitude=0.5, longitude=0.5)
    body = json.dumps({"list_code": canvass.code, "results": [good, bad]})
    response = sync(body.replace('"latitude": 0.5', f'"latitude": {coordinate}'))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["accepted"], answer["rejected"]) == (1, 1)
    assert answer["results"][1]["code"] == "location_invalid"
    # Kept for review, with the coordinate as it came.
    assert SyncRejection.objects.get(client_id=bad["client_id"]).payload["latitude"] in (
        "inf",
        "-inf",
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
def test_nan_and_infinity_are_not_json(canvass: Canvass, constant: str) -> None:
    row = result(canvass, 0, latitude=0.5, longitude=0.5)
    body = json.dumps({"list_code": canvass.code, "results": [row]})
    response = sync(body.replace('"latitude": 0.5', f'"latitude": {constant}'))
    assert_api_error(response, 400, "invalid_json")


def test_a_list_code_with_nul_is_not_found_or_refused(canvass: Canvass) -> None:
    response = Client().get("/api/field/lists/AB%00CD")
    assert_api_error(response, 422, "validation_failed", "code")


# Staff API -------------------------------------------------------------------------------


def test_staff_search_and_review_pages_refuse_nul_and_out_of_range_numbers(
    organizer_client: Client,
) -> None:
    assert_api_error(organizer_client.get("/api/people/?q=al%00ice"), 422, "validation_failed", "q")
    for query, field in [
        (f"offset={2**70}", "offset"),
        ("offset=-1", "offset"),
    ]:
        response = organizer_client.get(f"/api/people/reviews?{query}")
        assert_api_error(response, 422, "validation_failed", field)
    # A limit is kept within 1 to 200, however large.
    response = organizer_client.get(f"/api/people/reviews?offset=0&limit={2**70}")
    assert response.status_code == 200
    response = organizer_client.get(f"/api/people/{2**70}")
    assert_api_error(response, 422, "validation_failed", "person_id")


def test_a_person_patch_with_nul_changes_nothing(
    organizer_client: Client, campaign: Campaign
) -> None:
    url = f"/api/people/{campaign.alice.pk}"
    response = organizer_client.patch(
        url, '{"first_name": "Al\\u0000ice"}', content_type="application/json"
    )
    assert_api_error(response, 422, "validation_failed", "first_name")
    response = organizer_client.patch(
        url, f'{{"last_name": "A{LONE_SURROGATE}"}}', content_type="application/json"
    )
    assert_api_error(response, 422, "validation_failed", "last_name")
    campaign.alice.refresh_from_db()
    assert (campaign.alice.first_name, campaign.alice.last_name) == ("Alice", "Aardvark")


def test_find_or_create_refuses_bad_text_and_deep_json(organizer_client: Client) -> None:
    url = "/api/people/find-or-create"
    response = post(organizer_client, url, '{"first_name": "Nu\\u0000l", "last_name": "Lee"}')
    assert_api_error(response, 422, "validation_failed", "first_name")
    response = post(organizer_client, url, f'{{"first_name": {DEEP}, "last_name": "Lee"}}')
    assert_api_error(response, 400, "json_too_deep")
    spec = "%5B" * 3000
    response = organizer_client.get(f"/api/people/universes/count?spec={spec}")
    assert_api_error(response, 422, "universe_spec_invalid", "spec")
    spec = json.dumps({"version": 1, "org_unit": 2**70})
    response = organizer_client.get("/api/people/universes/count", {"spec": spec})
    assert_api_error(response, 422, "universe_spec_invalid", "org_unit")
