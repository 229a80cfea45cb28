from __future__ import annotations

from django import forms

from groundgame.content.models import ContentItem


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
