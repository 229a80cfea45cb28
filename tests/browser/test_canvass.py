"""The canvassing app in Chromium, on a phone-sized screen: a canvasser opens a walk list by
its code, loses the connection, records doors, reloads the page with no connection (the app
comes from its service worker, the results from IndexedDB), records more, and comes back
online; every result reaches the server exactly once, even when the phone sends them all
again, and shows in the team's count for the day. The people who asked not to be knocked
again leave the phone's copy of the list at that sync.

Screenshots go to the screenshots folder (``screenshots`` fixture) as canvass-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import (
    DESKTOP,
    MOBILE,
    PASSWORD,
    offline_for_service_worker,
    sign_in,
    wait_for_service_worker,
)
from tests.field.builders import Canvass, build_walk_list

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def canvass(transactional_db: None) -> Canvass:
    from groundgame.organizing import services as org

    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    durham = org.org_unit_create(
        actor=None, name="Durham Team", kind="team", parent=triangle, counties=["37063"]
    )
    return build_walk_list(team=durham, code="K7QM4TXW", doors=8)


def _record(page: Any, door: int, outcome: str, **answers: Any) -> None:
    """Knock door number ``door`` (1-based, walking order) and save what happened."""
    from playwright.sync_api import expect

    page.locator("ol.doors > li").nth(door - 1).get_by_role("link").click()
    page.get_by_role("radio", name=outcome, exact=True).check()
    if "person" in answers:
        page.get_by_role("group", name="Who answered?").get_by_role(
            "radio", name=answers["person"]
        ).check()
    if "support" in answers:
        page.get_by_role("radio", name=answers["support"]).check()
    for issue in answers.get("issues", []):
        page.get_by_role("checkbox", name=issue).check()
    if "notes" in answers:
        page.get_by_label("Notes").fill(answers["notes"])
    if "do_not_contact" in answers:
        page.get_by_role("radio", name=answers["do_not_contact"]).check()
    if "shoot" in answers:
        # What the phone shows from the top: the bar stays put as the form scrolls under it.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(answers["shoot"]))
    page.get_by_role("button", name="Save result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapel Hill St, east")
    expect(page.locator(".notice-success")).to_contain_text("Saved on this phone")


def _stored() -> list[Any]:
    from groundgame.field.models import CanvassResult

    return list(CanvassResult.objects.order_by("recorded_at"))


def _people_on_phone(page: Any) -> set[int]:
    """The people of the list the phone keeps in IndexedDB."""
    ids = page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("groundgame-canvass");
          open.onsuccess = () => {
            const get = open.result.transaction("lists").objectStore("lists").get("K7QM4TXW");
            get.onsuccess = () => resolve(
              get.result.households.flatMap((door) => door.people.map((person) => person.id)),
            );
            get.onerror = () => reject(get.error);
          };
        })"""
    )
    return set(ids)


