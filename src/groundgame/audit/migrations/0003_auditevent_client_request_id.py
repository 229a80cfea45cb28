"""The id the client sent with a request, kept beside the server's own.

SQLite adds the column by rebuilding the table, which drops its triggers: the append-only
trigger is made again after it (on PostgreSQL it is made again as it was)."""

import importlib

from django.db import migrations, models

_trigger = importlib.import_module(
    "groundgame.audit.migrations.0002_audit_event_append_only_trigger"
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_audit_event_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="client_request_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(_trigger.create_trigger, migrations.RunPython.noop),
    ]
