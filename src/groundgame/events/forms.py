"""Forms of the event pages: they check shapes; the services check meaning."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from groundgame.events.models import Event

RADIUS_CHOICES = [
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("25", "25 miles"),
    ("50", "50 miles"),
    ("100", "100 miles"),
]
KIND_CHOICES = [("", "Any kind"), *Event.Kind.choices]
_ZIP = {
    "inputmode": "numeric",
    "pattern": "[0-9]{5}",
    "maxlength": "5",
    "autocomplete": "postal-code",
}


class EventSearchForm(forms.Form):
    zip = forms.CharField(
        label="ZIP code", required=False, max_length=5, widget=forms.TextInput(_ZIP)
    )
    radius = forms.TypedChoiceField(
        label="Within",
        choices=RADIUS_CHOICES,
        coerce=int,
        initial="25",
        required=False,
        empty_value=None,
    )
    kind = forms.ChoiceField(label="Kind", choices=KIND_CHOICES, required=False)

    def clean_zip(self) -> str:
        value: str = self.cleaned_data["zip"].strip()
        if value and not (len(value) == 5 and value.isdigit()):
            raise forms.ValidationError("Enter a 5-digit ZIP code.")
        return value


class RsvpForm(forms.Form):
    shift = forms.TypedChoiceField(label="Shift", coerce=int, widget=forms.RadioSelect)
    first_name = forms.CharField(
        max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
        help_text="Your confirmation and a cancel link go here.",
    )
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Phone (optional)",
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
    )
    zip5 = forms.CharField(
        label="ZIP code (optional)", required=False, max_length=5, widget=forms.TextInput(_ZIP)
    )

    def __init__(self, *args: Any, shifts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["shift"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = shifts
        if len(shifts) == 1:
            field.initial = shifts[0][0]


class _WhenMixin(forms.Form):
    date = forms.DateField(widget=forms.DateInput({"type": "date"}))
    start_time = forms.TimeField(label="Starts", widget=forms.TimeInput({"type": "time"}))
    end_time = forms.TimeField(label="Ends", widget=forms.TimeInput({"type": "time"}))
    capacity = forms.IntegerField(
        min_value=1, max_value=10_000, initial=20, help_text="Past this, RSVPs join a wait list."
    )

    def times(self, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
        """The shift's start and end in the event's time zone (ending past midnight is the
        next day)."""
        tz = zoneinfo.ZoneInfo(tz_name)
        day = self.cleaned_data["date"]
        starts = dt.datetime.combine(day, self.cleaned_data["start_time"], tzinfo=tz)
        ends = dt.datetime.combine(day, self.cleaned_data["end_time"], tzinfo=tz)
        if ends <= starts:
            ends += dt.timedelta(days=1)
        return starts, ends


class ProposeForm(_WhenMixin):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Event.Kind.choices)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea({"rows": 4}),
        help_text="What will people do? What should they bring?",
    )
    is_virtual = forms.BooleanField(required=False, label="It is online")
    venue = forms.CharField(max_length=200, required=False, label="Venue (optional)")
    address = forms.CharField(max_length=300, required=False, label="Street address")
    zip5 = forms.CharField(
        label="ZIP code",
        max_length=5,
        widget=forms.TextInput(_ZIP),
        help_text="For an online event, your own ZIP code.",
    )
    host_first_name = forms.CharField(max_length=100, label="Your first name")
    host_last_name = forms.CharField(max_length=100, label="Your last name")
    host_email = forms.EmailField(label="Your email")
    host_phone = forms.CharField(max_length=30, required=False, label="Your phone (optional)")

    field_order = [
        "title",
        "kind",
        "description",
        "date",
        "start_time",
        "end_time",
        "capacity",
        "is_virtual",
        "venue",
        "address",
        "zip5",
    ]


# The zones of the fifty states and DC, by their main cities' names.
US_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Detroit", "Eastern (Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern (Indianapolis)"),
    ("America/Kentucky/Louisville", "Eastern (Louisville)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Boise", "Mountain (Boise)"),
    ("America/Phoenix", "Mountain, no daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
]


class TimezoneForm(forms.Form):
    """Correct the zone an event's times were entered in."""

    timezone = forms.ChoiceField(label="Time zone", choices=US_ZONES)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["timezone"] = current
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        if current not in dict(US_ZONES):
            # An imported event may be in any zone: keep it choosable.
            field.choices = [(current, current), *US_ZONES]


class EventForm(_WhenMixin):
    org_unit = forms.TypedChoiceField(label="Unit", coerce=int)
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Event.Kind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea({"rows": 4}))
    is_virtual = forms.BooleanField(required=False, label="Online event")
    venue = forms.CharField(max_length=200, required=False)
    address = forms.CharField(max_length=300, required=False)
    zip5 = forms.CharField(
        label="ZIP code", max_length=5, required=False, widget=forms.TextInput(_ZIP)
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        required=False,
        choices=[("", "The unit's own (from the counties or state it covers)"), *US_ZONES],
        help_text="The times above are in this zone, and shown in it everywhere.",
    )

    field_order = [
        "org_unit",
        "title",
        "kind",
        "description",
        "date",
        "start_time",
        "end_time",
        "capacity",
        "is_virtual",
        "venue",
        "address",
        "zip5",
        "timezone",
    ]

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = units


class CloneForm(forms.Form):
    days_later = forms.IntegerField(label="Days later", min_value=1, max_value=365, initial=7)
