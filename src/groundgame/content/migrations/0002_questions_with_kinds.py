"""Survey questions gain a kind: the earlier shape ({"key", "label"}) becomes a question of
the new one. The issues question becomes the campaign's eight issues as a multi-choice; the
support question is dropped, since the support score is recorded by the canvass app itself;
any other becomes a free-text question with the same words. Questions already in the new
shape are left alone, so the migration can run twice."""

from __future__ import annotations

from typing import Any

from django.db import migrations

ISSUES = [
    ("inflation", "Inflation and cost of living"),
    ("immigration", "The border and immigration"),
    ("abortion", "Abortion"),
    ("democracy", "Democracy"),
    ("health_care", "Health care"),
    ("housing", "Housing"),
    ("jobs", "Jobs"),
    ("other", "Other"),
]


def _question(old: dict[str, Any]) -> dict[str, Any] | None:
    if "kind" in old:
        return old
    key, prompt = str(old.get("key", "")), str(old.get("label", ""))[:300]
    if key == "support":
        return None
    if key == "issues":
        options = [{"key": k, "label": label} for k, label in ISSUES]
        return {
            "key": key,
            "kind": "multi",
            "prompt": prompt,
            "required": False,
            "options": options,
        }
    return {"key": key, "kind": "text", "prompt": prompt, "required": False}


def forwards(apps: Any, schema_editor: Any) -> None:
    ContentVersion = apps.get_model("content", "ContentVersion")
    changed = []
    for version in ContentVersion.objects.exclude(questions=[]).iterator():
        questions = [q for old in version.questions if (q := _question(old)) is not None]
        if questions != version.questions:
            version.questions = questions
            changed.append(version)
    ContentVersion.objects.bulk_update(changed, ["questions"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
