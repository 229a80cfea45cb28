"""Index the lower-cased last name for case-insensitive search.

The person table holds a whole voter file, so on PostgreSQL the index is built CONCURRENTLY
(no lock on writes while it builds), which cannot run inside a transaction.
"""

import django.db.models.functions.text
from django.db import migrations, models

INDEX = "person_last_name_lower_idx"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON people_person (LOWER(last_name))"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("organizing", "0002_membership_roles_and_tree_links"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="person",
                    index=models.Index(
                        django.db.models.functions.text.Lower("last_name"), name=INDEX
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
