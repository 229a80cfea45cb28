"""Default frequency caps: at most 2 emails a day and 1 text a day per person (staff change
them on the caps page). Re-runnable: an existing cap is left as it is."""

from django.db import migrations

CAPS = [("email", 2, 24), ("sms", 1, 24)]


def add_caps(apps, schema_editor):  # type: ignore[no-untyped-def]
    FrequencyCap = apps.get_model("messaging", "FrequencyCap")
    for channel, max_messages, window_hours in CAPS:
        FrequencyCap.objects.get_or_create(
            channel=channel,
            defaults={"max_messages": max_messages, "window_hours": window_hours},
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(add_caps, migrations.RunPython.noop)]
