"""Every change of consent. Each writes the new state and a ``ConsentEvent`` saying where it
came from, in one transaction; changes made by staff also write an audit row.

Person-initiated changes (a page, a keyword, a webhook) are recorded in ``ConsentEvent``
alone: it is the append-only history of consent, and an audit row per unsubscribe would only
double it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.consent import caps, errors, history, links, rules
from groundgame.consent.models import (
    Channel,
    ChannelOptOut,
    ConsentEvent,
    Contact,
    ContactCap,
    DoNotContact,
    Subscription,
    SuppressedAddress,
    Topic,
)
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services

Action = ConsentEvent.Action
PastEvent = history.PastEvent

_TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_SUPPRESSION_ACTION = {
    SuppressedAddress.Reason.STOPPED: Action.STOP,
    SuppressedAddress.Reason.BOUNCED: Action.BOUNCE,
    SuppressedAddress.Reason.COMPLAINED: Action.COMPLAINT,
    SuppressedAddress.Reason.INVALID: Action.BOUNCE,
}


def _channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        choices = ", ".join(Channel.values)
        raise ValidationFailed(
            f"Unknown channel {value!r}; expected one of {choices}.",
            code=errors.CHANNEL_UNKNOWN,
            field="channel",
        ) from None


def _topics(keys: Iterable[str]) -> list[Topic]:
    wanted = list(dict.fromkeys(keys))
    found = {t.key: t for t in Topic.objects.filter(key__in=wanted)}
    unknown = [k for k in wanted if k not in found]
    if unknown:
        raise ValidationFailed(
            f"Unknown topic {unknown[0]!r}.", code=errors.TOPIC_UNKNOWN, field="topics"
        )
    return [found[k] for k in wanted]


def _state(person_id: int) -> str:
    contact = people_selectors.person_contact(person_id)
    if contact is None:
        raise NotFound("No such person.", code=errors.PERSON_NOT_FOUND, field="person_id")
    return contact.state


def _event(
    *,
    person_id: int | None,
    action: str,
    source: str,
    channel: str = "",
    topic: Topic | None = None,
    address: str = "",
    state: str = "",
    actor: Actor = None,
    at: dt.datetime,
) -> ConsentEvent:
    user = actor if isinstance(actor, User) else None
    return ConsentEvent.objects.create(
        person_id=person_id,
        channel=channel,
        topic=topic,
        address=address,
        action=action,
        source=source[:60],
        state=state,
        actor=user,
        at=at,
    )


def history_bulk_record(*, events: Sequence[PastEvent]) -> int:
    """A past history of consent applied and recorded in bulk (see ``history``)."""
    return history.history_bulk_record(events)


def topic_create(
    *, actor: Actor, key: str, name: str, description: str = "", transactional: bool = False
) -> Topic:
    """A new topic people can subscribe to. It changes what every unsubscribe page offers,
    so only national admins (and the system) add one."""
    if not organizing_selectors.staff_scope(actor).is_admin:
        raise PermissionDenied("Only national admins add topics.", code=errors.TOPIC_DENIED)
    key = key.strip().lower()
    if not _TOPIC_KEY.match(key):
        raise ValidationFailed(
            "A topic key is 2-40 lowercase letters, digits or _, starting with a letter.",
            field="key",
        )
    if not name.strip():
        raise ValidationFailed("Give the topic a name.", field="name")
    with transaction.atomic():
        if Topic.objects.filter(key=key).exists():
            raise ValidationFailed(
                f"A topic {key!r} exists already.", code=errors.TOPIC_EXISTS, field="key"
            )
        topic = Topic.objects.create(
            key=key,
            name=name.strip()[:100],
            description=description.strip()[:300],
            transactional=transactional,
        )
        audit_create(actor=actor, action="consent.topic_create", instance=topic)
    return topic


def _set_status(
    *,
    person_id: int,
    channel: Channel,
    topics: Sequence[Topic],
    status: Subscription.Status,
    source: str,
    actor: Actor,
) -> int:
    """Set each topic's subscription to ``status``; returns how many changed."""
    now = timezone.now()
    state = _state(person_id)
    action = Action.SUBSCRIBE if status == Subscription.Status.SUBSCRIBED else Action.UNSUBSCRIBE
    current = dict(
        Subscription.objects.select_for_update()
        .filter(person_id=person_id, channel=channel, topic__in=topics)
        .values_list("topic_id", "status")
    )
    changed = 0
    for topic in topics:
        if current.get(topic.pk) == status:
            continue
        try:
            with transaction.atomic():
                Subscription.objects.update_or_create(
                    person_id=person_id,
                    channel=channel,
                    topic=topic,
                    defaults={"status": status, "source": source[:60], "changed_at": now},
                )
        except IntegrityError:
            # Another request created the row between our read and write: set it again.
            Subscription.objects.filter(person_id=person_id, channel=channel, topic=topic).update(
                status=status, source=source[:60], changed_at=now
            )
        _event(
            person_id=person_id,
            action=action,
            source=source,
            channel=channel,
            topic=topic,
            state=state,
            actor=actor,
            at=now,
        )
        changed += 1
    return changed


