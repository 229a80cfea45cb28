"""Writes of issue alignment: the campaign's one vocabulary of topics (a campaign-wide
setting, for national admins), the topics each message is tagged with (a mailing by whoever
may change it, a script or talking point and an ad by staff of its unit), and the ads whose
topics count in the message mix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.text import slugify

from groundgame.audit.services import Actor, audit_create, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.content import selectors as content_selectors
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.core.text import text_problem
from groundgame.insights import errors
from groundgame.insights.models import Ad, IssueTopic, TopicTag
from groundgame.messaging import services as messaging_services
from groundgame.organizing import selectors as organizing_selectors


def issue_topic_create(*, actor: Actor, label: str, key: str = "") -> IssueTopic:
    """A topic of the vocabulary. Its key is what canvass scripts' issues options use, so
    that answers at the door with that key count as raising it."""
    if not organizing_selectors.staff_scope(actor).is_admin:
        raise PermissionDenied(
            "The topics are the campaign's one vocabulary: only national admins add them.",
            code=errors.TOPICS_ADMINS_ONLY,
        )
    label = label.strip()
    problem = text_problem(label)
    if not label or len(label) > 80 or problem:
        raise ValidationFailed(
            problem or "Name the topic in at most 80 characters.",
            code=errors.TOPIC_INVALID,
            field="label",
        )
    key = slugify(key.strip() or label).replace("-", "_")[:40]
    if not key:
        raise ValidationFailed("Give the topic a key.", code=errors.TOPIC_INVALID, field="key")
    with transaction.atomic():
        if IssueTopic.objects.filter(key=key).exists():
            raise ValidationFailed(
                f"The topic {key!r} exists already.", code=errors.TOPIC_INVALID, field="key"
            )
        position = IssueTopic.objects.count()
        topic = IssueTopic.objects.create(key=key, label=label, position=position)
        audit_create(actor=actor, action="insights.issue_topic_create", instance=topic)
    return topic


def _topics_checked(keys: Sequence[str]) -> list[IssueTopic]:
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    topics = {t.key: t for t in IssueTopic.objects.filter(key__in=wanted)}
    unknown = [k for k in wanted if k not in topics]
    if unknown:
        raise ValidationFailed(
            f"Unknown topic {unknown[0]!r}.", code=errors.TOPIC_UNKNOWN, field="topics"
        )
    return [topics[k] for k in wanted]


def _unit_covered(actor: Actor, path: str) -> None:
    if not organizing_selectors.staff_scope(actor).covers(path):
        raise PermissionDenied(
            "That unit is outside your units.", code=errors.NOT_IN_SCOPE, field="org_unit"
        )


def _tags_replace(
    actor: Actor, target: str, target_id: int, topics: list[IssueTopic], **link: int
) -> list[IssueTopic]:
    TopicTag.objects.filter(**link).delete()
    TopicTag.objects.bulk_create(TopicTag(topic=t, **link) for t in topics)
    audit_record(
        actor=actor,
        kind=AuditKind.UPDATE,
        action="insights.topics_tag",
        entity_type=target,
        entity_id=target_id,
        summary="topics: " + (", ".join(t.key for t in topics) or "none"),
    )
    return topics


def mailing_topics_set(
    *, actor: Actor, mailing_id: int, topic_keys: Sequence[str]
) -> list[IssueTopic]:
    """The topics a mailing is about, set by whoever may change the mailing."""
    with transaction.atomic():
        messaging_services.mailing_change_check(actor=actor, mailing_id=mailing_id)
        topics = _topics_checked(topic_keys)
        return _tags_replace(actor, "messaging.mailing", mailing_id, topics, mailing_id=mailing_id)


def content_topics_set(
    *, actor: Actor, item_id: int, topic_keys: Sequence[str]
) -> list[IssueTopic]:
    """The topics a script, literature or talking point is about, set by staff of its unit."""
    with transaction.atomic():
        item = content_selectors.content_item_get(item_id)
        if item is None:
            raise NotFound("No such script or talking point.", code="content_not_found")
        _unit_covered(actor, item.org_unit.path)
        topics = _topics_checked(topic_keys)
        return _tags_replace(actor, "content.contentitem", item_id, topics, content_item_id=item_id)


def ad_create(
    *,
    actor: Actor,
    name: str,
    medium: str,
    org_unit_id: int,
    starts_on: dt.date,
    ends_on: dt.date,
    topic_keys: Sequence[str] = (),
) -> Ad:
    """An ad the campaign ran in a unit from one day to another, with its topics."""
    name = name.strip()
    if not name or text_problem(name):
        raise ValidationFailed("Name the ad.", code=errors.AD_INVALID, field="name")
    if medium not in Ad.Medium.values:
        raise ValidationFailed(
            f"Unknown medium {medium!r}.", code=errors.AD_INVALID, field="medium"
        )
    if ends_on < starts_on:
        raise ValidationFailed(
            "An ad ends on or after the day it starts.", code=errors.AD_INVALID, field="ends_on"
        )
    with transaction.atomic():
        unit = organizing_selectors.org_unit_get(org_unit_id)
        if unit is None:
            raise ValidationFailed("No such unit.", code=errors.UNIT_UNKNOWN, field="org_unit")
        _unit_covered(actor, unit.path)
        topics = _topics_checked(topic_keys)
        ad = Ad.objects.create(
            name=name[:200],
            medium=medium,
            org_unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_create(actor=actor, action="insights.ad_create", instance=ad)
        TopicTag.objects.bulk_create(TopicTag(topic=t, ad=ad) for t in topics)
    return ad
