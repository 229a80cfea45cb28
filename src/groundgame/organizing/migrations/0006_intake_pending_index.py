"""The worker's queue of pending sign-ups: a partial index, small because finished rows leave
it. Built without locking the table on PostgreSQL (``CONCURRENTLY``, so outside a
transaction): the table holds every sign-up ever taken."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS signup_pending_idx "
        'ON organizing_signupsubmission ("id") WHERE "processed_at" IS NULL'
    )


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS signup_pending_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("organizing", "0005_intake_processed_backfill")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="signupsubmission",
                    index=models.Index(
                        fields=["id"],
                        condition=models.Q(processed_at__isnull=True),
                        name="signup_pending_idx",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
