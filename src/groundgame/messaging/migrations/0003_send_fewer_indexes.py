"""Fewer indexes on the outbox, which a fan-out writes millions of rows at a time.

The mailing's and the person's own indexes repeated the leading column of
``send_once_per_mailing`` and ``send_cap_idx``; the unique dedupe key (with its pattern index)
becomes a unique index of the rows that have a key; the address index keeps texts only, the
one channel looked up by address.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_default_frequency_caps"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="send",
            name="send_address_idx",
        ),
        migrations.AlterField(
            model_name="send",
            name="dedupe_key",
            field=models.CharField(blank=True, max_length=120, null=True),
        ),
        migrations.AlterField(
            model_name="send",
            name="mailing",
            field=models.ForeignKey(
                blank=True,
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
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.AddIndex(
            model_name="send",
            index=models.Index(
                condition=models.Q(("channel", "sms")),
                fields=["address"],
                name="send_text_address_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="send",
            constraint=models.UniqueConstraint(
                condition=models.Q(("dedupe_key__isnull", False)),
                fields=("dedupe_key",),
                name="send_dedupe_once",
            ),
        ),
    ]
