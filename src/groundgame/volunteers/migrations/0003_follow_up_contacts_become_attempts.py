"""Each follow-up marked contacted becomes a closed entry whose first attempt is that contact
("reached": the old button recorded that the organizer had got through), by the same
organizer, at the same moment, with its note; and each follow-up is linked to the sign-up
that opened it (the person's latest sign-up placed in that unit before it). Run again, it
changes nothing; undone, it puts the contact back in the old columns."""

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    follow_up_model = apps.get_model("volunteers", "FollowUp")
    attempt_model = apps.get_model("volunteers", "FollowUpAttempt")
    submission_model = apps.get_model("volunteers", "SignupSubmission")
    contacted = follow_up_model.objects.filter(
        contacted_at__isnull=False, first_attempt_at__isnull=True
    )
    for follow_up in contacted.iterator():
        attempt_model.objects.create(
            follow_up=follow_up,
            made_at=follow_up.contacted_at,
            made_by_id=follow_up.contacted_by_id,
            outcome="reached",
            note=follow_up.note,
        )
        follow_up.first_attempt_at = follow_up.closed_at = follow_up.contacted_at
        follow_up.outcome = "reached"
        follow_up.save(update_fields=["first_attempt_at", "closed_at", "outcome"])
    for follow_up in follow_up_model.objects.filter(submission__isnull=True).iterator():
        submission = (
            submission_model.objects.filter(
                person_id=follow_up.person_id,
                org_unit_id=follow_up.org_unit_id,
                created_at__lte=follow_up.created_at,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if submission is not None:
            follow_up.submission = submission
            follow_up.save(update_fields=["submission"])


def backward(apps: Any, schema_editor: Any) -> None:
    follow_up_model = apps.get_model("volunteers", "FollowUp")
    for follow_up in follow_up_model.objects.filter(closed_at__isnull=False).iterator():
        first = follow_up.attempts.order_by("made_at", "pk").first()
        follow_up.contacted_at = follow_up.closed_at
        follow_up.contacted_by_id = first.made_by_id if first else None
        follow_up.note = "\n".join(a.note for a in follow_up.attempts.order_by("made_at"))[:500]
        follow_up.save(update_fields=["contacted_at", "contacted_by", "note"])


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_follow_up_attempts")]

    operations = [migrations.RunPython(forward, backward)]
