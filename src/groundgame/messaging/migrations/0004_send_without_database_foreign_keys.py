"""No database foreign keys on the outbox, and no index on its topic: PostgreSQL checked each
key at commit with a locking lookup per row written; Django keeps the cascades and the
protection of topics."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_default_topics"),
        ("messaging", "0003_send_fewer_indexes"),
        ("people", "0006_fewer_indexes_and_staged_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="send",
            name="mailing",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sends",
                to="messaging.mailing",
            ),
        ),
        migrations.AlterField(
            model_name="send",
            name="person",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.AlterField(
            model_name="send",
            name="topic",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="consent.topic",
            ),
        ),
    ]
