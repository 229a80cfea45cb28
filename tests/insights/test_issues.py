"""Voters' issues against the campaign's message: what canvassers record at the door per
week and county against the topics of the mailings, scripts and ads that reached the unit;
topics are one vocabulary (national admins add to it), and each message is tagged only by
staff who may change it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from groundgame.core.errors import ApplicationError
from groundgame.field import services as field
from groundgame.insights import selectors, services
from groundgame.messaging import services as messaging
from groundgame.people import services as people
from tests.conftest import Campaign
from tests.field.builders import build_walk_list
from tests.field.test_reporting import results


@pytest.fixture
def canvassed(campaign: Campaign) -> dict[str, Any]:
    """Durham's doors canvassed this week: three conversations, all naming inflation, one
    housing too (``results`` in the field tests)."""
    now = timezone.now()
    today = now - dt.timedelta(minutes=40)
    if today.date() != now.date():
        today = now.replace(hour=0, minute=0) - dt.timedelta(hours=2)
    durham = build_walk_list(
        team=campaign.durham, code="DURHAM01", doors=6, created_at=today - dt.timedelta(days=3)
    )
    answer = field.canvass_sync(
        list_code="DURHAM01",
        results=results(
            durham,
            ["talked", "talked", "not_home", "refused", "talked", "not_home"],
            day=today,
            canvasser="Ana",
        ),
    )
    assert [row.code for row in answer.rows if row.code] == []
    return {"today": today.date(), "canvass": durham}


def _sent_mailing(name: str, topic_keys: list[str]) -> Any:
    universe = people.universe_save(actor=None, name=f"Everyone {name}", filters={})
    mailing = messaging.mailing_create(
        actor=None,
        name=name,
        channel="email",
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="Hello",
        body="Hello.",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    messaging.mailing_fan_out(mailing_id=mailing.pk)
    services.mailing_topics_set(actor=None, mailing_id=mailing.pk, topic_keys=topic_keys)
    return mailing


def test_the_gap_sets_what_voters_raise_against_what_we_said(
    campaign: Campaign, canvassed: dict[str, Any]
) -> None:
    today = canvassed["today"]
    # The script canvassers used talks about democracy; two mailings went out, one about
    # abortion and democracy, one about inflation; the leaflet is not tagged.
    script = canvassed["canvass"].walk_list.script
    services.content_topics_set(actor=None, item_id=script.pk, topic_keys=["democracy"])
    _sent_mailing("Freedom", ["abortion", "democracy"])
    _sent_mailing("Prices", ["inflation"])
    gap = selectors.issue_gap(
        unit_path=campaign.durham.path, since=today - dt.timedelta(days=13), until=today
    )
    topics = {t.key: t for t in gap.overall.topics}
    assert gap.overall.conversations == 3
    assert (topics["inflation"].raised, topics["inflation"].raised_share) == (3, 1.0)
    assert topics["housing"].raised == 1
    # Four messages reached Durham: two mailings, the script and the leaflet.
    assert gap.overall.messages == 4
    assert gap.untagged_messages == 1
    assert (topics["democracy"].said, topics["democracy"].said_share) == (2, 0.5)
    assert topics["inflation"].said_share == 0.25
    assert topics["inflation"].gap == pytest.approx(75.0)
    assert topics["housing"].said == 0
    # The week and the county hold the same conversations.
    this_week = [w for w in gap.weeks if w.conversations]
    assert len(this_week) == 1
    assert this_week[0].conversations == 3
    assert [(c.label, c.conversations) for c in gap.counties] == [("NC 37063", 3)]
    # Guilford had no conversations; the national mailings reached it, Durham's script not.
    guilford = selectors.issue_gap(
        unit_path=campaign.guilford.path, since=today - dt.timedelta(days=13), until=today
    )
    assert (guilford.overall.conversations, guilford.overall.messages) == (0, 2)


def test_pages_and_exports_are_for_every_staff_member(
    campaign: Campaign, canvassed: dict[str, Any], make_staff: Any, client_for: Any
) -> None:
    analyst = client_for(make_staff("analyst", role="analyst", unit=campaign.national))
    page = analyst.get(f"/insights/issues/?unit={campaign.durham.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Voters raised <strong>inflation and cost of living</strong> in 100.00%" in html
    assert "<svg" in html
    export = analyst.get(f"/insights/issues/export.csv?unit={campaign.durham.pk}")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("period,kind,topic,conversations")
    assert any(line.startswith("All weeks,all,inflation,3,3,1.0000") for line in lines)
    api = analyst.get(f"/api/insights/issues/gap?unit_id={campaign.durham.pk}&weeks=4")
    assert api.status_code == 200
    assert api.json()["overall"]["conversations"] == 3
    bad = analyst.get(f"/api/insights/issues/gap?unit_id={campaign.durham.pk}&weeks=99")
    assert (bad.status_code, bad.json()["code"]) == (422, "window_invalid")
    assert analyst.get("/insights/issues/?unit=999999").status_code == 404


def test_tags_and_topics_are_scoped_writes(
    campaign: Campaign, canvassed: dict[str, Any], make_staff: Any
) -> None:
    script = canvassed["canvass"].walk_list.script
    outsider = make_staff("outsider", role="organizer", unit=campaign.piedmont)
    organizer = make_staff("organizer", role="organizer", unit=campaign.triangle)
    with pytest.raises(ApplicationError) as raised:
        services.content_topics_set(actor=outsider, item_id=script.pk, topic_keys=["jobs"])
    assert raised.value.code == "not_in_scope"
    with pytest.raises(ApplicationError) as raised:
        services.content_topics_set(actor=organizer, item_id=script.pk, topic_keys=["taxes"])
    assert (raised.value.code, raised.value.field) == ("topic_unknown", "topics")
    services.content_topics_set(actor=organizer, item_id=script.pk, topic_keys=["jobs"])
    assert selectors.topic_keys(mailing_ids=[], item_ids=[script.pk]) == {
        ("content", script.pk): ["jobs"]
    }
    with pytest.raises(ApplicationError) as raised:
        services.issue_topic_create(actor=organizer, label="Taxes")
    assert raised.value.code == "topics_admins_only"
    admin = make_staff("chief", role="admin", unit=campaign.national)
    topic = services.issue_topic_create(actor=admin, label="Taxes")
    assert topic.key == "taxes"
    with pytest.raises(ApplicationError) as raised:
        services.ad_create(
            actor=outsider,
            name="Costs",
            medium="tv",
            org_unit_id=campaign.durham.pk,
            starts_on=dt.date(2026, 10, 1),
            ends_on=dt.date(2026, 10, 14),
        )
    assert raised.value.code == "not_in_scope"
    with pytest.raises(ApplicationError) as raised:
        services.ad_create(
            actor=organizer,
            name="Costs",
            medium="tv",
            org_unit_id=campaign.durham.pk,
            starts_on=dt.date(2026, 10, 14),
            ends_on=dt.date(2026, 10, 1),
        )
    assert (raised.value.code, raised.value.field) == ("ad_invalid", "ends_on")
