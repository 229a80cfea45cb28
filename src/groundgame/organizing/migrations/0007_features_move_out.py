"""Sign-up forms, sign-ups, follow-ups and memberships moved to ``volunteers``, events,
shifts and RSVPs to ``events``; their tables stay, so organizing forgets the models in
Django's state only. Admin log entries and permissions point at the models' content types,
which keep their rows under the new apps' labels."""

from django.db import migrations

MOVED = {
    "signupform": "volunteers",
    "signupsubmission": "volunteers",
    "followup": "volunteers",
    "membership": "volunteers",
    "event": "events",
    "shift": "events",
    "shiftsignup": "events",
}


def _relabel(apps, *, back: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        old, new = (app, "organizing") if back else ("organizing", app)
        # A label already there (made by a run of the app before this one) is left alone.
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, back=False)


def backwards(apps, schema_editor):
    _relabel(apps, back=True)


class Migration(migrations.Migration):
    dependencies = [
        ("organizing", "0006_intake_pending_index"),
        ("volunteers", "0001_initial"),
        ("events", "0001_initial"),
        ("field", "0003_walklist_shift_in_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="shift",
                    name="event",
                ),
                migrations.RemoveField(
                    model_name="followup",
                    name="contacted_by",
                ),
                migrations.RemoveField(
                    model_name="followup",
                    name="org_unit",
                ),
                migrations.RemoveField(
                    model_name="followup",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="org_unit",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="shiftsignup",
                    name="shift",
                ),
                migrations.RemoveField(
                    model_name="shiftsignup",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="signupform",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="signupform",
                    name="org_unit",
                ),
                migrations.RemoveField(
                    model_name="signupsubmission",
                    name="form",
                ),
                migrations.RemoveField(
                    model_name="signupsubmission",
                    name="org_unit",
                ),
                migrations.RemoveField(
                    model_name="signupsubmission",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="signupsubmission",
                    name="referred_by",
                ),
                migrations.DeleteModel(
                    name="Event",
                ),
                migrations.DeleteModel(
                    name="FollowUp",
                ),
                migrations.DeleteModel(
                    name="Membership",
                ),
                migrations.DeleteModel(
                    name="Shift",
                ),
                migrations.DeleteModel(
                    name="ShiftSignup",
                ),
                migrations.DeleteModel(
                    name="SignupForm",
                ),
                migrations.DeleteModel(
                    name="SignupSubmission",
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
