"""Fewer indexes on the tables a voter file fills, which every row of a state's file and every
sign-up pays for.

On PostgreSQL a ``db_index`` text field gets a second, ``varchar_pattern_ops`` index for
``LIKE 'prefix%'``; the people tables compare emails, numbers and county codes whole, so the
person's email and phone and the household's and voter record's county keep one plain index
each. Nothing reads households, people, voter records or crosswalk ids by when they were
created: those four ``created_at`` indexes go.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizing", "0006_intake_pending_index"),
        ("people", "0006_fewer_indexes_and_staged_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="externalid",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="household",
            name="county_fips",
            field=models.CharField(max_length=5),
        ),
        migrations.AlterField(
            model_name="household",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="email",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=models.CharField(blank=True, help_text="E.164, e.g. +19195550123", max_length=20),
        ),
        migrations.AlterField(
            model_name="voterrecord",
            name="county_fips",
            field=models.CharField(max_length=5),
        ),
        migrations.AlterField(
            model_name="voterrecord",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["county_fips"], name="household_county_idx"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["email"], name="person_email_idx"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["phone"], name="person_phone_idx"),
        ),
        migrations.AddIndex(
            model_name="voterrecord",
            index=models.Index(fields=["county_fips"], name="voter_county_idx"),
        ),
    ]
