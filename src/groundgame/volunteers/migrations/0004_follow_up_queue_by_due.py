"""The queue reads the new columns: one open entry per person and unit is one not closed, the
queue's index holds the open entries by when they are due, and the "contacted" columns,
which ``0003`` made first attempts, go."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_follow_up_contacts_become_attempts")]

    operations = [
        migrations.RemoveConstraint(
            model_name="followup", name="followup_one_open_per_person_unit"
        ),
        migrations.RemoveIndex(model_name="followup", name="followup_queue_idx"),
        migrations.RemoveField(model_name="followup", name="contacted_at"),
        migrations.RemoveField(model_name="followup", name="contacted_by"),
        migrations.RemoveField(model_name="followup", name="note"),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(
                condition=models.Q(closed_at__isnull=True),
                fields=("person", "org_unit"),
                name="followup_one_open_per_person_unit",
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(closed_at__isnull=True),
                fields=["org_unit", "next_attempt_at", "created_at"],
                name="followup_open_due_idx",
            ),
        ),
    ]
