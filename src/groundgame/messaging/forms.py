"""Django forms of the mailing pages. They render and collect; the services judge (subject
rules, templates, topics, universes) and their messages land under the field they name."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.core.errors import ApplicationError
from groundgame.messaging import templating
from groundgame.messaging.models import Mailing, MessageChannel
from groundgame.messaging.services import mailings
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

_FIELDS_HELP = ", ".join("{{ " + name + " }}" for name in templating.FIELDS)


def _topic_choices() -> list[tuple[str, str]]:
    return [("", "Choose a topic…")] + [
        (t.key, t.name) for t in consent_selectors.topic_list() if not t.transactional
    ]


def _universe_choices(scope: StaffScope) -> list[tuple[str, str]]:
    choices = [("", "Choose a universe…")]
    for universe in people_selectors.universe_list(scope):
        count = "" if universe.last_count is None else f" ({universe.last_count:,} people)"
        choices.append((str(universe.pk), f"{universe.name}{count}"))
    return choices


class MailingForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Name the mailing."},
        help_text="For staff only; recipients never see it.",
    )
    channel = forms.ChoiceField(
        choices=MessageChannel.choices,
        initial=MessageChannel.EMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose email or text message."},
    )
    topic = forms.ChoiceField(
        error_messages={"required": "Choose what the mailing is about."},
        help_text="Only people subscribed to this topic on this channel receive it.",
    )
    universe = forms.TypedChoiceField(
        coerce=int,
        error_messages={"required": "Choose the universe to send to."},
        help_text="The audience is read again when the mailing goes out.",
    )
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
        error_messages={"required": "Write the message."},
        help_text=f"Plain text. Personalize with {_FIELDS_HELP}, or "
        '{{ first_name|default:"friend" }} for a fallback.',
    )

    def __init__(
        self, *args: Any, scope: StaffScope, mailing: Mailing | None = None, **kwargs: Any
    ) -> None:
        if mailing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": mailing.name,
                    "channel": mailing.channel,
                    "topic": mailing.topic.key,
                    "universe": mailing.universe_id,
                    "subject": mailing.subject,
                    "body": mailing.body,
                },
            )
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = _topic_choices()
        cast(forms.ChoiceField, self.fields["universe"]).choices = _universe_choices(scope)
        if mailing is not None:
            # A mailing keeps its channel: its sends, caps and footer depend on it.
            self.fields["channel"].disabled = True
            self.fields["channel"].help_text = "A saved mailing keeps its channel."

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "topic_key": data["topic"],
            "universe_id": data["universe"],
            "subject": data["subject"],
            "body": data["body"],
        }

    def preview_values(self) -> dict[str, Any]:
        """What the preview needs, read leniently from whatever was typed so far."""
        source = self.data if self.is_bound else self.initial
        universe = str(source.get("universe") or "")
        return {
            "channel": str(source.get("channel") or self.initial.get("channel") or "email"),
            "topic_key": str(source.get("topic") or ""),
            "universe_id": int(universe) if universe.isdigit() else None,
            "subject": str(source.get("subject") or ""),
            "body": str(source.get("body") or ""),
        }


class ScheduleForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Send now"), ("later", "Send at a time")],
        initial="now",
        widget=forms.RadioSelect,
    )
    at = forms.DateTimeField(
        required=False,
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter a date and time, like 2026-10-01 18:30."},
    )
    # Minutes the browser's time zone is behind UTC (JavaScript's getTimezoneOffset), so the
    # time typed is the staff member's own; without scripts the time is read as UTC.
    tz_offset = forms.IntegerField(
        required=False, min_value=-14 * 60, max_value=14 * 60, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "later" and not data.get("at") and "at" not in self.errors:
            self.add_error("at", "Give the date and time to send it.")
        return data

    def send_at(self) -> dt.datetime | None:
        """The moment to send (aware), or None for now."""
        data = self.cleaned_data
        if data["when"] != "later":
            return None
        at: dt.datetime = data["at"]
        naive = timezone.make_naive(at, dt.UTC) if timezone.is_aware(at) else at
        return (naive + dt.timedelta(minutes=data.get("tz_offset") or 0)).replace(tzinfo=dt.UTC)


class TestSendForm(forms.Form):
    address = forms.CharField(
        max_length=254,
        error_messages={"required": "Give the address to send the test to."},
    )

    def __init__(self, *args: Any, channel: str = MessageChannel.EMAIL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel

    def clean_address(self) -> str:
        """Checked by the service's own rule, so a typo is named under the field."""
        try:
            return mailings.test_address_checked(
                channel=self.channel, address=self.cleaned_data["address"]
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class ContactCapForm(forms.Form):
    """One channel's caps; the ranges are the service's to judge, in its own words."""

    per_person = forms.IntegerField(
        label="Per person, at most",
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
        error_messages={"required": "Give a number of contacts.", "invalid": "A whole number."},
    )
    per_household = forms.IntegerField(
        label="Per household, at most",
        required=False,
        help_text="Everyone at one address together; empty for no household cap.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
        error_messages={"invalid": "A whole number."},
    )
    window_hours = forms.IntegerField(
        label="Within (hours)",
        widget=forms.NumberInput(attrs={"min": 1, "max": 744, "inputmode": "numeric"}),
        error_messages={"required": "Give a number of hours.", "invalid": "A whole number."},
    )


class VariantsForm(forms.Form):
    """Up to four variants of a mailing, one row of fields each (``label_0``, ``share_0``,
    ...); rows left blank are not variants."""

    ROWS = 4

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        for i in range(self.ROWS):
            self.fields[f"label_{i}"] = forms.CharField(max_length=20, required=False)
            if channel == MessageChannel.EMAIL:
                self.fields[f"sender_name_{i}"] = forms.CharField(
                    max_length=80, required=False, label="From name"
                )
                self.fields[f"subject_{i}"] = forms.CharField(max_length=200, required=False)
            self.fields[f"body_{i}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Message"
            )
            self.fields[f"share_{i}"] = forms.IntegerField(
                required=False, min_value=0, max_value=100, label="Share (%)"
            )

    def rows(self) -> list[list[forms.BoundField]]:
        names = ("label", "sender_name", "subject", "body", "share")
        return [
            [self[f"{name}_{i}"] for name in names if f"{name}_{i}" in self.fields]
            for i in range(self.ROWS)
        ]

    def specs(self) -> list[mailings.VariantSpec]:
        data = self.cleaned_data
        return [
            mailings.VariantSpec(
                label=data[f"label_{i}"],
                body=data[f"body_{i}"],
                share=data[f"share_{i}"] or 0,
                subject=data.get(f"subject_{i}", ""),
                sender_name=data.get(f"sender_name_{i}", ""),
            )
            for i in range(self.ROWS)
            if data[f"label_{i}"] or data[f"body_{i}"].strip()
        ]

    def add_service_error(self, exc: ApplicationError) -> None:
        """Put the service's message under the field it names (``variants[1].share``)."""
        field = exc.field or ""
        if field.startswith("variants[") and "]." in field:
            index, attr = field[len("variants[") :].split("].", 1)
            name = f"{attr}_{index}"
            if name in self.fields:
                self.add_error(name, exc.message)
                return
        self.add_error(None, exc.message)

    @staticmethod
    def initial_for(variants: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for i, v in enumerate(variants):
            for name in ("label", "sender_name", "subject", "body", "share"):
                initial[f"{name}_{i}"] = getattr(v, name)
        return initial
