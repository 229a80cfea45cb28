"""Mobilize's ids of the rows imported from it: the events, shifts and RSVPs are ours (in
``events``), and these say which Mobilize record each one came from, so that importing the
same file again finds every row."""

from __future__ import annotations

from django.db import models


class EventLink(models.Model):
    """A Mobilize event and the event it became."""

    mobilize_id = models.BigIntegerField(unique=True)
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Mobilize event {self.mobilize_id} is event {self.event_id}"


class TimeslotLink(models.Model):
    """A Mobilize timeslot and the shift it became."""

    mobilize_id = models.BigIntegerField(unique=True)
    shift = models.OneToOneField("events.Shift", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Mobilize timeslot {self.mobilize_id} is shift {self.shift_id}"


class AttendanceLink(models.Model):
    """A Mobilize attendance and the RSVP it became."""

    mobilize_id = models.BigIntegerField(unique=True)
    signup = models.OneToOneField("events.ShiftSignup", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Mobilize attendance {self.mobilize_id} is RSVP {self.signup_id}"
