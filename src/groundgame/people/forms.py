"""Forms of the people app's staff pages: they validate what a person typed or chose."""

from __future__ import annotations

from typing import Any

from django import forms

from groundgame.people.models import MatchReview


class ReviewDecisionForm(forms.Form):
    """Staff's answer on the compare page: merge (keeping one of the two) or not the same.

    Whether the survivor is one of the review's two people is the service's rule; the form
    only asks that a merge names one.
    """

    MERGE = "merge"
    DISTINCT = "distinct"

    decision = forms.ChoiceField(
        choices=[(MERGE, "Merge"), (DISTINCT, "Not the same person")],
        error_messages={"required": "Choose to merge the records or keep them apart."},
    )
    survivor_id = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.MERGE and not cleaned.get("survivor_id"):
            self.add_error("survivor_id", "Choose which of the two records to keep.")
        return cleaned

    @property
    def service_decision(self) -> str:
        """The decision in the service's words (a review's status after it)."""
        if self.cleaned_data["decision"] == self.MERGE:
            return str(MatchReview.Status.MERGED)
        return str(MatchReview.Status.DISTINCT)


class MergeUndoForm(forms.Form):
    """Undo a merge; ``person_id`` is the record the button was on, to go back to it."""

    person_id = forms.IntegerField(min_value=1)
