"""Forms of the budget and cash-flow pages. Amounts are typed in dollars and read into
cents (``core.money``); what a service refuses is shown at its field by the views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from groundgame.core.errors import ApplicationError
from groundgame.core.money import cents_from_dollars
from groundgame.money.models import Commitment, SpendCategory

DATE = forms.DateInput(attrs={"type": "date"})


class DollarsField(forms.CharField):
    """ "1,250.00" or "$1250" as integer cents; never a float."""

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return cents_from_dollars(text, field=str(self.label or "amount"))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class UnitForm(forms.Form):
    org_unit = forms.TypedChoiceField(coerce=int, label="Unit")

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = units  # type: ignore[attr-defined]


class BudgetLineForm(UnitForm):
    category = forms.ChoiceField(choices=SpendCategory.choices)
    period_start = forms.DateField(widget=DATE, label="From")
    period_end = forms.DateField(widget=DATE, label="To")
    amount = DollarsField(label="Budget ($)")
    note = forms.CharField(required=False, max_length=200)


class CommitmentForm(UnitForm):
    kind = forms.ChoiceField(choices=Commitment.Kind.choices)
    title = forms.CharField(max_length=200)
    vendor = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=SpendCategory.choices)
    starts_on = forms.DateField(widget=DATE, label="Starts (flight, term, issued)")
    ends_on = forms.DateField(widget=DATE, label="Ends (flight, term, due)")
    weekly = DollarsField(required=False, label="TV: each week ($)")
    cancellation_notice_days = forms.IntegerField(
        required=False, min_value=0, max_value=366, label="TV: days' notice to cancel a week"
    )
    cancellation_terms = forms.CharField(required=False, max_length=300)
    retainer = DollarsField(required=False, label="Consultant: monthly retainer ($)")
    commission_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Commission (%)"
    )
    commission_category = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *SpendCategory.choices],
        label="Commission on the spend of",
    )
    amount = DollarsField(required=False, label="Invoice: total ($)")
    reference = forms.CharField(required=False, max_length=60, label="Invoice number")


class DisbursementForm(UnitForm):
    vendor = forms.CharField(max_length=200)
    paid_on = forms.DateField(widget=DATE)
    amount = DollarsField(label="Amount ($)")
    category = forms.ChoiceField(choices=SpendCategory.choices)
    purpose = forms.CharField(max_length=100)
    commitment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        commitments: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"].choices = [("", "—"), *commitments]  # type: ignore[attr-defined]


class ImportForm(UnitForm):
    file = forms.FileField(label="Schedule B file (CSV)")


class CashSettingsForm(forms.Form):
    floor = DollarsField(label="Floor ($): warn before cash falls below")
    horizon_days = forms.IntegerField(min_value=1, max_value=730, label="Warn this many days ahead")
    election_day = forms.DateField(widget=DATE, required=False)
    treasurer = forms.CharField(required=False, max_length=150, label="Treasurer (username)")
    campaign_manager = forms.CharField(
        required=False, max_length=150, label="Campaign manager (username)"
    )


class GoalForm(forms.Form):
    name = forms.CharField(max_length=120)
    starts_on = forms.DateField(widget=DATE)
    deadline = forms.DateField(widget=DATE)
    target = DollarsField(label="Target ($)")
