"""The topic vocabulary starts as the issues the canvass scripts ask about, with the same
keys, so that what voters raise and what the campaign says are counted in one language.
Safe to run twice: topics already there are left as they are."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from groundgame.content.selectors import DEFAULT_ISSUES


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    topic = apps.get_model("insights", "IssueTopic")
    for position, option in enumerate(DEFAULT_ISSUES.options):
        topic.objects.get_or_create(
            key=option.key, defaults={"label": option.label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_message_tests_and_issues")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
