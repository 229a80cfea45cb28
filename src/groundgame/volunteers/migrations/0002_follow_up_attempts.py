"""The follow-up queue keeps every call: an attempt per call with its outcome, note and the
shift agreed to, and on the follow-up when the next call is due and whether a call closed it.

The old "contacted" columns stay until ``0003`` has made each of them a first attempt; the
one-open-entry rule and the queue's index move to the new columns in ``0004``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OUTCOMES = [
    ("reached", "Reached"),
    ("left_message", "Left a message"),
    ("wrong_number", "Wrong number"),
    ("not_interested", "Not interested"),
    ("scheduled", "Scheduled a shift"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_mobilize_ids_to_links"),
        ("volunteers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="submission",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="volunteers.signupsubmission",
            ),
        ),
        migrations.AddField(
            model_name="followup",
            name="first_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="outcome",
            field=models.CharField(blank=True, choices=OUTCOMES, max_length=20),
        ),
        migrations.AddField(
            model_name="followup",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="FollowUpAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("made_at", models.DateTimeField()),
                ("outcome", models.CharField(choices=OUTCOMES, max_length=20)),
                ("note", models.CharField(blank=True, max_length=500)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                (
                    "follow_up",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="volunteers.followup",
                    ),
                ),
                (
                    "made_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "shift",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="events.shift",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["follow_up", "made_at"], name="followup_attempt_idx")
                ],
            },
        ),
    ]