def test_doors_recorded_offline_across_a_reload_sync_once(
    live_server: Any, canvass: Canvass, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.field import selectors

    base = live_server.url
    lat, lon = canvass.door(0).latitude, canvass.door(0).longitude
    context = browser.new_context(
        viewport=MOBILE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 10},
        permissions=["geolocation"],
    )
    page = context.new_page()
    status = page.locator("#sync-status")

    # Open the list by its code, typed as read aloud (lower case).
    page.goto(f"{base}/canvass/")
    expect(page.get_by_role("heading", name="Open your walk list")).to_be_visible()
    # The app has started (it draws its screens itself, so typing before would be lost) and
    # its service worker, installed on this first visit, controls the page: as on a phone
    # that opened the app once with a connection before the shift.
    expect(status).to_have_text("All synced · 0 waiting")
    wait_for_service_worker(page)
    page.get_by_label("List code").fill("k7qm4txw")
    page.get_by_role("button", name="Open list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapel Hill St, east")
    expect(page.locator("ol.doors > li")).to_have_count(8)
    expect(page.locator("ol.doors > li").first).to_contain_text("100 Chapel Hill St")
    expect(status).to_have_text("All synced · 0 waiting")
    page.get_by_text("Script: Durham doors, October").click()
    expect(page.get_by_text("most important issue")).to_be_visible()
    # The service worker has the shell and controls the page before the connection goes.
    wait_for_service_worker(page)
    page.screenshot(path=str(screenshots / "canvass-list.png"), full_page=True)

    context.route("**/*", offline_for_service_worker)
    context.set_offline(True)
    expect(page.locator("#offline-banner")).to_contain_text("You are offline")

    first = canvass.people[canvass.door(0).pk][0]
    _record(
        page,
        1,
        "Talked",
        person=first.full_name,
        support="Leaning for us",
        issues=["Inflation and cost of living", "Housing"],
        notes="Wants a yard sign.",
        shoot=screenshots / "canvass-door-form.png",
    )
    _record(page, 2, "Not home")
    _record(page, 3, "Refused", do_not_contact="No more door knocks")
    expect(status).to_have_text("3 waiting to sync")
    expect(page.locator("#offline-banner")).to_contain_text("3 results saved on this phone")
    expect(page.locator("ol.doors > li").nth(0)).to_contain_text("Talked · waiting to sync")
    page.screenshot(path=str(screenshots / "canvass-offline.png"))
    assert _stored() == []

    # A reload with no connection: the shell from the service worker, the results from
    # IndexedDB.
    response = page.reload()
    assert response is not None
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapel Hill St, east")
    expect(status).to_have_text("3 waiting to sync")
    expect(page.locator("ol.doors > li").nth(2)).to_contain_text("Refused · waiting to sync")

    fifth = canvass.people[canvass.door(4).pk][1]
    _record(page, 4, "Come back later")
    _record(
        page,
        5,
        "Talked",
        person=fifth.full_name,
        support="Strongly against",
        issues=["The border and immigration"],
        do_not_contact="Never contact me",
    )
    expect(status).to_have_text("5 waiting to sync")
    assert _stored() == []

    # Back online: everything syncs by itself.
    context.unroute("**/*", offline_for_service_worker)
    context.set_offline(False)
    expect(status).to_have_text("All synced · 0 waiting", timeout=20_000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    # The sync answer names who the contact rule now refuses, and the phone drops them: the
    # third door (everyone there asked for no more knocks) and the person at the fifth who
    # asked never to be contacted. The fifth door stays for the other resident.
    expect(page.locator("ol.doors > li")).to_have_count(7)
    expect(page.locator("ol.doors > li").nth(3)).to_contain_text("Talked · synced")
    assert fifth.pk not in _people_on_phone(page)
    assert canvass.people[canvass.door(4).pk][0].pk in _people_on_phone(page)
    page.screenshot(path=str(screenshots / "canvass-synced.png"), full_page=True)

    stored = _stored()
    assert [(r.household_id, r.outcome) for r in stored] == [
        (canvass.door(0).pk, "talked"),
        (canvass.door(1).pk, "not_home"),
        (canvass.door(2).pk, "refused"),
        (canvass.door(3).pk, "come_back"),
        (canvass.door(4).pk, "talked"),
    ]
    talked = stored[0]
    assert (talked.person_id, talked.support, talked.notes) == (first.pk, 2, "Wants a yard sign.")
    issues = talked.answers.filter(question="issues").order_by("position")
    assert list(issues.values_list("option", flat=True)) == ["inflation", "housing"]
    assert talked.latitude == pytest.approx(lat)
    assert talked.longitude == pytest.approx(lon)
    assert talked.script_version_id == canvass.script_versions[0].pk
    assert (stored[2].do_not_contact_scope, stored[4].do_not_contact_scope) == ("door", "all")
    assert (stored[4].person_id, stored[4].support) == (fifth.pk, 5)

    # The phone sends every result again (as after a lost answer): nothing new is stored.
    page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("groundgame-canvass");
          open.onsuccess = () => {
            const tx = open.result.transaction("outbox", "readwrite");
            const store = tx.objectStore("outbox");
            store.getAll().onsuccess = (event) => {
              for (const record of event.target.result) store.put({...record, status: "pending"});
            };
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        })"""
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("All synced · 0 waiting", timeout=20_000)
    assert len(_stored()) == 5

    # In the organizer's numbers: the team's doors and conversations today.
    today = timezone.localdate()
    counts = selectors.canvass_daily_counts(since=today - dt.timedelta(days=1), until=today)
    assert [(c.org_unit_id, c.day, c.doors, c.conversations) for c in counts] == [
        (canvass.team.pk, today, 5, 2)
    ]
    context.close()

    # And on the state's reporting page, rolled up from the team, as its director reads it.
    from groundgame.organizing import services as org

    state = canvass.team.parent.parent
    director = org.staff_create(actor=None, username="nc_director", password=PASSWORD)
    org.staff_role_grant(actor=None, user=director, org_unit=state, role="director")
    desk = browser.new_context(viewport=DESKTOP)
    report = desk.new_page()
    sign_in(report, base, "nc_director")
    report.goto(f"{base}/field/reporting/?unit={state.pk}&days=7")
    totals = report.get_by_role("region", name="Totals")
    expect(totals.locator(".kpi", has_text="Doors knocked")).to_contain_text("5")
    expect(totals.locator(".kpi", has_text="Conversations")).to_contain_text("2")
    expect(totals.locator(".kpi", has_text="Contact rate")).to_contain_text("40%")
    expect(report.get_by_role("row", name="Triangle 5 2 40%")).to_be_visible()
    report.screenshot(path=str(screenshots / "canvass-rolled-up.png"), full_page=True)
    desk.close()
