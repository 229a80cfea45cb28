"""List health: rates per mailing, churn per week and state, the battleground share, who can
still be reached, the alerts, and the page and dashboard that show them.

The history is built through the services at frozen times, so every figure is exact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.messaging import list_health as lh
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Send
from groundgame.people import services as people

# A Monday, so that the weeks of the page are easy to name.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PLACES = {"PA": ("1500 Market St", "19103"), "CA": ("200 Valencia St", "94110")}


def at(days_ago: float) -> Any:
    return freeze_time(NOW - dt.timedelta(days=days_ago))


def person(first: str, state: str) -> int:
    street, zip5 = PLACES[state]
    found = people.person_find_or_create(
        actor=None,
        source="test",
        first_name=first,
        last_name="Tester",
        email=f"{first.lower()}@example.com",
        street=street,
        state=state,
        zip5=zip5,
    )
    return int(found.person.pk)


@pytest.fixture
def list_settings(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GROUNDGAME_BATTLEGROUND_STATES = ["PA"]
    settings.GROUNDGAME_LIST_HEALTH_MIN_SENDS = 1
    settings.GROUNDGAME_LIST_HEALTH_MIN_CHURN = 1
    settings.GROUNDGAME_UNSUBSCRIBE_RATE_ALERT = 0.0025
    settings.GROUNDGAME_COMPLAINT_RATE_ALERT = 0.001
    settings.GROUNDGAME_BATTLEGROUND_CHURN_MARGIN = 0.10
    return settings


@pytest.fixture
def history(db: None, list_settings: Any) -> dict[str, int]:
    """Five subscribers (three in PA, two in CA), one fundraising email ten days ago, and
    what came back."""
    with at(21):
        ids = {
            name: person(name, state)
            for name, state in (
                ("Pat", "PA"),
                ("Paula", "PA"),
                ("Pete", "PA"),
                ("Cal", "CA"),
                ("Cara", "CA"),
            )
        }
        for pk in ids.values():
            consent.subscription_join(
                person_id=pk,
                channel="email",
                topic_keys=["fundraising", "volunteering"],
                source="signup_form",
            )
    with at(10):
        universe = people.universe_save(actor=None, name="Everyone", filters={})
        mailing = messaging.mailing_create(
            actor=None,
            name="Spring appeal",
            channel="email",
            topic_key="fundraising",
            universe_id=universe.pk,
            subject="Chip in",
            body="Hi {{ first_name }}",
        )
        messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
        messaging.mailing_fan_out(mailing_id=mailing.pk)
        assert messaging.sends_deliver(channel="email").sent == 5
    with at(9):
        # Through the message: its one-click link, and the provider's complaint report.
        consent.subscription_leave(
            person_id=ids["Pat"], channel="email", topic_keys=["fundraising"], source="one_click"
        )
        complained = Send.objects.get(mailing=mailing, person_id=ids["Paula"])
        messaging.delivery_event_record(
            kind="complained", provider_event_id="evt-1", provider_message_id=complained.provider_id
        )
        # Staff recording a request by phone: churn, but not the mailing's doing.
        consent.subscription_leave(
            person_id=ids["Cal"], channel="email", topic_keys=["fundraising"], source="staff"
        )
    with at(2):
        # Through the unsubscribe page, but eight days after the mailing: outside the window.
        consent.subscription_leave(
            person_id=ids["Cara"],
            channel="email",
            topic_keys=["fundraising"],
            source="unsubscribe_page",
        )
    return {**ids, "mailing": mailing.pk}


def reading() -> lh.ListHealth:
    with freeze_time(NOW):
        return lh.compute()


def test_rates_count_unsubscribes_through_the_message_within_the_window(history):
    (rates,) = reading().mailings
    assert rates.mailing_id == history["mailing"]
    assert rates.sent == 5
    assert rates.unsubscribes == 1  # Pat; not Cal (staff) nor Cara (eight days later)
    assert rates.complaints == 1
    assert rates.bounces == 0
    assert rates.unsubscribe_rate == pytest.approx(0.2)
    assert rates.complaint_rate == pytest.approx(0.2)
    assert rates.unsubscribe_alert
    assert rates.complaint_alert


def test_churn_is_counted_per_week_kind_and_state(history):
    health = reading()
    assert health.weeks[-1] == dt.date(2026, 3, 2)
    assert len(health.weeks) == lh.WEEKS
    by_week = health.churn_by_week()
    assert dict(by_week[dt.date(2026, 2, 16)]) == {"unsubscribe": 2, "complaint": 1}
    assert dict(by_week[dt.date(2026, 2, 23)]) == {"unsubscribe": 1}
    assert dict(by_week[dt.date(2026, 3, 2)]) == {}
    assert dict(health.churn_by_week("PA")[dt.date(2026, 2, 16)]) == {
        "unsubscribe": 1,
        "complaint": 1,
    }
    rows = {(r.week.day, r.topic, r.channel, r.state, r.action): r.count for r in health.churn}
    assert rows == {
        (16, "Fundraising", "email", "PA", "unsubscribe"): 1,
        (16, "Fundraising", "email", "CA", "unsubscribe"): 1,
        (16, "", "email", "PA", "complaint"): 1,
        (23, "Fundraising", "email", "CA", "unsubscribe"): 1,
    }


def test_battleground_share_of_churn_and_of_the_list(history):
    health = reading()
    shares = health.battleground_share_by_week()
    assert shares[dt.date(2026, 2, 16)] == pytest.approx(2 / 3)
    assert shares[dt.date(2026, 2, 23)] == 0.0
    assert shares[dt.date(2026, 3, 2)] is None
    # Everyone is still subscribed to volunteering: three of five are in PA.
    assert (health.list_battleground, health.list_total) == (3, 5)
    assert health.list_battleground_share == pytest.approx(0.6)


def test_reachable_today_by_the_rule_and_week_by_week_from_the_history(history):
    health = reading()
    reach = {(r.channel, r.topic_key): r for r in health.reach}
    email_volunteering = reach[("email", "volunteering")]
    # Paula's complaint suppressed her address: four of five can still be emailed.
    assert email_volunteering.now == 4
    # Weeks ending Feb 9 (before anyone joined), 16, 23 and Mar 2, then today.
    assert email_volunteering.weekly[-5:] == (0, 5, 4, 4, 4)
    assert email_volunteering.change == 4
    assert reach[("sms", "volunteering")].weekly == (0,) * lh.WEEKS
    topic = consent_selectors.topic_get("volunteering")
    with freeze_time(NOW):
        assert (
            consent_selectors.reachable_count_at(channel="email", topic=topic, at=timezone.now())
            == 4
        )


def test_alerts_name_the_mailing_over_its_thresholds(history):
    alerts = {a.kind: a.message for a in reading().alerts}
    assert (
        "“Spring appeal” lost 20.00% of the people it reached (1 of 5)"
        in (alerts["unsubscribe_rate"])
    )
    assert "complaints from 20.00%" in alerts["complaint_rate"]
    # The last two weeks' churn (Cara, in CA) is not in the battleground.
    assert "battleground_share" not in alerts


def test_no_alert_under_the_thresholds_or_below_the_minimum_of_sends(history, list_settings):
    list_settings.GROUNDGAME_LIST_HEALTH_MIN_SENDS = 6
    assert reading().alerts == []
    list_settings.GROUNDGAME_LIST_HEALTH_MIN_SENDS = 1
    list_settings.GROUNDGAME_UNSUBSCRIBE_RATE_ALERT = 0.25
    list_settings.GROUNDGAME_COMPLAINT_RATE_ALERT = 0.25
    assert reading().alerts == []


def test_a_mailing_older_than_two_weeks_no_longer_alerts(history):
    with freeze_time(NOW + dt.timedelta(days=5)):
        assert lh.compute().alerts == []


def test_battleground_churn_above_its_share_of_the_list_alerts(history, list_settings):
    with at(1):
        for name in ("Pat", "Pete"):
            consent.channel_leave(person_id=history[name], channel="email", source="one_click")
    # The last two weeks: Cara (CA), Pat and Pete (PA) left; PA holds 60% of the list.
    list_settings.GROUNDGAME_BATTLEGROUND_CHURN_MARGIN = 0.05
    alerts = {a.kind: a.message for a in reading().alerts}
    assert alerts["battleground_share"] == (
        "67% of the last two weeks' churn (2 of 3) was in battleground states, "
        "which hold 60% of the list."
    )
    list_settings.GROUNDGAME_BATTLEGROUND_CHURN_MARGIN = 0.10
    assert "battleground_share" not in {a.kind for a in reading().alerts}
    list_settings.GROUNDGAME_BATTLEGROUND_CHURN_MARGIN = 0.05
    list_settings.GROUNDGAME_LIST_HEALTH_MIN_CHURN = 4
    assert "battleground_share" not in {a.kind for a in reading().alerts}


def test_the_page_shows_rates_charts_and_alerts_to_staff(history, campaign, make_staff, client_for):
    client = client_for(make_staff(role="organizer", unit=campaign.durham))
    with freeze_time(NOW):
        response = client.get("/list-health/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Spring appeal” lost 20.00% of the people it reached" in html
    assert 'role="alert"' in html
    for title in (
        "Churn per week, everywhere",
        "Share of churn in battleground states",
        "People who can still be reached",
        "Unsubscribes and complaints per email mailing",
    ):
        assert title in html
    assert html.count("Show the numbers") == 5  # a data table with every chart
    assert '<a href="/list-health/" aria-current="page">List health</a>' in html


def test_the_page_filters_churn_by_state(history, campaign, make_staff, client_for):
    client = client_for(make_staff(role="organizer", unit=campaign.durham))
    with freeze_time(NOW):
        assert "Churn per week, in PA" in client.get("/list-health/?state=pa").content.decode()
        # An unknown state shows everywhere rather than failing.
        page = client.get("/list-health/?state=ZZ'").content.decode()
    assert "Churn per week, everywhere" in page


def test_the_page_needs_a_staff_sign_in(db, make_staff, client_for, settings):
    response = client_for(make_staff(unit=None)).get("/list-health/")
    assert response.status_code == 403
    anonymous = Client().get("/list-health/")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/list-health/"


def test_the_dashboard_shows_the_list_health_alerts(history, campaign, make_staff, client_for):
    client = client_for(make_staff(role="organizer", unit=campaign.nc))
    with freeze_time(NOW):
        html = client.get("/").content.decode()
    assert "List health: 2 alerts" in html
    assert "“Spring appeal” drew spam complaints from 20.00%" in html
    assert 'href="/list-health/"' in html


def test_the_dashboard_has_no_alert_banner_when_the_list_is_healthy(
    db, campaign, make_staff, client_for
):
    html = client_for(make_staff(role="organizer", unit=campaign.nc)).get("/").content.decode()
    assert "List health:" not in html
