"""When a text that came up outside its recipient's sending hours may go."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_send_without_database_foreign_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="send",
            name="not_before",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
