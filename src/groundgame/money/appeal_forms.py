"""Forms of the appeals and FEC report pages. Amounts are typed in dollars and read into
cents; what a service refuses is shown at its field by the views."""

from __future__ import annotations

from typing import Any

from django import forms

from groundgame.money.models import Appeal, AppealCost
from groundgame.money.spending_forms import DATE, DollarsField, UnitForm


class AppealForm(UnitForm):
    name = forms.CharField(max_length=200)
    channel = forms.ChoiceField(choices=Appeal.Channel.choices)
    refcode = forms.CharField(max_length=100, help_text="The refcode its donation links carry.")
    mailing = forms.IntegerField(required=False, min_value=1, label="Mailing (its number)")
    provider = forms.CharField(required=False, max_length=60, label="Sending provider")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE, required=False, help_text="Empty while it runs.")


class AppealCostForm(forms.Form):
    appeal = forms.TypedChoiceField(coerce=int)
    kind = forms.ChoiceField(choices=AppealCost.Kind.choices)
    amount = DollarsField(label="Amount ($)")
    incurred_on = forms.DateField(widget=DATE)
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, appeals: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appeal"].choices = appeals  # type: ignore[attr-defined]


class SendCostForm(forms.Form):
    channel = forms.ChoiceField(choices=[("email", "Email"), ("sms", "Text message")])
    provider = forms.CharField(max_length=60)
    per_thousand = DollarsField(label="Price of 1,000 messages ($)")


class FecReportForm(forms.Form):
    committee = forms.TypedChoiceField(coerce=int)
    period = forms.CharField(max_length=8, help_text="A quarter, as 2026Q3.")

    def __init__(self, *args: Any, committees: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = committees  # type: ignore[attr-defined]


class FecFilerForm(FecReportForm):
    street_1 = forms.CharField(max_length=34, label="Street")
    city = forms.CharField(max_length=30)
    state = forms.CharField(max_length=2)
    zip_code = forms.CharField(max_length=9, label="ZIP")
    treasurer_first_name = forms.CharField(max_length=20)
    treasurer_last_name = forms.CharField(max_length=30)
    election_state = forms.CharField(max_length=2, required=False, label="Race's state")
    election_district = forms.CharField(max_length=2, required=False, label="District")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["period"]
