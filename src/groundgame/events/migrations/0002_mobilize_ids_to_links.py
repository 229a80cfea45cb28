"""Mobilize's ids are kept by its integration now (``mobilize`` links, filled from these
columns by its migration 0002), so the events tables drop them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("mobilize", "0002_links_from_mobilize_ids"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="event",
            name="mobilize_id",
        ),
        migrations.RemoveField(
            model_name="shift",
            name="mobilize_id",
        ),
        migrations.RemoveField(
            model_name="shiftsignup",
            name="mobilize_id",
        ),
    ]
