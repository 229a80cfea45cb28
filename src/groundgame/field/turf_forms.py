"""Forms of the turf pages: cutting a universe, and handing a turf out as a walk list."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from groundgame.content import selectors as content_selectors
from groundgame.events import selectors as events_selectors
from groundgame.field import turf_services
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors
from groundgame.volunteers import selectors as volunteers_selectors


class TurfCutForm(forms.Form):
    universe = forms.TypedChoiceField(coerce=int, label="Universe")
    org_unit = forms.TypedChoiceField(
        coerce=int, label="Org unit", help_text="Only the universe's people placed in this unit."
    )
    target_doors = forms.IntegerField(
        label="Doors per turf",
        initial=50,
        min_value=turf_services.TARGET_MIN,
        max_value=turf_services.TARGET_MAX,
        help_text="About two hours of canvassing is 40 to 60 doors.",
    )
    boundary = forms.ChoiceField(
        label="Never cross",
        choices=list(turf_services.BOUNDARIES.items()),
        required=False,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="Name", max_length=200, required=False)

    def __init__(self, *args: Any, scope: StaffScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        universes = people_selectors.universe_list(scope)
        cast(forms.ChoiceField, self.fields["universe"]).choices = [("", "Choose a universe")] + [
            (u.pk, f"{u.name} ({u.last_count:,} people)" if u.last_count is not None else u.name)
            for u in universes
        ]
        units = [u for u in organizing_selectors.org_unit_list() if scope.covers(u.path)]
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = [(u.pk, u.name) for u in units]


class WalkListForm(forms.Form):
    shift = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Shift")
    canvasser = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Volunteer"
    )
    script = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Script")

    def __init__(self, *args: Any, scope: StaffScope, unit_path: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Scripts of the turf's team and the units above it that volunteers may be shown (an
        # approved version); the newest is offered first.
        unit_ids = organizing_selectors.unit_path_ids(unit_path)
        scripts = sorted(
            content_selectors.current_approved_versions(kind="script", org_unit_ids=unit_ids),
            key=lambda v: v.decided_at or v.created_at,
            reverse=True,
        )
        cast(forms.ChoiceField, self.fields["script"]).choices = [("", "No script")] + [
            (v.item_id, f"{v.item.title} (version {v.number})") for v in scripts
        ]
        if scripts:
            self.fields["script"].initial = scripts[0].item_id
        shifts = events_selectors.shift_list_upcoming(scope=scope)
        cast(forms.ChoiceField, self.fields["shift"]).choices = [("", "No shift")] + [
            # The time first: the closed picker is narrower than most labels.
            (s.pk, f"{events_selectors.shift_local_start(s)} · {s.event.title}")
            for s in shifts
        ]
        volunteers = volunteers_selectors.unit_volunteers(unit_path=unit_path)
        cast(forms.ChoiceField, self.fields["canvasser"]).choices = [
            ("", "No one yet"),
            *volunteers,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shift") is None and data.get("canvasser") is None:
            raise forms.ValidationError("Choose a shift, a volunteer, or both.")
        return data