def subscription_join(
    *,
    person_id: int,
    channel: str,
    topic_keys: Iterable[str],
    source: str,
    actor: Actor = None,
) -> int:
    """Subscribe a person to topics on a channel; returns how many changed.

    Saying yes to a topic also undoes having left the whole channel: it is the newer choice.
    It does not lift a do-not-contact (staff only) nor a STOP (only START from that number).
    """
    ch = _channel(channel)
    topics = _topics(topic_keys)
    with transaction.atomic():
        left = ChannelOptOut.objects.select_for_update().filter(person_id=person_id, channel=ch)
        if left.exists():
            left.delete()
            _event(
                person_id=person_id,
                action=Action.REJOIN_CHANNEL,
                source=source,
                channel=ch,
                state=_state(person_id),
                actor=actor,
                at=timezone.now(),
            )
        return _set_status(
            person_id=person_id,
            channel=ch,
            topics=topics,
            status=Subscription.Status.SUBSCRIBED,
            source=source,
            actor=actor,
        )


def subscription_leave(
    *,
    person_id: int,
    channel: str,
    topic_keys: Iterable[str],
    source: str,
    actor: Actor = None,
) -> int:
    """Unsubscribe a person from topics on a channel, keeping the others."""
    ch = _channel(channel)
    topics = _topics(topic_keys)
    with transaction.atomic():
        return _set_status(
            person_id=person_id,
            channel=ch,
            topics=topics,
            status=Subscription.Status.UNSUBSCRIBED,
            source=source,
            actor=actor,
        )


def channel_leave(*, person_id: int, channel: str, source: str, actor: Actor = None) -> bool:
    """The person leaves a whole channel; False if they had already."""
    ch = _channel(channel)
    with transaction.atomic():
        state = _state(person_id)
        now = timezone.now()
        _, created = ChannelOptOut.objects.get_or_create(
            person_id=person_id, channel=ch, defaults={"source": source[:60], "created_at": now}
        )
        if created:
            _event(
                person_id=person_id,
                action=Action.LEAVE_CHANNEL,
                source=source,
                channel=ch,
                state=state,
                actor=actor,
                at=now,
            )
        return created


def do_not_contact_set(*, person_id: int, reason: str, source: str, actor: Actor = None) -> bool:
    """Put a person on the global do-not-contact list; False if they were on it."""
    if not reason.strip():
        raise ValidationFailed(
            "Say why (their words, or the request it came from).",
            code=errors.REASON_REQUIRED,
            field="reason",
        )
    with transaction.atomic():
        state = _state(person_id)
        now = timezone.now()
        row, created = DoNotContact.objects.get_or_create(
            person_id=person_id,
            defaults={"reason": reason.strip()[:300], "source": source[:60], "created_at": now},
        )
        if created:
            _event(
                person_id=person_id,
                action=Action.DO_NOT_CONTACT,
                source=source,
                state=state,
                actor=actor,
                at=now,
            )
            if actor is not None and actor.is_authenticated:
                audit_create(actor=actor, action="consent.do_not_contact_set", instance=row)
        return created


