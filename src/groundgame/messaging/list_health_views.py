"""The list-health page: unsubscribe and complaint rates per mailing against their norms,
churn per topic, channel and state over time, and who can still be reached. Aggregates
only, so every staff member may see it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundgame.core.decorators import staff_required
from groundgame.core.templatetags.charts import Chart, bar_chart, line_chart
from groundgame.messaging import list_health as lh
from groundgame.messaging.models import MessageChannel

CHANNEL_LABELS = dict(MessageChannel.choices)


def _week_label(day: dt.date) -> str:
    return f"{day:%b} {day.day}"


def _churn_chart(health: lh.ListHealth, state: str) -> Chart:
    weekly = health.churn_by_week(state)
    where = f"in {state}" if state else "everywhere"
    return line_chart(
        f"Churn per week, {where}",
        "People leaving a topic or a channel, replying STOP, bouncing, complaining or asking "
        "never to be contacted, per week (weeks start on Monday; the last is this week so far).",
        [_week_label(w) for w in health.weeks],
        [(label, [weekly[w][kind] for w in health.weeks]) for kind, label in lh.CHURN_KINDS],
        category_label="Week of",
        chart_id="chart-churn-weekly",
    )


def _topic_channel(row: lh.ChurnRow) -> str:
    if not row.channel:
        return "Every channel (do not contact)"
    channel = CHANNEL_LABELS.get(row.channel, row.channel)
    return f"{row.topic or 'Whole channel'} · {channel}"


def _topic_chart(health: lh.ListHealth, state: str) -> Chart:
    battleground = set(health.battleground_states)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in health.churn:
        if not state or row.state == state:
            totals[_topic_channel(row)][0 if row.state in battleground else 1] += row.count
    order = sorted(totals, key=lambda k: -sum(totals[k]))
    return bar_chart(
        "Churn by topic and channel",
        f"All churn of the last {lh.WEEKS} weeks per topic and channel, in the battleground "
        "states and elsewhere. Leaving a channel, a STOP, a bounce or a complaint ends every "
        "topic on that channel.",
        order,
        [
            ("Battleground states", [totals[k][0] for k in order]),
            ("Elsewhere", [totals[k][1] for k in order]),
        ],
        category_label="Topic · channel",
        chart_id="chart-churn-topics",
    )


def _share_chart(health: lh.ListHealth) -> Chart:
    shares = health.battleground_share_by_week()
    list_share = health.list_battleground_share
    return line_chart(
        "Share of churn in battleground states",
        "Each week's churn in "
        + ", ".join(health.battleground_states)
        + ", against those states' share of the list (people subscribed to something by "
        "email or text today).",
        [_week_label(w) for w in health.weeks],
        [
            ("Share of churn", [shares[w] for w in health.weeks]),
            ("Share of the list", [list_share for _ in health.weeks]),
        ],
        value_format="percent",
        category_label="Week of",
        chart_id="chart-battleground-share",
    )


def _reach_chart(health: lh.ListHealth) -> Chart:
    return line_chart(
        "People who can still be reached",
        "People the contact rule allows to be emailed or texted about volunteering and about "
        "voting, at the end of each week: this week's by the rule itself, earlier weeks "
        "replayed from the consent history.",
        [_week_label(w) for w in health.weeks],
        [(f"{r.topic} · {CHANNEL_LABELS[r.channel]}", list(r.weekly)) for r in health.reach],
        category_label="Week of",
        chart_id="chart-reach",
    )


def _mailing_chart(health: lh.ListHealth) -> Chart:
    # Email only: the norms are email's, and texts' STOP rates, an order of magnitude higher,
    # would flatten every email bar (the table has them).
    mailings = [m for m in reversed(health.mailings) if m.channel == MessageChannel.EMAIL]
    return bar_chart(
        "Unsubscribes and complaints per email mailing",
        "Share of the emails each mailing sent that ended in an unsubscribe or a spam "
        "complaint, oldest mailing first.",
        [f"{m.name} ({m.sent_at:%b} {m.sent_at.day})" if m.sent_at else m.name for m in mailings],
        [
            ("Unsubscribe rate", [m.unsubscribe_rate for m in mailings]),
            ("Complaint rate", [m.complaint_rate for m in mailings]),
        ],
        value_format="percent2",
        category_label="Mailing",
        chart_id="chart-mailing-rates",
    )


def _state_table(health: lh.ListHealth) -> list[dict[str, Any]]:
    battleground = set(health.battleground_states)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in health.churn:
        counts[row.state][row.action] += row.count
    rows = [
        {
            "state": state or "Unknown",
            "code": state,
            "battleground": state in battleground,
            "cells": [kinds[kind] for kind, _ in lh.CHURN_KINDS],
            "total": sum(kinds.values()),
        }
        for state, kinds in counts.items()
    ]
    return sorted(rows, key=lambda r: -int(r["total"]))


@staff_required
def list_health(request: HttpRequest) -> HttpResponse:
    health = lh.list_health()
    states = health.states()
    state = request.GET.get("state", "").upper()
    if state not in states:
        state = ""
    return render(
        request,
        "messaging/list_health.html",
        {
            "health": health,
            "state": state,
            "states": states,
            "churn_kinds": [label for _, label in lh.CHURN_KINDS],
            "state_rows": _state_table(health),
            "unsubscribe_norm": lh.UNSUBSCRIBE_NORM,
            "complaint_norm": lh.COMPLAINT_NORM,
            "attribution_days": lh.ATTRIBUTION_WINDOW.days,
            "complaint_alert": settings.GROUNDGAME_COMPLAINT_RATE_ALERT,
            "unsubscribe_alert": settings.GROUNDGAME_UNSUBSCRIBE_RATE_ALERT,
            "sms_alert": settings.GROUNDGAME_SMS_OPT_OUT_RATE_ALERT,
            "min_sends": settings.GROUNDGAME_LIST_HEALTH_MIN_SENDS,
            "mailing_chart": _mailing_chart(health),
            "churn_chart": _churn_chart(health, state),
            "topic_chart": _topic_chart(health, state),
            "share_chart": _share_chart(health),
            "reach_chart": _reach_chart(health),
        },
    )
