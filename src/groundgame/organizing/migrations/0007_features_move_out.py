"""Sign-up forms, sign-ups, follow-ups and memberships moved to ``volunteers``, events,
shifts and RSVPs to ``events``; their tables stay, so organizing forgets the models in
Django's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organizing", "0006_intake_pending_index"),
        ("volunteers", "0001_initial"),
        ("events", "0001_initial"),
        ("field", "0003_walklist_shift_in_events"),
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
    ]
