"""A result's issues are its answers to the issues question now (migration 0005 moved them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("field", "0005_issues_to_answers")]

    operations = [migrations.RemoveField(model_name="canvassresult", name="issues")]
