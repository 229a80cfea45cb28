"""Mobilize's ids move from columns of the events tables into this app's links, before
``events`` drops the columns. Rows already linked are left alone, so running it again (or
after a partial run) changes nothing; backwards, the ids go back into the columns."""

from django.db import migrations

# (events model, link model, link field)
LINKS = (
    ("Event", "EventLink", "event"),
    ("Shift", "TimeslotLink", "shift"),
    ("ShiftSignup", "AttendanceLink", "signup"),
)


def forwards(apps, schema_editor):
    for model_name, link_name, field in LINKS:
        model = apps.get_model("events", model_name)
        link = apps.get_model("mobilize", link_name)
        linked = set(link.objects.values_list("mobilize_id", flat=True))
        rows = model.objects.filter(mobilize_id__isnull=False).values_list("pk", "mobilize_id")
        link.objects.bulk_create(
            [link(mobilize_id=mid, **{f"{field}_id": pk}) for pk, mid in rows if mid not in linked],
            batch_size=1000,
        )


def backwards(apps, schema_editor):
    for model_name, link_name, field in LINKS:
        model = apps.get_model("events", model_name)
        link = apps.get_model("mobilize", link_name)
        for pk, mid in link.objects.values_list(f"{field}_id", "mobilize_id").iterator():
            model.objects.filter(pk=pk).update(mobilize_id=mid)


class Migration(migrations.Migration):
    dependencies = [
        ("mobilize", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
