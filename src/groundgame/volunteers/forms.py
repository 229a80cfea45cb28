"""Django forms of the sign-up pages: the public form built from a ``SignupForm``, the
staff editor, and a call recorded in the follow-up queue. They render and collect;
``signups.clean_submission`` and the services judge."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import slugify

from groundgame.organizing.selectors import OrgUnit
from groundgame.volunteers import signups
from groundgame.volunteers.models import FollowUp, SignupForm

_AUTOCOMPLETE = {
    "first_name": {"autocomplete": "given-name"},
    "last_name": {"autocomplete": "family-name"},
    "email": {"autocomplete": "email", "inputmode": "email", "type": "email"},
    "phone": {"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    "zip5": {"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": "5"},
    "street": {"autocomplete": "street-address"},
}


class PublicSignupForm(forms.Form):
    """The visitor's form; every field optional here so that intake reports all problems
    at once, in its own words, under each field."""

    def __init__(self, signup: SignupForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, mode in signups.form_fields(signup.fields).items():
            if mode == "off":
                continue
            attrs = dict(_AUTOCOMPLETE[name])
            if mode == "required":
                attrs["required"] = ""
            label = signups.STANDARD_FIELDS[name] + ("" if mode == "required" else " (optional)")
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs=attrs)
            )
        for question in signup.questions:
            label = question["label"] + ("" if question.get("required") else " (optional)")
            name = f"q_{question['key']}"
            if question["kind"] == "choice":
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "Choose…")] + [(c, c) for c in question["choices"]],
                )
            elif question["kind"] == "yesno":
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("yes", "Yes"), ("no", "No")],
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=label, required=False, widget=forms.TextInput
                )
        if signup.consent_topics:
            self.fields["consents"] = forms.MultipleChoiceField(
                label="Keep me posted about",
                required=False,
                choices=[(t, signups.CONSENT_TOPICS[t]) for t in signup.consent_topics],
                widget=forms.CheckboxSelectMultiple,
            )
        self.signup = signup

    def payload(self) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """(person fields, answers, consents) from the raw POST, as the API would send them."""
        data: Any = self.data  # the request's QueryDict
        person = {
            name: str(data.get(name, "")) for name in signups.STANDARD_FIELDS if name in self.fields
        }
        answers = {q["key"]: str(data.get(f"q_{q['key']}", "")) for q in self.signup.questions}
        consents = [str(c) for c in data.getlist("consents")] if "consents" in self.fields else []
        return person, answers, consents


FIELD_MODE_CHOICES = [("required", "Required"), ("optional", "Optional"), ("off", "Not asked")]


class SignupFormEditor(forms.Form):
    title = forms.CharField(max_length=160)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Address",
        help_text="The page is /f/<address>/. Left empty, it is made from the title.",
    )
    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        label="Feeds",
        help_text="New volunteers go to the team covering their county, else to this unit.",
    )
    intro = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    phone = forms.ChoiceField(choices=FIELD_MODE_CHOICES, initial="optional", label="Phone")
    zip5 = forms.ChoiceField(choices=FIELD_MODE_CHOICES, initial="required", label="ZIP code")
    street = forms.ChoiceField(choices=FIELD_MODE_CHOICES, initial="off", label="Street address")
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line. 'Label' for text, 'Label: choice, choice' for a choice, "
        "'Label?' for yes/no; end a line with * to require an answer.",
    )
    consent_topics = forms.MultipleChoiceField(
        choices=list(signups.CONSENT_TOPICS.items()),
        required=False,
        initial=["volunteering", "events"],
        widget=forms.CheckboxSelectMultiple,
        label="Consent checkboxes",
    )
    thank_you = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Thank-you message"
    )
    source = forms.CharField(
        max_length=40, required=False, help_text="Recorded on each sign-up unless the link says."
    )

    def __init__(self, *args: Any, units: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        if editing:
            del self.fields["slug"]

    def clean_questions(self) -> list[dict[str, Any]]:
        return parse_questions(self.cleaned_data.get("questions", ""))

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {
            "title": data["title"],
            "org_unit": data["org_unit"],
            "intro": data["intro"],
            "fields": {name: data[name] for name in ("phone", "zip5", "street")},
            "questions": data["questions"],
            "consent_topics": data["consent_topics"],
            "thank_you": data["thank_you"],
            "source": data["source"],
        }
        if "slug" in self.fields:
            kwargs["slug"] = data["slug"]
        return kwargs

    @classmethod
    def initial_for(cls, form: SignupForm) -> dict[str, Any]:
        modes = signups.form_fields(form.fields)
        return {
            "title": form.title,
            "org_unit": form.org_unit_id,
            "intro": form.intro,
            "phone": modes["phone"],
            "zip5": modes["zip5"],
            "street": modes["street"],
            "questions": format_questions(form.questions),
            "consent_topics": form.consent_topics,
            "thank_you": form.thank_you,
            "source": form.source,
        }


def parse_questions(text: str) -> list[dict[str, Any]]:
    """The editor's one-line-per-question notation as the stored question list."""
    questions: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        required = line.endswith("*")
        line = line.rstrip("*").strip()
        label, _, choices = line.partition(":")
        choice_list = [c.strip() for c in choices.split(",") if c.strip()]
        kind = "choice" if choice_list else ("yesno" if label.endswith("?") else "text")
        key = slugify(label).replace("-", "_")[:40] or f"q{len(questions) + 1}"
        if any(q["key"] == key for q in questions):
            key = f"{key}_{len(questions) + 1}"
        question: dict[str, Any] = {"key": key, "label": label.strip(), "kind": kind}
        if required:
            question["required"] = True
        if choice_list:
            question["choices"] = choice_list
        questions.append(question)
    return questions


def format_questions(questions: list[dict[str, Any]]) -> str:
    lines = []
    for q in questions:
        line = q["label"]
        if q["kind"] == "choice":
            line += ": " + ", ".join(q["choices"])
        if q.get("required"):
            line += " *"
        lines.append(re.sub(r"\s+", " ", line))
    return "\n".join(lines)


class FollowUpAttemptForm(forms.Form):
    """One call to a volunteer in the queue. Times are typed in the campaign's time zone."""

    outcome = forms.ChoiceField(
        choices=FollowUp.Outcome.choices, widget=forms.RadioSelect, label="Outcome"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_attempt_at = forms.DateTimeField(
        required=False,
        label="Call again",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter a date and time, like 2026-10-01 18:30."},
    )
    shift = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Shift")
    # How many calls the page showed: a call recorded since is not recorded again.
    calls_seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, shifts: list[tuple[int, str]], call_back: dt.datetime, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})["next_attempt_at"] = call_back.astimezone(
            self.zone()
        ).replace(tzinfo=None)
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [("", "No shift chosen"), *shifts]  # type: ignore[attr-defined]

    @staticmethod
    def zone() -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.GROUNDGAME_TIME_ZONE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        # One form offers every outcome: the call-back time applies only after a message,
        # the shift only to "scheduled", whatever the other inputs still hold.
        if outcome != FollowUp.Outcome.LEFT_MESSAGE:
            data["next_attempt_at"] = None
        elif data.get("next_attempt_at") is not None:
            # Django read the typed time in the server's zone (UTC); it was the campaign's.
            data["next_attempt_at"] = data["next_attempt_at"].replace(tzinfo=self.zone())
        if outcome != FollowUp.Outcome.SCHEDULED:
            data["shift"] = None
        return data
