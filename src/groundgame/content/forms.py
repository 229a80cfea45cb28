from __future__ import annotations

from typing import Any

from django import forms

from groundgame.content.models import ContentItem
from groundgame.content.questions import Kind, Question


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ContentItem.Kind.choices)
    title = forms.CharField(max_length=200)
    org_unit = forms.TypedChoiceField(coerce=int, label="For unit")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), label="Text")

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["org_unit"].choices = units  # type: ignore[attr-defined]


class DraftForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Text")


class DecideForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note to the author (required to send back)",
    )


class DelegateForm(forms.Form):
    org_unit = forms.TypedChoiceField(coerce=int, label="Approve for unit (and below)")
    approver = forms.CharField(max_length=150, label="Staff username")
    expires_at = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    kinds = forms.MultipleChoiceField(
        choices=ContentItem.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kinds (none ticked: all)",
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["org_unit"].choices = units  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    """One survey question of a draft script, as staff write it."""

    prompt = forms.CharField(max_length=300, label="Question")
    kind = forms.ChoiceField(choices=Kind.choices, label="Answer")
    key = forms.CharField(
        max_length=40,
        required=False,
        label="Key",
        help_text="How reporting and exports name it; left empty, it is made from the question. "
        "Keep it when you reword the question, so counts carry on.",
    )
    required = forms.BooleanField(required=False, label="Required in every conversation")
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Options (choices)",
        help_text="One a line. Write key | label to set an option's key.",
    )
    scale_min = forms.IntegerField(required=False, initial=1, label="Scale from")
    scale_max = forms.IntegerField(required=False, initial=5, label="to")
    min_label = forms.CharField(required=False, max_length=100, label="Label of the bottom")
    max_label = forms.CharField(required=False, max_length=100, label="Label of the top")

    # Where the question checker's fields show on this form.
    FIELDS = {"min": "scale_min", "max": "scale_max"}

    def question(self) -> dict[str, Any]:
        """The question as the content services take it (checked there)."""
        data = self.cleaned_data
        question: dict[str, Any] = {
            "key": data["key"].strip(),
            "kind": data["kind"],
            "prompt": data["prompt"],
            "required": data["required"],
        }
        if data["kind"] in (Kind.CHOICE, Kind.MULTI):
            question["options"] = [
                _option(line) for line in data["options"].splitlines() if line.strip()
            ]
        if data["kind"] == Kind.SCALE:
            question.update(
                min=data["scale_min"],
                max=data["scale_max"],
                min_label=data["min_label"],
                max_label=data["max_label"],
            )
        return question

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "prompt": question.prompt,
            "kind": question.kind,
            "key": question.key,
            "required": question.required,
            "options": "\n".join(f"{o.key} | {o.label}" for o in question.options),
            "scale_min": question.min if question.min is not None else 1,
            "scale_max": question.max if question.max is not None else 5,
            "min_label": question.min_label,
            "max_label": question.max_label,
        }

    def field_for(self, checked_field: str) -> str | None:
        """The form field of an error the question checker names (``questions[2].max``)."""
        attr = checked_field.rpartition(".")[2]
        name = self.FIELDS.get(attr, attr)
        return name if name in self.fields else None


def _option(line: str) -> dict[str, str]:
    key, bar, label = line.partition("|")
    return {"key": key.strip(), "label": label.strip()} if bar else {"label": line.strip()}
