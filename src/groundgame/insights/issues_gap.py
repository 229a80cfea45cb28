"""What voters raise against what the campaign says, per unit and week.

**Raised**: of the conversations under the unit that answered the canvass issues question,
the share that named the topic (a voter may name several, so shares add up past 100%).
**Said**: of the campaign's messages that reached the unit, the share tagged with the topic.
A message reaches a unit when the unit it was made for is the unit, above it or below it
(a national mailing reaches every county; a county's script is part of its state's mix):
each mailing that went out that week, each script, literature or talking point from its
first approval on, each ad in the weeks it ran. Messages are counted, not weighted by how
many people they reached: the chart asks what the campaign chose to talk about.

Aggregates only: every staff member reads them, for any unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from groundgame.content import selectors as content_selectors
from groundgame.field import selectors as field_selectors
from groundgame.insights.models import Ad, IssueTopic, TopicTag
from groundgame.messaging import selectors as messaging_selectors


@dataclass(frozen=True)
class TopicShare:
    key: str
    label: str
    raised: int
    raised_share: float
    said: int
    said_share: float

    @property
    def gap(self) -> float:
        """Points by which voters raise it more than the campaign says it."""
        return 100 * (self.raised_share - self.said_share)


@dataclass(frozen=True)
class Period:
    """One week, or one county over the whole window."""

    label: str
    conversations: int
    messages: int
    topics: list[TopicShare]


@dataclass(frozen=True)
class IssueGap:
    since: dt.date
    until: dt.date
    overall: Period
    weeks: list[Period]
    counties: list[Period]
    untagged_messages: int


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _reaches(unit_path: str, message_path: str) -> bool:
    return unit_path.startswith(message_path) or message_path.startswith(unit_path)


@dataclass(frozen=True)
class _Message:
    topics: frozenset[str]
    weeks: frozenset[dt.date]


def _messages(unit_path: str, weeks: list[dt.date]) -> list[_Message]:
    """The campaign's messages that reached the unit in the window, each with its topics and
    the weeks it counts in."""
    tags: dict[tuple[str, int], set[str]] = defaultdict(set)
    for mailing_id, item_id, ad_id, key in TopicTag.objects.values_list(
        "mailing_id", "content_item_id", "ad_id", "topic__key"
    ):
        if mailing_id:
            tags[("mailing", mailing_id)].add(key)
        elif item_id:
            tags[("content", item_id)].add(key)
        elif ad_id:
            tags[("ad", ad_id)].add(key)
    first, end = weeks[0], weeks[-1] + dt.timedelta(days=7)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=zone)
    out: list[_Message] = []
    for mailing in messaging_selectors.mailings_sent(since, until):
        if _reaches(unit_path, mailing.unit_path):
            week = _monday(timezone.localtime(mailing.sent_at).date())
            out.append(
                _Message(frozenset(tags[("mailing", mailing.mailing_id)]), frozenset([week]))
            )
    for item in content_selectors.content_items_in_use():
        if _reaches(unit_path, item.unit_path):
            start = _monday(timezone.localtime(item.since).date())
            in_use = frozenset(w for w in weeks if w >= start)
            if in_use:
                out.append(_Message(frozenset(tags[("content", item.item_id)]), in_use))
    for ad_id, path, starts, ends in Ad.objects.filter(
        starts_on__lt=end, ends_on__gte=first
    ).values_list("pk", "org_unit__path", "starts_on", "ends_on"):
        if _reaches(unit_path, path):
            running = frozenset(w for w in weeks if _monday(starts) <= w <= ends)
            out.append(_Message(frozenset(tags[("ad", ad_id)]), running))
    return out


@dataclass
class _Tally:
    answered: int = 0
    raised: dict[str, int] = field(default_factory=dict)

    def add(self, issue: str, conversations: int) -> None:
        if issue:
            self.raised[issue] = self.raised.get(issue, 0) + conversations
        else:
            self.answered += conversations


def _period(
    label: str, topics: list[IssueTopic], tally: _Tally, messages: list[_Message]
) -> Period:
    answered, raised = tally.answered, tally.raised
    said = {t.key: sum(t.key in m.topics for m in messages) for t in topics}
    return Period(
        label=label,
        conversations=answered,
        messages=len(messages),
        topics=[
            TopicShare(
                key=t.key,
                label=t.label,
                raised=raised.get(t.key, 0),
                raised_share=raised.get(t.key, 0) / answered if answered else 0.0,
                said=said[t.key],
                said_share=said[t.key] / len(messages) if messages else 0.0,
            )
            for t in topics
        ],
    )


def issue_gap(*, unit_path: str, since: dt.date, until: dt.date) -> IssueGap:
    """The gap under a unit from ``since`` to ``until`` (whole weeks from the Monday of
    ``since``), overall, by week and by county."""
    topics = list(IssueTopic.objects.all())
    first = _monday(since)
    weeks = [first + dt.timedelta(days=7 * i) for i in range((until - first).days // 7 + 1)]
    # Conversations that answered the question, and those naming each topic, per week, per
    # county and in all.
    weekly: dict[dt.date, _Tally] = defaultdict(_Tally)
    county: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    total = _Tally()
    for row in field_selectors.issue_weeks(path=unit_path, since=first, until=until):
        for tally in (weekly[row.week], county[(row.state, row.county_fips)], total):
            tally.add(row.issue, row.conversations)
    messages = _messages(unit_path, weeks)
    week_periods = [
        _period(f"{week:%b %-d}", topics, weekly[week], [m for m in messages if week in m.weeks])
        for week in weeks
    ]
    counties = sorted(county, key=lambda place: (-county[place].answered, place))
    county_periods = [
        _period(f"{state} {fips}", topics, county[(state, fips)], messages)
        for state, fips in counties
    ]
    return IssueGap(
        since=first,
        until=until,
        overall=_period("All weeks", topics, total, messages),
        weeks=week_periods,
        counties=county_periods,
        untagged_messages=sum(not m.topics for m in messages),
    )
