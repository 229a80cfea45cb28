"""Signed unsubscribe links: who, on which channel, from which topic; no account needed.

A link never expires (a person may find an old email years later and must still be able to
leave) and carries no secret beyond its signature; it only ever lets its holder leave or
rejoin the person's own subscriptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "groundgame.consent.unsubscribe"


@dataclass(frozen=True)
class LinkTarget:
    person_id: int
    channel: str
    topic_key: str


def unsubscribe_token(*, person_id: int, channel: str, topic_key: str) -> str:
    return signing.dumps([person_id, channel, topic_key], salt=_SALT, compress=True)


def read_token(token: str) -> LinkTarget | None:
    try:
        person_id, channel, topic_key = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or not isinstance(channel, str):
        return None
    return LinkTarget(person_id=person_id, channel=channel, topic_key=str(topic_key))


def unsubscribe_url(*, person_id: int, channel: str, topic_key: str) -> str:
    """The absolute address of the person's unsubscribe page."""
    token = unsubscribe_token(person_id=person_id, channel=channel, topic_key=topic_key)
    site = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    return site + reverse("consent:unsubscribe", args=[token])


def one_click_url(*, person_id: int, channel: str, topic_key: str) -> str:
    """The RFC 8058 one-click address: a POST to it leaves the topic at once."""
    token = unsubscribe_token(person_id=person_id, channel=channel, topic_key=topic_key)
    site = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    return site + reverse("consent:one_click", args=[token])
