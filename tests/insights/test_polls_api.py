"""The polls API: bad input is a 4xx with a stable code naming the field, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from groundgame.insights import errors
from groundgame.insights.models import Poll
from tests.helpers import assert_api_error
from tests.insights.builders import poll_csv, poll_fields, question


def _payload(**changes: Any) -> dict[str, Any]:
    return {k: str(v) if k.endswith("date") else v for k, v in poll_fields(**changes).items()}


def test_an_organizer_adds_a_poll_and_reads_the_average(organizer_client: Client) -> None:
    added = organizer_client.post(
        "/api/insights/polls", _payload(), content_type="application/json"
    )
    assert added.status_code == 201
    assert added.json()["state"] == "NC"
    average = organizer_client.get("/api/insights/polls/average", {"state": "NC"}).json()
    assert average["as_of"] == "2024-10-03"
    (nc,) = average["places"]
    assert nc["margin_lo80"] < nc["margin"] < nc["margin_hi80"]
    assert (
        organizer_client.get("/api/insights/polls", {"state": "North Carolina"}).json()[0][
            "pollster"
        ]
        == "Piedmont Research"
    )


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"state": "Narnia"}, 422, errors.POLL_STATE_UNKNOWN, "state"),
        ({"dem_pct": 130}, 422, errors.POLL_PCT_INVALID, "dem_pct"),
        ({"end_date": "2024-09-01"}, 422, errors.POLL_DATES_INVALID, "end_date"),
        ({"start_date": "0001-01-01"}, 422, errors.POLL_DATES_INVALID, "start_date"),
        ({"population": "everyone"}, 422, errors.POLL_POPULATION_INVALID, "population"),
        ({"dem_pct": "many"}, 422, "validation_failed", "dem_pct"),
        ({"state": "PA"}, 403, errors.POLL_NOT_IN_SCOPE, "state"),
        ({"state": ""}, 403, errors.POLL_NOT_IN_SCOPE, "state"),
    ],
)
def test_bad_polls_are_refused(
    organizer_client: Client, changes: dict[str, Any], status: int, code: str, field: str
) -> None:
    answer = organizer_client.post(
        "/api/insights/polls", _payload(**changes), content_type="application/json"
    )
    assert_api_error(answer, status, code, field)
    assert not Poll.objects.exists()


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"as_of": "yesterday"}, errors.AVERAGE_DATE_INVALID, "as_of"),
        ({"as_of": "0001-01-02"}, errors.AVERAGE_DATE_INVALID, "as_of"),
        ({"state": "Atlantis"}, errors.AVERAGE_STATE_UNKNOWN, "state"),
    ],
)
def test_bad_average_queries_are_refused(
    organizer_client: Client, query: dict[str, str], code: str, field: str
) -> None:
    answer = organizer_client.get("/api/insights/polls/average", query)
    assert_api_error(answer, 422, code, field)


def test_a_poll_file_through_the_api(
    national_analyst: Any, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(national_analyst)
    missing = client.post(
        "/api/insights/polls/imports",
        {"file": SimpleUploadedFile("p.csv", b"question_id,poll_id\n1,1\n")},
    )
    assert_api_error(missing, 422, errors.POLL_FILE_COLUMNS, "file")
    taken = client.post(
        "/api/insights/polls/imports",
        {"file": SimpleUploadedFile("p.csv", poll_csv(question(1, 1)).encode())},
    )
    assert taken.status_code == 202
    assert taken.json()["status"] == "queued"
    found = client.get(f"/api/insights/polls/imports/{taken.json()['id']}")
    assert found.json()["filename"] == "p.csv"
    assert_api_error(
        client.get("/api/insights/polls/imports/999999"), 404, errors.POLL_IMPORT_NOT_FOUND
    )
