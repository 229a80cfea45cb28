"""The history file's checkpoint of a voter-file import, and the index on a household's
address that the import looks households up by.

The index is built without locking the table on PostgreSQL (``CONCURRENTLY``, so outside a
transaction): the household table holds a state's file.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_COLUMNS = '"state", "zip5", "street", "unit", "city"'


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS household_address_idx "
        f"ON people_household ({_COLUMNS})"
    )


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS household_address_idx")


class Migration(migrations.Migration):
    atomic = False

    # After the identity work's index, written at the same time from 0003: one line of
    # migrations, not two leaves to merge.
    dependencies = [("people", "0004_identity_birth_date_index")]

    operations = [
        migrations.AddField(
            model_name="voterimport",
            name="history_checkpoint_row",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="household",
                    index=models.Index(
                        fields=["state", "zip5", "street", "unit", "city"],
                        name="household_address_idx",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
