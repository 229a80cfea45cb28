from django import forms

from groundgame.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        required=False,
        max_length=150,
        label="Who",
        help_text="A username, exactly.",
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *AuditEvent.Kind.choices])
    action = forms.CharField(
        required=False, max_length=80, help_text="Starts with, e.g. person.read"
    )
    entity_type = forms.CharField(
        required=False, max_length=80, label="Record type", help_text="e.g. people.person"
    )
    entity_id = forms.CharField(required=False, max_length=64, label="Record id")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data
