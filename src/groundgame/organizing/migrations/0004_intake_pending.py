"""Sign-ups are stored first and finished by a worker: the person and unit are filled in later,
the cleaned fields wait in ``payload``, and ``processed_at`` marks the finished ones."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organizing", "0003_signup_forms_events_and_shifts")]

    operations = [
        migrations.AddField(
            model_name="signupsubmission",
            name="payload",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="signupsubmission",
            name="processed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signupsubmission",
            name="error",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="signupsubmission",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.AlterField(
            model_name="signupsubmission",
            name="org_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizing.orgunit",
            ),
        ),
    ]