def do_not_contact_clear(*, actor: Actor, person_id: int, reason: str) -> bool:
    """Lift a do-not-contact (staff only, with the reason recorded); False if none."""
    if actor is None or not actor.is_authenticated:
        raise ValidationFailed("Only staff may lift a do-not-contact.", field="actor")
    if not reason.strip():
        raise ValidationFailed(
            "Say why the person may be contacted again.",
            code=errors.REASON_REQUIRED,
            field="reason",
        )
    with transaction.atomic():
        deleted, _ = DoNotContact.objects.filter(person_id=person_id).delete()
        if not deleted:
            return False
        _event(
            person_id=person_id,
            action=Action.CONTACT_ALLOWED,
            source="staff",
            state=_state(person_id),
            actor=actor,
            at=timezone.now(),
        )
        audit_record(
            actor=actor,
            kind=AuditKind.DELETE,
            action="consent.do_not_contact_clear",
            entity_type="consent.donotcontact",
            entity_id=person_id,
            summary=reason.strip(),
        )
        return True


def normalize_address(channel: str, address: str) -> str:
    """An email lowercased, a phone number in E.164: the form suppressions are kept in."""
    if _channel(channel) == Channel.EMAIL:
        return people_services.normalize_email(address)
    return people_services.normalize_phone(address, field="address")


def address_suppress(*, channel: str, address: str, reason: str, source: str) -> bool:
    """Stop using an address (STOP, hard bounce, complaint), whoever holds it; False if it
    was suppressed already. Each holder's history records it."""
    ch = _channel(channel)
    why = SuppressedAddress.Reason(reason)
    value = normalize_address(ch, address)
    with transaction.atomic():
        now = timezone.now()
        _, created = SuppressedAddress.objects.get_or_create(
            channel=ch,
            address=value,
            defaults={"reason": why, "source": source[:60], "created_at": now},
        )
        if not created:
            return False
        _record_address_event(ch, value, _SUPPRESSION_ACTION[why], source, now)
        return True


def address_release(*, channel: str, address: str, source: str) -> bool:
    """The number's owner texted START: the STOP is lifted, their subscriptions apply again.
    Only a STOP is lifted this way; a bounce or complaint stays."""
    ch = _channel(channel)
    value = normalize_address(ch, address)
    with transaction.atomic():
        deleted, _ = SuppressedAddress.objects.filter(
            channel=ch, address=value, reason=SuppressedAddress.Reason.STOPPED
        ).delete()
        if not deleted:
            return False
        _record_address_event(ch, value, Action.START, source, timezone.now())
        return True


def _record_address_event(
    channel: Channel, address: str, action: str, source: str, at: dt.datetime
) -> None:
    field = "email" if channel == Channel.EMAIL else "phone"
    holders = people_selectors.person_ids_with_address(field=field, value=address)
    if not holders:
        _event(
            person_id=None, action=action, source=source, channel=channel, address=address, at=at
        )
        return
    # Each holder's state, read at once rather than per holder (a shared number, a family's
    # email).
    states = dict(people_selectors.people_by_ids(holders).values_list("pk", "household__state"))
    for person_id in holders:
        _event(
            person_id=person_id,
            action=action,
            source=source,
            channel=channel,
            address=address,
            state=states.get(person_id) or "",
            at=at,
        )


# Carrier-standard keywords (CTIA): every program must honour these, whatever the case.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


@dataclass(frozen=True)
class KeywordReply:
    keyword: str
    reply: str


