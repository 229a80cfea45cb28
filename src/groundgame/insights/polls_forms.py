"""The forms of the poll pages: one poll by hand, a poll file to upload."""

from __future__ import annotations

from django import forms

from groundgame.insights.models import Poll
from groundgame.insights.polls_states import STATES

PLACE_CHOICES = [("", "National")] + [(code, name) for code, name in sorted(STATES.items())]


class PollForm(forms.Form):
    state = forms.ChoiceField(choices=PLACE_CHOICES, required=False)
    pollster = forms.CharField(max_length=200)
    grade = forms.CharField(max_length=8, required=False, help_text="538's grade, if any")
    sample_size = forms.IntegerField(min_value=1, max_value=10_000_000, required=False)
    population = forms.ChoiceField(choices=Poll.Population.choices)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    dem_candidate = forms.CharField(max_length=200, label="Democrat")
    dem_pct = forms.FloatField(label="Democrat's share (%)")
    rep_candidate = forms.CharField(max_length=200, label="Republican")
    rep_pct = forms.FloatField(label="Republican's share (%)")
    other_pct = forms.FloatField(label="Other candidates together (%)", required=False, initial=0.0)


class PollUploadForm(forms.Form):
    file = forms.FileField(
        help_text="538's poll format (the 2016 file's columns or the 2020/2024 ones)"
    )
