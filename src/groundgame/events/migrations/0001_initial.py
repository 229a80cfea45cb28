"""Events, shifts and RSVPs, moved here from organizing.

The tables keep their names (``db_table``), so this moves the models in Django's state only:
no row is copied, on a new database or on one that ran every earlier migration.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organizing", "0006_intake_pending_index"),
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("title", models.CharField(max_length=200)),
                        ("slug", models.SlugField(max_length=100, unique=True)),
                        ("description", models.TextField(blank=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("canvass", "Canvass"),
                                    ("phone_bank", "Phone bank"),
                                    ("text_bank", "Text bank"),
                                    ("training", "Training"),
                                    ("meeting", "Meeting"),
                                    ("voter_reg", "Voter registration"),
                                    ("other", "Other"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("proposed", "Proposed by a volunteer"),
                                    ("published", "Published"),
                                    ("rejected", "Not approved"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="published",
                                max_length=10,
                            ),
                        ),
                        ("is_virtual", models.BooleanField(default=False)),
                        ("venue", models.CharField(blank=True, max_length=200)),
                        ("address", models.CharField(blank=True, max_length=300)),
                        ("zip5", models.CharField(blank=True, max_length=5)),
                        ("latitude", models.FloatField(blank=True, null=True)),
                        ("longitude", models.FloatField(blank=True, null=True)),
                        ("timezone", models.CharField(default="America/New_York", max_length=40)),
                        ("mobilize_id", models.BigIntegerField(blank=True, null=True, unique=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "host",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                        (
                            "org_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="organizing.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_event",
                    },
                ),
                migrations.CreateModel(
                    name="Shift",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("starts_at", models.DateTimeField(db_index=True)),
                        ("ends_at", models.DateTimeField()),
                        ("capacity", models.PositiveIntegerField(default=20)),
                        ("mobilize_id", models.BigIntegerField(blank=True, null=True, unique=True)),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="shifts",
                                to="events.event",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_shift",
                        "ordering": ["starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="ShiftSignup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("confirmed", "Confirmed"),
                                    ("waitlisted", "Wait-listed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "attendance",
                            models.CharField(
                                choices=[
                                    ("unknown", "Not marked"),
                                    ("attended", "Attended"),
                                    ("no_show", "No-show"),
                                ],
                                default="unknown",
                                max_length=10,
                            ),
                        ),
                        ("cancel_token", models.CharField(max_length=43, unique=True)),
                        ("source", models.CharField(blank=True, max_length=60)),
                        ("reminded_at", models.DateTimeField(blank=True, null=True)),
                        ("mobilize_id", models.BigIntegerField(blank=True, null=True, unique=True)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                        (
                            "shift",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="signups",
                                to="events.shift",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_shiftsignup",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("shift", "person"), name="shiftsignup_unique"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
