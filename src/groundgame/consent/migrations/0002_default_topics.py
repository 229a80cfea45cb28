"""The topics every campaign starts with. Re-runnable: existing topics are left as they are."""

from django.db import migrations

TOPICS = [
    ("volunteering", "Volunteering", "Shifts, canvasses and phone banks near you", False, 10),
    ("voting_info", "Voting information", "How, when and where to vote", False, 20),
    ("events", "Events", "Rallies, trainings and events near you", False, 30),
    ("news", "Campaign news", "What the campaign is doing", False, 40),
    ("fundraising", "Fundraising", "Appeals for donations", False, 50),
    (
        "transactional",
        "Confirmations",
        "Confirmations and reminders of what you signed up for",
        True,
        90,
    ),
]


def add_topics(apps, schema_editor):  # type: ignore[no-untyped-def]
    Topic = apps.get_model("consent", "Topic")
    for key, name, description, transactional, position in TOPICS:
        Topic.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "transactional": transactional,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