def sms_keyword_handle(
    *, phone: str, body: str, source: str = "sms_keyword"
) -> KeywordReply | None:
    """Act on a STOP / START / HELP text and return the reply to send; None for any other
    text (a conversation, for a person to read)."""
    word = body.strip().upper().rstrip(".!")
    org = settings.GROUNDGAME_ORGANIZATION
    if word in STOP_WORDS:
        address_suppress(channel=Channel.SMS, address=phone, reason="stopped", source=source)
        return KeywordReply(
            "STOP",
            f"{org}: You are unsubscribed and will receive no more texts. "
            "Reply START to resubscribe.",
        )
    if word in START_WORDS:
        address_release(channel=Channel.SMS, address=phone, source=source)
        return KeywordReply(
            "START",
            f"{org}: You are resubscribed to texts. Msg & data rates may apply. "
            "Reply HELP for help, STOP to opt out.",
        )
    if word in HELP_WORDS:
        return KeywordReply(
            "HELP",
            f"{org}: Help at {settings.GROUNDGAME_PUBLIC_URL.rstrip('/')}/help. "
            "Msg & data rates may apply. Reply STOP to opt out.",
        )
    return None


def _link_target(token: str) -> links.LinkTarget:
    target = links.read_token(token)
    if target is None or target.channel not in Channel.values:
        raise ValidationFailed(
            "This unsubscribe link is not valid. Copy the whole link from the message.",
            code=errors.LINK_INVALID,
            field="token",
        )
    return target


def one_click_unsubscribe(*, token: str) -> int:
    """RFC 8058 one-click: leave the link's topic on its channel, at once; how many changed."""
    target = _link_target(token)
    return subscription_leave(
        person_id=target.person_id,
        channel=target.channel,
        topic_keys=[target.topic_key],
        source="one_click",
    )


def preferences_save(
    *, token: str, keep_topics: Iterable[str], leave_channel: bool, do_not_contact: bool
) -> None:
    """The unsubscribe page: keep the ticked topics on the link's channel and leave the rest,
    or leave the whole channel, or ask never to be contacted again."""
    target = _link_target(token)
    keep = set(keep_topics)
    with transaction.atomic():
        if do_not_contact:
            do_not_contact_set(
                person_id=target.person_id,
                reason="Asked on the unsubscribe page never to be contacted.",
                source="unsubscribe_page",
            )
            return
        if leave_channel:
            channel_leave(
                person_id=target.person_id, channel=target.channel, source="unsubscribe_page"
            )
            return
        topics = list(Topic.objects.values_list("key", flat=True))
        unknown = keep - set(topics)
        if unknown:
            raise ValidationFailed(
                f"Unknown topic {sorted(unknown)[0]!r}.", code=errors.TOPIC_UNKNOWN, field="topics"
            )
        subscribed = set(
            Subscription.objects.filter(
                person_id=target.person_id,
                channel=target.channel,
                status=Subscription.Status.SUBSCRIBED,
            ).values_list("topic__key", flat=True)
        )
        leave = sorted(subscribed - keep)
        if leave:
            subscription_leave(
                person_id=target.person_id,
                channel=target.channel,
                topic_keys=leave,
                source="unsubscribe_page",
            )
        join = sorted(keep - subscribed)
        if join:
            subscription_join(
                person_id=target.person_id,
                channel=target.channel,
                topic_keys=join,
                source="unsubscribe_page",
            )


# Contact caps and the contact log -----------------------------------------------------------

CAP_MAX = 100
WINDOW_MAX_HOURS = 24 * 31


def contact_cap_set(
    *,
    actor: Actor,
    channel: str,
    per_person: int,
    per_household: int | None,
    window_hours: int,
) -> ContactCap:
    """Set a channel's caps: a campaign-wide setting, so national admins' alone."""
    if not organizing_selectors.staff_scope(actor).is_admin:
        raise PermissionDenied(
            "Only national admins set the contact caps.", code=errors.CAPS_ADMINS_ONLY
        )
    ch = _channel(channel)
    for field, value in (("per_person", per_person), ("per_household", per_household)):
        if value is not None and not 1 <= value <= CAP_MAX:
            raise ValidationFailed(
                f"Between 1 and {CAP_MAX} contacts.", code=errors.CAP_INVALID, field=field
            )
    if not 1 <= window_hours <= WINDOW_MAX_HOURS:
        raise ValidationFailed(
            "A window of 1 hour to 31 days.", code=errors.CAP_INVALID, field="window_hours"
        )
    with transaction.atomic():
        cap, _ = ContactCap.objects.update_or_create(
            channel=ch,
            defaults={
                "per_person": per_person,
                "per_household": per_household,
                "window_hours": window_hours,
            },
        )
        audit_record(
            actor=actor,
            kind=AuditKind.UPDATE,
            action="consent.contact_cap_set",
            entity_type="consent.contactcap",
            entity_id=cap.pk,
            summary=str(cap),
        )
    return cap


