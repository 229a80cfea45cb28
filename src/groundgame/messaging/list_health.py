"""List health: is the campaign losing the people it will need?

Four readings, each aggregated in the database (GROUP BY week, state, topic), never by looping
over people or events in Python:

- per mailing, unsubscribes and spam complaints per message sent, against the norms below;
- churn (unsubscribes, channel leaves, STOPs, bounces, complaints, do-not-contact) per week,
  per topic and channel, per state, from the consent history, which records each person's
  state when it happened;
- the share of that churn in the battleground states, against their share of the list;
- how many people can still be reached about volunteering and about voting, per channel,
  today by the contact rule itself and in past weeks replayed from the consent history.

The norms (industry benchmarks, not laws):
- unsubscribes: about 0.12% of emails sent, the order of the averages email providers publish
  in their industry benchmarks (Mailchimp's and Campaign Monitor's all-industry averages sit
  around 0.1-0.3% per campaign);
- complaints: under 0.1%. Gmail's email sender guidelines (February 2024, with Yahoo's matching
  bulk-sender rules) ask bulk senders to keep the spam rate below 0.10% and never reach 0.30%,
  above which their mail is filtered or refused.

The whole reading is kept in the shared cache, like the dashboard's headline numbers, and a
worker recounts it when it is older than ``STALE_AFTER``: the replay of past weeks costs a
query per week, channel and topic, too many to repeat on every visit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf, TruncWeek
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.messaging.models import DeliveryEvent, Mailing, MessageChannel, Send
from groundgame.people import selectors as people_selectors

WEEKS = 12
STALE_AFTER = dt.timedelta(minutes=5)
_CACHE_KEY = "messaging:list_health:v1"
_REFRESHING = "messaging:list_health:refreshing"

UNSUBSCRIBE_NORM = 0.0012
COMPLAINT_NORM = 0.001

# Unsubscribes are attributed to a mailing by last touch: a person who leaves within
# ATTRIBUTION_WINDOW after a mailing reached them, through that message (its one-click header,
# its unsubscribe page, the provider's report of either, or a STOP to a text), is counted
# against the latest mailing that reached them on that channel before they left, about that
# topic for a topic unsubscribe. Leaving the whole channel or asking never to be contacted
# counts against the latest mailing on that channel (on any channel, for a do-not-contact).
# The links carry the person, channel and topic, not the mailing, and most people who leave
# do so within a day or two of a message, so a week catches them without reaching back to
# mailings they had long forgotten. Changes made by staff or imports are never attributed.
ATTRIBUTION_WINDOW = dt.timedelta(days=7)
MESSAGE_SOURCES = ("one_click", "unsubscribe_page", "webhook:email", "webhook:sms", "sms_keyword")

# The kinds of churn, in the order the page shows them: (consent action, label).
CHURN_KINDS = (
    ("unsubscribe", "Topic unsubscribes"),
    ("leave_channel", "Left the channel"),
    ("stop", "STOP replies"),
    ("bounce", "Hard bounces"),
    ("complaint", "Spam complaints"),
    ("do_not_contact", "Do not contact"),
)
_LEAVING = ("unsubscribe", "leave_channel", "stop", "do_not_contact")
REACH_TOPICS = (("volunteering", "Volunteering"), ("voting_info", "Voting information"))
REACH_CHANNELS = (MessageChannel.EMAIL, MessageChannel.SMS)


@dataclass(frozen=True)
class MailingRates:
    mailing_id: int
    name: str
    channel: str
    topic: str
    sent_at: dt.datetime | None
    sent: int
    unsubscribes: int
    complaints: int
    bounces: int
    unsubscribe_threshold: float

    @property
    def unsubscribe_rate(self) -> float | None:
        return self.unsubscribes / self.sent if self.sent else None

    @property
    def complaint_rate(self) -> float | None:
        # Carriers report no spam complaints about texts: only email has this rate.
        if not self.sent or self.channel != MessageChannel.EMAIL:
            return None
        return self.complaints / self.sent

    @property
    def enough_sent(self) -> bool:
        return self.sent >= settings.GROUNDGAME_LIST_HEALTH_MIN_SENDS

    @property
    def unsubscribe_alert(self) -> bool:
        rate = self.unsubscribe_rate
        return self.enough_sent and rate is not None and rate > self.unsubscribe_threshold

    @property
    def complaint_alert(self) -> bool:
        rate = self.complaint_rate
        return (
            self.enough_sent
            and rate is not None
            and rate > settings.GROUNDGAME_COMPLAINT_RATE_ALERT
        )


@dataclass(frozen=True)
class ChurnRow:
    """Churn events of one kind, channel, topic and state in one week."""

    week: dt.date
    action: str
    channel: str
    topic: str  # the topic's name; "" for churn that names no topic (a channel leave, a STOP)
    state: str
    count: int


@dataclass(frozen=True)
class Alert:
    kind: str  # "unsubscribe_rate", "complaint_rate" or "battleground_share"
    message: str


@dataclass(frozen=True)
class Reach:
    channel: str
    topic_key: str
    topic: str
    now: int
    weekly: tuple[int, ...]  # at the end of each week of ``ListHealth.weeks`` (the last: now)

    @property
    def change(self) -> int:
        """Gained (or lost, below zero) since the end of the first week shown."""
        return self.now - self.weekly[0]


@dataclass(frozen=True)
class ListHealth:
    computed_at: dt.datetime
    weeks: tuple[dt.date, ...]
    mailings: list[MailingRates]
    churn: list[ChurnRow]
    battleground_states: tuple[str, ...]
    # People on the list (subscribed to something by email or text), in battleground states
    # and in all.
    list_battleground: int
    list_total: int
    reach: list[Reach]
    alerts: list[Alert] = field(default_factory=list)

    @property
    def list_battleground_share(self) -> float | None:
        return self.list_battleground / self.list_total if self.list_total else None

    def churn_by_week(self, state: str = "") -> dict[dt.date, dict[str, int]]:
        """Per week, the count of each churn kind (in one state, or everywhere)."""
        out: dict[dt.date, dict[str, int]] = {w: defaultdict(int) for w in self.weeks}
        for row in self.churn:
            if not state or row.state == state:
                out[row.week][row.action] += row.count
        return out

    def battleground_share_by_week(self) -> dict[dt.date, float | None]:
        battleground = set(self.battleground_states)
        inside: dict[dt.date, int] = defaultdict(int)
        total: dict[dt.date, int] = defaultdict(int)
        for row in self.churn:
            total[row.week] += row.count
            if row.state in battleground:
                inside[row.week] += row.count
        return {w: inside[w] / total[w] if total[w] else None for w in self.weeks}

    def states(self) -> list[str]:
        return sorted({row.state for row in self.churn if row.state})


def _week_start(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time.min))


def _attributed(ids: list[int], *, by: str = "mailing_id") -> QuerySet[Any]:
    """Leaving events with the mailing (or, ``by="variant_id"``, the variant of a test) each
    is attributed to (see ``ATTRIBUTION_WINDOW``)."""
    latest_send = (
        Send.objects.filter(
            mailing__isnull=False,
            person=OuterRef("person"),
            # A do-not-contact names no channel and a channel leave no topic: blank or NULL
            # on the event matches any, by comparing the send's own column with itself.
            channel=Coalesce(NullIf(OuterRef("channel"), Value("")), F("channel")),
            topic=Coalesce(OuterRef("topic"), F("topic")),
            sent_at__lte=OuterRef("at"),
            sent_at__gte=OuterRef("at") - ATTRIBUTION_WINDOW,
        )
        .order_by("-sent_at", "-pk")
        .values(by)[:1]
    )
    return (
        consent_selectors.consent_event_list()
        .order_by()
        .filter(source__in=MESSAGE_SOURCES, action__in=_LEAVING, person__isnull=False)
        .annotate(attributed=Subquery(latest_send))
        .filter(attributed__in=ids)
    )


def attributed_unsubscribes(ids: list[int], *, by: str = "mailing_id") -> dict[int, int]:
    """People who left after each mailing reached them (see ``ATTRIBUTION_WINDOW``); with
    ``by="variant_id"``, after each variant of a test (``ids`` are then variants' ids)."""
    rows = _attributed(ids, by=by).values("attributed").annotate(n=Count("person", distinct=True))
    return {r["attributed"]: r["n"] for r in rows}


def attributed_leavers(mailing_ids: list[int]) -> dict[int, set[int]]:
    """The people each mailing's unsubscribes cut off (the ids behind
    ``attributed_unsubscribes``), for what their leaving cost."""
    found: dict[int, set[int]] = defaultdict(set)
    for mailing_id, person_id in _attributed(mailing_ids).values_list("attributed", "person"):
        found[mailing_id].add(person_id)
    return dict(found)


def mailing_rates(since: dt.datetime) -> list[MailingRates]:
    """Every mailing fanned out since ``since``, newest first, with its rates."""
    mailings = list(
        Mailing.objects.filter(fanned_out_at__gte=since)
        .select_related("topic")
        .order_by("-fanned_out_at", "-pk")
    )
    ids = [m.pk for m in mailings]
    sent = dict(
        Send.objects.filter(mailing_id__in=ids, sent_at__isnull=False)
        .values("mailing_id")
        .annotate(n=Count("id"))
        .values_list("mailing_id", "n")
        .order_by()
    )
    reported: dict[tuple[int, str], int] = {
        (r["mailing_id"], r["kind"]): r["n"]
        for r in DeliveryEvent.objects.filter(
            mailing_id__in=ids,
            kind__in=(DeliveryEvent.Kind.BOUNCED, DeliveryEvent.Kind.COMPLAINED),
        )
        .values("mailing_id", "kind")
        .annotate(n=Count("address", distinct=True))
        .order_by()
    }
    unsubscribes = attributed_unsubscribes(ids)
    return [
        MailingRates(
            mailing_id=m.pk,
            name=m.name,
            channel=m.channel,
            topic=m.topic.name,
            sent_at=m.fanned_out_at,
            sent=sent.get(m.pk, 0),
            unsubscribes=unsubscribes.get(m.pk, 0),
            complaints=reported.get((m.pk, DeliveryEvent.Kind.COMPLAINED), 0),
            bounces=reported.get((m.pk, DeliveryEvent.Kind.BOUNCED), 0),
            unsubscribe_threshold=(
                settings.GROUNDGAME_UNSUBSCRIBE_RATE_ALERT
                if m.channel == MessageChannel.EMAIL
                else settings.GROUNDGAME_SMS_OPT_OUT_RATE_ALERT
            ),
        )
        for m in mailings
    ]


def churn_rows(since: dt.datetime) -> list[ChurnRow]:
    """Churn since ``since`` grouped by week, kind, channel, topic and state, in one query."""
    rows = (
        consent_selectors.consent_event_list()
        .order_by()
        .filter(at__gte=since, action__in=[kind for kind, _ in CHURN_KINDS])
        .annotate(week=TruncWeek("at"))
        .values("week", "action", "channel", "topic__name", "state")
        .annotate(n=Count("id"))
    )
    return [
        ChurnRow(
            week=timezone.localtime(r["week"]).date()
            if isinstance(r["week"], dt.datetime)
            else r["week"],
            action=r["action"],
            channel=r["channel"],
            topic=r["topic__name"] or "",
            state=r["state"],
            count=r["n"],
        )
        for r in rows
    ]


def reach(weeks: list[dt.datetime]) -> list[Reach]:
    """Who can still be reached about volunteering and voting, per channel: today by the rule,
    at the end of each past week replayed from the consent history."""
    everyone = people_selectors.universe_people({})
    out = []
    for channel in REACH_CHANNELS:
        for key, label in REACH_TOPICS:
            topic = consent_selectors.topic_get(key)
            if topic is None:
                continue
            today = consent_selectors.reachable(everyone, channel=channel, topic=topic).count()
            past = [
                consent_selectors.reachable_count_at(
                    channel=channel, topic=topic, at=start + dt.timedelta(days=7)
                )
                for start in weeks[:-1]
            ]
            out.append(
                Reach(
                    channel=channel,
                    topic_key=key,
                    topic=label,
                    now=today,
                    weekly=(*past, today),
                )
            )
    return out


def _alerts(health: ListHealth, now: dt.datetime) -> list[Alert]:
    alerts = []
    recent = now - dt.timedelta(days=14)
    for m in health.mailings:
        if m.sent_at is None or m.sent_at < recent:
            continue
        if m.unsubscribe_alert and m.unsubscribe_rate is not None:
            alerts.append(
                Alert(
                    "unsubscribe_rate",
                    f"“{m.name}” lost {m.unsubscribe_rate:.2%} of the people it reached "
                    f"({m.unsubscribes:,} of {m.sent:,}); the alert is at "
                    f"{m.unsubscribe_threshold:.2%}.",
                )
            )
        if m.complaint_alert and m.complaint_rate is not None:
            alerts.append(
                Alert(
                    "complaint_rate",
                    f"“{m.name}” drew spam complaints from {m.complaint_rate:.2%} of the "
                    f"people it reached ({m.complaints:,}); the alert is at "
                    f"{settings.GROUNDGAME_COMPLAINT_RATE_ALERT:.2%}, where Gmail and Yahoo "
                    "ask bulk senders to stay under.",
                )
            )
    share = health.list_battleground_share
    if share is not None:
        last_two = set(health.weeks[-2:])
        battleground = set(health.battleground_states)
        rows = [r for r in health.churn if r.week in last_two]
        total = sum(r.count for r in rows)
        inside = sum(r.count for r in rows if r.state in battleground)
        margin = settings.GROUNDGAME_BATTLEGROUND_CHURN_MARGIN
        if total >= settings.GROUNDGAME_LIST_HEALTH_MIN_CHURN and inside / total > share + margin:
            alerts.append(
                Alert(
                    "battleground_share",
                    f"{inside / total:.0%} of the last two weeks' churn ({inside:,} of "
                    f"{total:,}) was in battleground states, which hold {share:.0%} of the "
                    "list.",
                )
            )
    return alerts


def compute(now: dt.datetime | None = None) -> ListHealth:
    """Read everything now (see the module docstring); ``list_health`` keeps it."""
    now = now or timezone.now()
    first = _week_start(now) - dt.timedelta(weeks=WEEKS - 1)
    weeks = [first + dt.timedelta(weeks=i) for i in range(WEEKS)]
    battleground = tuple(settings.GROUNDGAME_BATTLEGROUND_STATES)
    by_state = consent_selectors.subscribers_by_state()
    health = ListHealth(
        computed_at=now,
        weeks=tuple(timezone.localtime(w).date() for w in weeks),
        mailings=mailing_rates(first),
        churn=churn_rows(first),
        battleground_states=battleground,
        list_battleground=sum(n for s, n in by_state.items() if s in battleground),
        list_total=sum(by_state.values()),
        reach=reach(weeks),
    )
    health.alerts.extend(_alerts(health, now))
    return health


def list_health_refresh() -> ListHealth:
    """Read everything now and keep it."""
    health = compute()
    cache.set(_CACHE_KEY, health, timeout=None)
    cache.delete(_REFRESHING)
    return health


def list_health() -> ListHealth:
    """The kept reading: computed here the first time, then shown at once and recomputed by
    a worker when older than ``STALE_AFTER`` (the page says when it was taken)."""
    kept: ListHealth | None = cache.get(_CACHE_KEY)
    if kept is None:
        return list_health_refresh()
    # cache.add is atomic: of many visitors finding it stale, one schedules the refresh.
    if timezone.now() - kept.computed_at > STALE_AFTER and cache.add(
        _REFRESHING, True, timeout=300
    ):
        from groundgame.messaging import tasks

        tasks.list_health_refresh.enqueue()
    return kept
