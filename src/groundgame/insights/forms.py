"""Forms of the message tests and issues pages. They render and collect; the services
judge, and their messages land under the field they name."""

from __future__ import annotations

from typing import Any

from django import forms

from groundgame.core.errors import ApplicationError
from groundgame.insights.models import Ad, MessageTest, SurveyTest, TestRule


def add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """The service's message under the field it names, or over the form."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


class RegisterForm(forms.Form):
    metric = forms.ChoiceField(choices=MessageTest.Metric.choices, label="Measure")
    rule = forms.ChoiceField(choices=TestRule.choices, label="Rule")
    planned_per_variant = forms.IntegerField(
        required=False, min_value=1, label="Recipients per variant (fixed size only)"
    )


class OutcomesForm(forms.Form):
    file = forms.FileField(
        label="Outcomes (CSV)",
        help_text="Columns person_id, event (open, click or donation), amount (dollars, for a "
        "donation) and, if you have it, variant.",
    )

    MAX_BYTES = 20 * 1024 * 1024

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is over 20 MB; split it.")
        data: bytes = upload.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


class DecideForm(forms.Form):
    variant = forms.CharField(max_length=20)


class SurveyTestForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SurveyTest.Kind.choices)
    measure = forms.CharField(
        max_length=200, help_text="What the share counts, e.g. \u201cwould vote for us\u201d."
    )
    org_unit = forms.TypedChoiceField(coerce=int, label="Unit")
    rule = forms.ChoiceField(choices=TestRule.choices)
    planned_per_arm = forms.IntegerField(
        required=False, min_value=1, label="Respondents per arm (fixed size only)"
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = units  # type: ignore[attr-defined]


class SurveyWaveForm(forms.Form):
    treatment_n = forms.IntegerField(min_value=1, label="Treatment: respondents")
    treatment_share = forms.FloatField(min_value=0, max_value=100, label="Treatment: share (%)")
    control_n = forms.IntegerField(min_value=1, label="Control: respondents")
    control_share = forms.FloatField(min_value=0, max_value=100, label="Control: share (%)")


class SurveyDecideForm(forms.Form):
    arm = forms.CharField(max_length=10)


class TopicsForm(forms.Form):
    topics = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = choices  # type: ignore[attr-defined]


class AdForm(TopicsForm):
    field_order = ("name", "medium", "org_unit", "starts_on", "ends_on", "topics")

    name = forms.CharField(max_length=200)
    medium = forms.ChoiceField(choices=Ad.Medium.choices)
    org_unit = forms.TypedChoiceField(coerce=int, label="Unit")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, choices=choices, **kwargs)
        self.fields["org_unit"].choices = units  # type: ignore[attr-defined]


class IssueTopicForm(forms.Form):
    label = forms.CharField(max_length=80)
    key = forms.CharField(
        max_length=40, required=False, help_text="The key canvass scripts' issue options use."
    )
