"""The migrations that made survey questions real keep what was there: a script version's
questions in the earlier shape ({"key", "label"}) become questions with kinds (the issues a
multi-choice of the eight, the support question dropped, any other free text), and the issues
each result recorded become its answers to the issues question, in order."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from groundgame.content.models import ContentVersion
from groundgame.field.models import CanvassAnswer

BEFORE = [("field", "0003_walklist_shift_in_events"), ("content", "0001_initial")]
WHEN = dt.datetime(2026, 10, 3, 14, tzinfo=dt.UTC)
OLD_QUESTIONS = [
    {"key": "support", "label": "On a scale of 1 to 5, how likely are you to support us?"},
    {"key": "issues", "label": "What issues matter most to you?"},
    {"key": "vote_plan", "label": "Do you know when and where you will vote?"},
]


def _fill(apps: Any) -> dict[str, int]:
    """A script version with questions of the earlier shape, and two results on a list."""
    unit = apps.get_model("organizing", "OrgUnit").objects.create(
        name="National", kind="national", path=""
    )
    item = apps.get_model("content", "ContentItem").objects.create(
        kind="script", title="Doors", org_unit=unit
    )
    version = apps.get_model("content", "ContentVersion").objects.create(
        item=item, number=1, body="Hi", questions=OLD_QUESTIONS, status="approved"
    )
    universe = apps.get_model("people", "Universe").objects.create(name="Doors")
    cut = apps.get_model("field", "TurfCut").objects.create(
        universe=universe, org_unit=unit, name="Cut", target_doors=5
    )
    turf = apps.get_model("field", "Turf").objects.create(
        cut=cut, number=1, name="Turf 1", org_unit=unit
    )
    walk_list = apps.get_model("field", "WalkList").objects.create(
        turf=turf, code="OLDLIST1", script=item
    )
    household = apps.get_model("people", "Household").objects.create(
        street="1 Main St", city="Durham", state="NC", zip5="27701", county_fips="37063"
    )
    results = apps.get_model("field", "CanvassResult")
    common = {
        "walk_list": walk_list,
        "household": household,
        "org_unit": unit,
        "recorded_at": WHEN,
        "synced_at": WHEN,
    }
    talked = results.objects.create(
        client_id=uuid.uuid4(),
        outcome="talked",
        issues=["housing", "inflation", "housing"],
        script_version=version,
        **common,
    )
    results.objects.create(client_id=uuid.uuid4(), outcome="not_home", issues=[], **common)
    return {"version": version.pk, "talked": talked.pk}


@pytest.mark.django_db(transaction=True)
def test_old_questions_and_issues_become_questions_and_answers() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    ours = _fill(executor.loader.project_state(BEFORE).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    questions = ContentVersion.objects.get(pk=ours["version"]).questions
    assert [(q["key"], q["kind"]) for q in questions] == [
        ("issues", "multi"),
        ("vote_plan", "text"),
    ]
    assert questions[0]["prompt"] == "What issues matter most to you?"
    assert [o["key"] for o in questions[0]["options"]][:2] == ["inflation", "immigration"]
    answers = CanvassAnswer.objects.order_by("position")
    assert [(a.result_id, a.script_version_id, a.question, a.option) for a in answers] == [
        (ours["talked"], ours["version"], "issues", "housing"),
        (ours["talked"], ours["version"], "issues", "inflation"),
    ]
