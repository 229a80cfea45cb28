"""Fewer indexes on the people tables; what a PostgreSQL import keeps of its staged history
and of the indexes a first load defers.

Three indexes duplicated another one's leading columns, and every voter-file row paid for them:
vote history's index on the voter (``votehistory_unique`` starts with the voter), the
household's (state, zip5) (``household_address_idx`` starts with them) and the person's last
name (``person_name_idx`` starts with it; case-insensitive search reads
``person_last_name_lower_idx``).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_universe_breakdown_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="household",
            name="household_state_zip_idx",
        ),
        migrations.AddField(
            model_name="voterimport",
            name="deferred_indexes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="voterimport",
            name="history_rescan",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="voterimport",
            name="history_staged",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="voterimport",
            name="history_staged_row",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="person",
            name="last_name",
            field=models.CharField(max_length=100),
        ),
        migrations.AlterField(
            model_name="votehistory",
            name="voter",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="history",
                to="people.voterrecord",
            ),
        ),
    ]
