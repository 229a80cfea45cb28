"""Sign-up forms, sign-ups, follow-ups and memberships, moved here from organizing.

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
                    name="SignupForm",
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
                        ("title", models.CharField(max_length=160)),
                        ("slug", models.SlugField(max_length=80, unique=True)),
                        ("intro", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("published", "Published"),
                                    ("closed", "Closed"),
                                ],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        ("fields", models.JSONField(blank=True, default=dict)),
                        ("questions", models.JSONField(blank=True, default=list)),
                        ("consent_topics", models.JSONField(blank=True, default=list)),
                        ("thank_you", models.TextField(blank=True)),
                        (
                            "source",
                            models.CharField(
                                blank=True, help_text="Default source of sign-ups.", max_length=60
                            ),
                        ),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
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
                            "org_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="signup_forms",
                                to="organizing.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_signupform",
                    },
                ),
                migrations.CreateModel(
                    name="FollowUp",
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
                        ("source", models.CharField(blank=True, max_length=60)),
                        ("contacted_at", models.DateTimeField(blank=True, null=True)),
                        ("note", models.CharField(blank=True, max_length=500)),
                        (
                            "contacted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "org_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="follow_ups",
                                to="organizing.orgunit",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_followup",
                        "indexes": [
                            models.Index(
                                fields=["org_unit", "contacted_at", "created_at"],
                                name="followup_queue_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("contacted_at__isnull", True)),
                                fields=("person", "org_unit"),
                                name="followup_one_open_per_person_unit",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
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
                            "role",
                            models.CharField(
                                choices=[("volunteer", "Volunteer"), ("leader", "Team leader")],
                                default="volunteer",
                                max_length=10,
                            ),
                        ),
                        ("source", models.CharField(blank=True, max_length=60)),
                        (
                            "org_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="memberships",
                                to="organizing.orgunit",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_membership",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "org_unit"), name="membership_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SignupSubmission",
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
                        ("idempotency_key", models.CharField(max_length=64)),
                        ("payload", models.JSONField(blank=True, default=dict)),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("answers", models.JSONField(blank=True, default=dict)),
                        ("consents", models.JSONField(blank=True, default=list)),
                        ("source", models.CharField(blank=True, max_length=60)),
                        ("created_at", models.DateTimeField(db_index=True)),
                        (
                            "form",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="submissions",
                                to="volunteers.signupform",
                            ),
                        ),
                        (
                            "org_unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="organizing.orgunit",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                        (
                            "referred_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "organizing_signupsubmission",
                        "indexes": [
                            models.Index(
                                fields=["org_unit", "created_at"], name="signup_unit_at_idx"
                            ),
                            models.Index(
                                condition=models.Q(("processed_at__isnull", True)),
                                fields=["id"],
                                name="signup_pending_idx",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("form", "idempotency_key"),
                                name="signupsubmission_idempotent",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
