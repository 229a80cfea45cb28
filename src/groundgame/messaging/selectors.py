"""Reads of messaging for its pages and for other apps: mailings with their send counts, a
mailing's progress and the preview of a message for real recipients."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.core.errors import ValidationFailed
from groundgame.messaging import (
    backends,
    compose,
    errors,
    fanout,
    list_health,
    templating,
    variants,
)
from groundgame.messaging.models import (
    DeliveryEvent,
    Mailing,
    MailingVariant,
    MessageChannel,
    Send,
)
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

# How many real recipients the preview steps through: enough to see names, places and
# missing values render, few enough that it is one small query.
PREVIEW_RECIPIENTS = 10


def mailing_list() -> QuerySet[Mailing]:
    return Mailing.objects.select_related("topic", "universe", "created_by").order_by(
        "-created_at", "-pk"
    )


def mailing_get(mailing_id: int) -> Mailing | None:
    return (
        Mailing.objects.select_related("topic", "universe", "created_by")
        .filter(pk=mailing_id)
        .first()
    )


def mailing_test_list() -> QuerySet[Mailing]:
    """Mailings that test variants, newest first."""
    return mailing_list().filter(variant_seed__isnull=False)


# Which variant a person is drawn to get, from a test's seed and the variants' shares.
variant_draw = variants.draw


def mailing_variants(mailing_id: int) -> list[MailingVariant]:
    return list(MailingVariant.objects.filter(mailing_id=mailing_id).order_by("position"))


@dataclass(frozen=True)
class VariantCounts:
    """What one variant of a test reached and what came back from the provider and the
    unsubscribe links: messages sent, people who left after it (by last touch, as list
    health counts a mailing's), spam complaints."""

    variant: MailingVariant
    sent: int
    unsubscribes: int
    complaints: int


def variant_counts(mailing_id: int) -> list[VariantCounts]:
    tested = mailing_variants(mailing_id)
    ids = [v.pk for v in tested]
    sent = dict(
        Send.objects.filter(mailing_id=mailing_id, sent_at__isnull=False)
        .order_by()
        .values_list("variant_id")
        .annotate(n=Count("pk"))
    )
    complaints = dict(
        DeliveryEvent.objects.filter(
            mailing_id=mailing_id, kind=DeliveryEvent.Kind.COMPLAINED, send__isnull=False
        )
        .order_by()
        .values_list("send__variant_id")
        .annotate(n=Count("address", distinct=True))
    )
    unsubscribes = list_health.attributed_unsubscribes(ids, by="variant_id")
    return [
        VariantCounts(
            variant=v,
            sent=sent.get(v.pk, 0),
            unsubscribes=unsubscribes.get(v.pk, 0),
            complaints=complaints.get(v.pk, 0),
        )
        for v in tested
    ]


def sent_variants(mailing_id: int, person_ids: Iterable[int]) -> dict[int, int | None]:
    """Of these people, those the mailing was sent to, with the variant each got."""
    return dict(
        Send.objects.filter(
            mailing_id=mailing_id, person_id__in=list(person_ids), sent_at__isnull=False
        ).values_list("person_id", "variant_id")
    )


@dataclass(frozen=True)
class MailingSent:
    """A mailing that went out: when, and the path of the unit its universe was made for
    ("" for a universe of the whole campaign)."""

    mailing_id: int
    name: str
    sent_at: dt.datetime
    unit_path: str


def mailings_sent(since: dt.datetime, until: dt.datetime) -> list[MailingSent]:
    rows = (
        Mailing.objects.filter(fanned_out_at__gte=since, fanned_out_at__lt=until)
        .exclude(status=Mailing.Status.CANCELLED)
        .values_list("pk", "name", "fanned_out_at", "universe__org_unit__path")
        .order_by("fanned_out_at", "pk")
    )
    return [MailingSent(pk, name, at, path or "") for pk, name, at, path in rows if at]


def send_counts(mailing_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Sends per status for each mailing, in one grouped query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Send.objects.filter(mailing_id__in=list(mailing_ids))
        .order_by()
        .values_list("mailing_id", "status")
        .annotate(n=Count("pk"))
    )
    for mailing_id, status, n in rows:
        counts[mailing_id][status] = n
    return counts


def delivery_event_counts(mailing_id: int) -> dict[str, int]:
    rows = (
        DeliveryEvent.objects.filter(mailing_id=mailing_id)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


@dataclass(frozen=True)
class Progress:
    """Where a mailing is: its sends by status, the provider's reports, and how far along;
    of the queued texts, how many wait for their recipients' sending hours, from when the
    first of them may go (``waiting_from``) to when the last may (``waiting_until``)."""

    by_status: dict[str, int]
    events: dict[str, int]
    total: int
    done: int
    waiting: int = 0
    waiting_from: dt.datetime | None = None
    waiting_until: dt.datetime | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


_DONE = (
    Send.Status.SENT,
    Send.Status.SUPPRESSED,
    Send.Status.FAILED,
    Send.Status.UNKNOWN,
    Send.Status.CANCELLED,
)


def mailing_progress(mailing_id: int) -> Progress:
    by_status = send_counts([mailing_id]).get(mailing_id, {})
    waiting: dict[str, Any] = {"n": 0, "first": None, "last": None}
    if by_status.get(Send.Status.QUEUED):
        waiting = Send.objects.filter(
            mailing_id=mailing_id, status=Send.Status.QUEUED, not_before__gt=timezone.now()
        ).aggregate(n=Count("pk"), first=Min("not_before"), last=Max("not_before"))
    return Progress(
        by_status=by_status,
        events=delivery_event_counts(mailing_id),
        total=sum(by_status.values()),
        done=sum(n for status, n in by_status.items() if status in _DONE),
        waiting=waiting["n"],
        waiting_from=waiting["first"],
        waiting_until=waiting["last"],
    )


def fan_out_progress(mailing_id: int) -> int | None:
    """How many sends a running fan-out has queued so far (None before it starts)."""
    value = cache.get(fanout.progress_key(mailing_id))
    return int(value) if value is not None else None


# Preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """One recipient's message as it would go out. ``sample`` when no real recipient could
    be shown (no universe yet, or nobody in it may be contacted), with the reason in
    ``note``."""

    channel: str
    index: int
    total: int
    name: str
    address: str
    subject: str
    text: str
    html: str
    sample: bool = False
    note: str = ""
    first_text: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    # The recipient shown (0 for a sample): their name and address are read, so logged.
    person_id: int = 0

    @property
    def segments(self) -> int:
        return templating.sms_segments(self.text) if self.channel == MessageChannel.SMS else 0

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index + 1 < self.total


def _compiled(source: str, field_name: str) -> templating.Template:
    try:
        return templating.compile_template(source, field=field_name)
    except templating.TemplateProblem as problem:
        raise ValidationFailed(
            problem.message, code=errors.TEMPLATE_INVALID, field=problem.field
        ) from problem


def _recipient_rows(
    *, channel: str, topic: Any, universe_id: int | None, scope: StaffScope
) -> tuple[list[tuple[Any, ...]], str]:
    """The first reachable people of the universe that the staff member may see, or why
    there are none."""
    if universe_id is None:
        return [], "Choose a universe to preview the message for real recipients."
    universe = people_selectors.universe_get(universe_id, scope)
    if universe is None:
        return [], "Choose a universe to preview the message for real recipients."
    audience = people_selectors.universe_people(universe.filters)
    reachable = consent_selectors.reachable(audience, channel=channel, topic=topic)
    address = "email" if channel == MessageChannel.EMAIL else "phone"
    rows = list(
        reachable.filter(scope.person_filter())
        .order_by("pk")
        .values_list(
            "pk",
            "first_name",
            "last_name",
            address,
            "household__city",
            "household__state",
            "household__zip5",
        )[:PREVIEW_RECIPIENTS]
    )
    if not rows:
        return [], (
            f"Nobody in “{universe.name}” whom you may see can be reached "
            f"about {topic.name.lower()} on this channel yet; shown for a sample recipient."
        )
    return rows, ""


def number_texted_before(address: str) -> bool:
    """Whether a text went (or may have gone) to this number: the first text that reaches a
    number names us and the way out, in the sender and in the preview alike."""
    return Send.objects.filter(
        Q(status__in=(Send.Status.SENT, Send.Status.SENDING, Send.Status.UNKNOWN)),
        address=address,
        channel=MessageChannel.SMS,
    ).exists()


def mailing_preview(
    *,
    scope: StaffScope,
    channel: str,
    topic_key: str,
    universe_id: int | None,
    subject: str,
    body: str,
    index: int = 0,
) -> Preview:
    """The message as recipient ``index`` of the first few would get it, footer included.

    Raises ``ValidationFailed`` naming the field and line when a template has a problem: a
    typo fails here, in the preview, never in the send.
    """
    try:
        ch = MessageChannel(channel)
    except ValueError:
        raise ValidationFailed(
            "Choose email or text message.", code=errors.CHANNEL_INVALID, field="channel"
        ) from None
    subject_template = _compiled(subject if ch == MessageChannel.EMAIL else "", "subject")
    body_template = _compiled(body, "body")
    topic = consent_selectors.topic_get(topic_key)
    if topic is None:
        raise ValidationFailed("Choose a topic.", code="topic_unknown", field="topic")
    rows, note = _recipient_rows(channel=ch, topic=topic, universe_id=universe_id, scope=scope)
    if rows:
        index = min(max(index, 0), len(rows) - 1)
        pk, first, last, address, city, state, zip5 = rows[index]
        values = compose.recipient_values(
            first_name=first, last_name=last, city=city or "", state=state or "", zip5=zip5 or ""
        )
        name = f"{first} {last}".strip()
    else:
        index, pk, address = 0, 0, ""
        values = compose.recipient_values(first_name="Test", last_name="Recipient")
        name = "Sample recipient"
    recipient = compose.Recipient(person_id=pk, address=address, values=values)
    common = {
        "channel": ch.value,
        "index": index,
        "total": max(len(rows), 1),
        "name": name,
        "address": address,
        "sample": not rows,
        "note": note,
        "person_id": pk,
    }
    if ch == MessageChannel.SMS:
        first_text = not (address and number_texted_before(address))
        text = compose.text(body=body_template, recipient=recipient, first_to_number=first_text)
        return Preview(subject="", text=text.body, html="", first_text=first_text, **common)
    email = compose.email(
        subject=subject_template,
        body=body_template,
        recipient=recipient,
        topic_key=topic.key,
        message_id="<preview@groundgame>",
    )
    headers = {k: v for k, v in email.headers.items() if k.startswith("List-")}
    return Preview(
        subject=email.subject, text=email.text, html=email.html, headers=headers, **common
    )


def local_outboxes() -> backends.LocalOutboxes:
    """The folders email and texts are written to where no provider is set (the demo's)."""
    return backends.local_outboxes()


def person_activity(person_id: int) -> list[people_selectors.PersonActivity]:
    """The messages sent or queued to the person, for their page (people's activity
    registry)."""
    sends = (
        Send.objects.filter(person_id=person_id)
        .select_related("mailing")
        .order_by("-queued_at")[: people_selectors.PERSON_ACTIVITY_LIMIT]
    )
    return [
        people_selectors.PersonActivity(
            at=s.queued_at,
            kind="Messages",
            text=f"{s.get_channel_display()} “{s.mailing.name if s.mailing else 'a notice'}”: "
            f"{s.get_status_display().lower()}",
        )
        for s in sends
    ]


def mailing_sent_counts(mailing_ids: Iterable[int]) -> dict[int, int]:
    """Messages each mailing has sent (what its send cost is counted on)."""
    return {
        mailing_id: counts.get(Send.Status.SENT, 0)
        for mailing_id, counts in send_counts(mailing_ids).items()
    }


def mailing_leavers(mailing_ids: Iterable[int]) -> dict[int, set[int]]:
    """The people each mailing's unsubscribes cut off, by the list-health attribution."""
    return list_health.attributed_leavers(list(mailing_ids))
