"""Sign-ups taken before the worker existed were finished in their request: mark them
processed so that the worker leaves them alone. Re-runnable: it only touches unmarked rows."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F


def mark_processed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    submissions = apps.get_model("organizing", "SignupSubmission")
    submissions.objects.filter(processed_at__isnull=True, person__isnull=False).update(
        processed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("organizing", "0004_intake_pending")]

    operations = [migrations.RunPython(mark_processed, migrations.RunPython.noop)]
