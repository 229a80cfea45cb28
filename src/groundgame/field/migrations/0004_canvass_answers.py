"""The answers to a script's survey questions, a row per question (and per option chosen)
of each canvass result."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_questions_with_kinds"),
        ("field", "0003_walklist_shift_in_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="CanvassAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("question", models.CharField(max_length=40)),
                ("option", models.CharField(blank=True, max_length=40)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("number", models.SmallIntegerField(blank=True, null=True)),
                ("text", models.TextField(blank=True)),
                (
                    "result",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="field.canvassresult",
                    ),
                ),
                (
                    "script_version",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="content.contentversion",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["script_version", "question", "option", "number"],
                        name="canvass_answer_count_idx",
                    ),
                    models.Index(fields=["question", "option"], name="canvass_answer_option_idx"),
                ],
            },
        ),
    ]
