"""The caps per person on email and texts become consent's contact caps, which every channel
shares: each cap keeps its number and window, with no household cap until admins set one."""

from django.db import migrations


def move_caps(apps, schema_editor):  # type: ignore[no-untyped-def]
    FrequencyCap = apps.get_model("messaging", "FrequencyCap")
    ContactCap = apps.get_model("consent", "ContactCap")
    for cap in FrequencyCap.objects.all():
        ContactCap.objects.update_or_create(
            channel=cap.channel,
            defaults={"per_person": cap.max_messages, "window_hours": cap.window_hours},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_send_not_before"),
        ("consent", "0004_default_contact_caps"),
    ]

    operations = [
        migrations.RunPython(move_caps, migrations.RunPython.noop),
        migrations.DeleteModel(name="FrequencyCap"),
    ]
