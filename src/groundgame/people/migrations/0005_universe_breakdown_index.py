"""Index the voter table by what the universe builder's breakdown groups and filters on.

The breakdown counts voters by state, party and turnout on each change of the builder's
filters; with status and the person alongside, the whole voter file is grouped from this
index in its order, without reading the table or sorting. On PostgreSQL the index on a
state's file is built CONCURRENTLY (no lock on writes while it builds), which cannot run
inside a transaction.
"""

from django.db import migrations, models

INDEX = "voter_breakdown_idx"
COLUMNS = ("state", "party", "general_votes", "status", "person_id")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON people_voterrecord ({columns})"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0004_voter_import_history_checkpoint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="voterrecord",
                    index=models.Index(
                        fields=["state", "party", "general_votes", "status", "person"],
                        name=INDEX,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
