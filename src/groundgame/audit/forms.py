from django import forms

from groundgame.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, label="Who")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *AuditEvent.Kind.choices])
    action = forms.CharField(required=False, max_length=80, help_text="e.g. person.read")
    entity_type = forms.CharField(required=False, max_length=80, label="Record type")
    entity_id = forms.CharField(required=False, max_length=64, label="Record id")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:  # type: ignore[operator]
            self.add_error("until", "The end date is before the start date.")
        return data
