"""Index people by date of birth: find-or-create looks up candidates born on the same day.

As for the last-name index, on PostgreSQL the index on a state's file is built CONCURRENTLY
(no lock on writes while it builds), which cannot run inside a transaction.
"""

from django.db import migrations, models

INDEX = "person_birth_date_idx"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON people_person (birth_date)"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0003_identity_imports_and_universes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(fields=["birth_date"], name=INDEX),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
