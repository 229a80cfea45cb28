"""The caps every campaign starts with: at most 2 emails and 1 text a day per person (national
admins change them on the caps page). Re-runnable: an existing cap is left as it is."""

from django.db import migrations

CAPS = [("email", 2, 24), ("sms", 1, 24)]


def add_caps(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContactCap = apps.get_model("consent", "ContactCap")
    for channel, per_person, window_hours in CAPS:
        ContactCap.objects.get_or_create(
            channel=channel, defaults={"per_person": per_person, "window_hours": window_hours}
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_contact_caps_and_log")]

    operations = [migrations.RunPython(add_caps, migrations.RunPython.noop)]
