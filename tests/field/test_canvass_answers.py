"""Answers to the script's own questions, synced from the canvass app: each checked against
the questions of the version the canvasser was shown, stored per question and option, and a
bad one rejected on its row naming the answer, with nothing of it stored."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from groundgame.field.models import CanvassAnswer, CanvassResult, SyncRejection
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list, new_script_version, recorded

QUESTIONS = [
    {
        "key": "enthusiasm",
        "kind": "scale",
        "prompt": "How excited are you to vote?",
        "min": 1,
        "max": 5,
        "min_label": "Not at all",
        "max_label": "Very",
    },
    {
        "key": "vote_plan",
        "kind": "choice",
        "prompt": "How will you vote?",
        "required": True,
        "options": [{"key": "early", "label": "Early"}, {"key": "mail", "label": "By mail"}],
    },
    {"key": "comment", "kind": "text", "prompt": "Anything else?"},
]


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    canvass = build_walk_list(team=campaign.durham)
    new_script_version(canvass, "Hi! Two questions today.", QUESTIONS)
    return canvass


def talked(canvass: Canvass, door: int, version: Any, **answers: Any) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "household_id": canvass.door(door).pk,
        "outcome": "talked",
        "recorded_at": recorded(60 - 3 * door),
        "script_version": version.pk,
        "answers": answers,
    }


def sync(client: Client, canvass: Canvass, results: list[Any]) -> Any:
    response = client.post(
        "/api/field/sync",
        json.dumps({"list_code": canvass.code, "results": results}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_download_carries_the_approved_versions_questions(
    canvass: Canvass, client: Client
) -> None:
    script = client.get(f"/api/field/lists/{canvass.code}").json()["script"]
    assert script["version_id"] == canvass.script_versions[1].pk
    assert [q["key"] for q in script["questions"]] == ["enthusiasm", "vote_plan", "comment"]
    assert script["questions"][0] | {"min": 1, "max": 5} == script["questions"][0]


def test_answers_are_stored_per_question_and_checked_against_the_version_shown(
    canvass: Canvass, client: Client
) -> None:
    first, current = canvass.script_versions
    answer = sync(
        client,
        canvass,
        [
            talked(canvass, 0, current, enthusiasm=4, vote_plan="early", comment=" Rides? "),
            # A phone that still showed the first version answers its issues question.
            talked(canvass, 1, first, issues=["housing", "jobs"]),
        ],
    )
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"]
    assert answer["results"][1]["warnings"] == ["script_version_stale"]
    rows = CanvassAnswer.objects.order_by("result__recorded_at", "question", "position")
    assert [(r.script_version_id, r.question, r.option, r.number, r.text) for r in rows] == [
        (current.pk, "comment", "", None, "Rides?"),
        (current.pk, "enthusiasm", "", 4, ""),
        (current.pk, "vote_plan", "early", None, ""),
        (first.pk, "issues", "housing", None, ""),
        (first.pk, "issues", "jobs", None, ""),
    ]


BAD_ANSWERS = [
    # (what is wrong, the answers, the code, the field)
    ("off the scale", {"enthusiasm": 6, "vote_plan": "early"}, "answer_invalid", "enthusiasm"),
    ("a scale as text", {"enthusiasm": "4", "vote_plan": "early"}, "answer_invalid", "enthusiasm"),
    ("an option not offered", {"vote_plan": "by_pigeon"}, "answer_invalid", "vote_plan"),
    ("a required question left out", {"enthusiasm": 3}, "answer_required", "vote_plan"),
    (
        "text too long",
        {"vote_plan": "mail", "comment": "x" * 501},
        "answer_invalid",
        "comment",
    ),
    (
        "a question of the old version",
        {"vote_plan": "mail", "issues": ["jobs"]},
        "answer_question_unknown",
        "issues",
    ),
]


@pytest.mark.parametrize(
    ("answers", "code", "key"),
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_a_bad_answer_rejects_its_result_naming_the_answer(
    canvass: Canvass, client: Client, answers: dict[str, Any], code: str, key: str
) -> None:
    current = canvass.script_versions[1]
    bad = talked(canvass, 1, current, **answers)
    good = talked(canvass, 0, current, vote_plan="mail")
    answer = sync(client, canvass, [good, bad])
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"]
    row = answer["results"][1]
    assert (row["code"], row["field"]) == (code, f"answers.{key}")
    assert key in row["message"]
    assert list(CanvassResult.objects.values_list("client_id", flat=True)) == [
        uuid.UUID(good["client_id"])
    ]
    assert list(CanvassAnswer.objects.values_list("question", "option")) == [("vote_plan", "mail")]
    assert SyncRejection.objects.get().field == f"answers.{key}"


def test_a_door_nobody_talked_at_needs_no_answers(canvass: Canvass, client: Client) -> None:
    # The required question is asked only in a conversation.
    row = dict(talked(canvass, 0, canvass.script_versions[1]), outcome="not_home", answers={})
    assert sync(client, canvass, [row])["accepted"] == 1
    assert not CanvassAnswer.objects.exists()
