"""The issues a result recorded (``CanvassResult.issues``) become its answers to the issues
question, in the order named, so that there is one source of issues before the column goes.
A result whose answers exist already is skipped, so the migration can run twice."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    CanvassResult = apps.get_model("field", "CanvassResult")
    CanvassAnswer = apps.get_model("field", "CanvassAnswer")
    answered = set(
        CanvassAnswer.objects.filter(question="issues").values_list("result_id", flat=True)
    )
    rows = []
    results = CanvassResult.objects.exclude(issues=[]).values_list(
        "pk", "script_version_id", "issues"
    )
    for pk, version_id, issues in results.iterator():
        if pk in answered or not isinstance(issues, list):
            continue
        rows.extend(
            CanvassAnswer(
                result_id=pk,
                script_version_id=version_id,
                question="issues",
                option=str(issue)[:40],
                position=position,
            )
            for position, issue in enumerate(dict.fromkeys(issues))
        )
    CanvassAnswer.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("field", "0004_canvass_answers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
