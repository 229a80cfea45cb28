"""The turf page's shift picker, in Chromium, shows each shift in its event's own time: a
Phoenix canvass at 10:00 on a July morning reads 10:00 AM MST (Arizona keeps standard time:
New York reads 1:00 PM, Denver 11:00 AM, UTC 17:00). Screenshot: turf-shift-picker.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from groundgame.events import services as events
from groundgame.field import services as field
from groundgame.organizing import services as organizing
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.field.turf_builders import build_town

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JULY_DAY = dt.date(timezone.now().year + 1, 7, 10)


def test_the_shift_picker_shows_the_events_local_time(
    live_server: Any, transactional_db: None, page: Any, screenshots: Path
) -> None:
    national = organizing.org_unit_create(actor=None, name="National", kind="national")
    arizona = organizing.org_unit_create(
        actor=None, name="Arizona", kind="state", state="AZ", parent=national
    )
    valley = organizing.org_unit_create(actor=None, name="Valley", kind="region", parent=arizona)
    phoenix = organizing.org_unit_create(
        actor=None, name="Phoenix", kind="team", parent=valley, counties=["04013"]
    )
    nc = organizing.org_unit_create(
        actor=None, name="North Carolina", kind="state", state="NC", parent=national
    )
    triangle = organizing.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    durham = organizing.org_unit_create(
        actor=None, name="Durham", kind="team", parent=triangle, counties=["37063"]
    )
    starts = dt.datetime.combine(JULY_DAY, dt.time(17), tzinfo=dt.UTC)
    event = events.event_create(
        actor=None,
        org_unit=phoenix,
        title="Roosevelt Row canvass",
        kind="canvass",
        zip5="85004",
        shifts=[events.ShiftSpec(starts, starts + dt.timedelta(hours=3), 20)],
    )
    assert event.timezone == "America/Phoenix"
    town = build_town(unit=durham, doors_per_zip={"27701": 24})
    cut = field.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=durham.pk, target_doors=12
    )
    turf = cut.turfs.order_by("number").first()
    assert turf is not None
    staff = organizing.staff_create(actor=None, username="nadia", password=PASSWORD)
    organizing.staff_role_grant(actor=None, user=staff, org_unit=national, role="organizer")

    sign_in(page, live_server.url, "nadia", PASSWORD)
    page.goto(f"{live_server.url}/field/turfs/{turf.pk}/")
    picker = page.get_by_label("Shift")
    label = f"{JULY_DAY:%a %b} 10, 10:00 AM MST · Roosevelt Row canvass"
    options = picker.locator("option").all_inner_texts()
    assert label in options, options
    picker.select_option(label=label)
    assert picker.evaluate("el => el.options[el.selectedIndex].text") == label
    for other in ("1:00 PM", "11:00 AM", "17:00"):
        assert not any(other in option for option in options), other
    picker.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "turf-shift-picker.png"), full_page=True)