def contacts_record(
    *,
    channel: str,
    contacts: Iterable[tuple[int | None, int | None]],
    at: dt.datetime,
    source: str,
) -> int:
    """Log contacts made or queued on ``channel``, each as (person id, household id), for
    the caps to count. The caller holds the transaction of what made them."""
    ch = _channel(channel)
    rows = [
        Contact(channel=ch, person_id=person, household_id=household, at=at, source=source)
        for person, household in contacts
    ]
    Contact.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


def contacts_record_from(*, channel: str, rows: QuerySet[Any], at: dt.datetime, source: str) -> int:
    """Log a contact for each row of ``rows``, a ``values_list`` of (person id, household id),
    in one ``INSERT ... SELECT``: a national fan-out's contacts are copied by the database from
    the rows it has just written, not read back and sent again. The caller holds the
    transaction."""
    ch = _channel(channel)
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("channel", "person_id", "household_id", "at", "source"))
    at_value = Contact._meta.get_field("at").get_db_prep_value(at, connection)
    # Names from the model; values as parameters: nothing here comes from a request.
    sql = (
        f"INSERT INTO {quote(Contact._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT %s, q.*, %s, %s FROM ({select}) q"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ch.value, at_value, source, *params])
        return max(int(cursor.rowcount), 0)


def contacts_withdraw(*, source: str, person_ids: Iterable[int]) -> int:
    """Take back the contacts of ``source`` with these people, never made after all (a
    cancelled mailing's messages that had not gone)."""
    deleted, _ = Contact.objects.filter(source=source, person_id__in=person_ids).delete()
    return deleted


@dataclass(frozen=True)
class ContactList:
    source: str
    reachable: int  # allowed by the rule's consent conditions
    capped: int  # of those, left out by the caps
    contacted: int


# The channels whose contacts are logged as lists here: nothing else in the product sends
# mail pieces or places calls, so a mail drop or a call list is recorded when it goes out.
LOGGED_CHANNELS = frozenset({Channel.MAIL, Channel.PHONE})


def contact_list_log(
    *, actor: Actor, channel: str, people: Any, source: str, at: dt.datetime | None = None
) -> ContactList:
    """Cut a mail drop or a call list from ``people`` by the one rule (consent, then the
    caps) and log a contact for each person it keeps: one mail piece or one call each."""
    ch = _channel(channel)
    if ch not in LOGGED_CHANNELS:
        raise ValidationFailed(
            "Only mail drops and call lists are logged this way.",
            code=errors.CHANNEL_UNKNOWN,
            field="channel",
        )
    if not source.strip():
        raise ValidationFailed("Name the mail drop or call list.", field="source")
    at = at or timezone.now()
    with transaction.atomic():
        # The list's name is its piece: a program that holds households out of it keeps them.
        allowed = rules.reachable(people, ch, None, source.strip())
        kept = list(caps.within_caps(allowed, channel=ch, at=at).values_list("pk", "household_id"))
        reachable = allowed.count()
        contacted = contacts_record(channel=ch, contacts=kept, at=at, source=source.strip())
        audit_record(
            actor=actor,
            kind=AuditKind.BULK,
            action="consent.contact_list_log",
            entity_type="consent.contact",
            summary=f"{ch} {source.strip()}: {contacted} contacted, "
            f"{reachable - contacted} over the caps",
        )
    return ContactList(
        source=source.strip(),
        reachable=reachable,
        capped=reachable - contacted,
        contacted=contacted,
    )
