"""Knowing again a person erased on request, without keeping what was erased.

An erasure keeps, for each identifier the person had (email, phone, every id in another
system, the state voter id among them), an HMAC of it under ``GROUNDGAME_ERASURE_SECRET``.
A record that later arrives with one of those identifiers (the voter file imported again, a
sign-up, an RSVP) is found by the same hash. The hash cannot be read back into the value
without the secret, and the secret is not in the database.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from groundgame.people.models import ErasedIdentity, ExternalId, Person


def identity_key(kind: str, value: str) -> str:
    message = f"{kind}:{value.strip().lower()}".encode()
    secret = settings.GROUNDGAME_ERASURE_SECRET.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def keys_of(*, email: str, phone: str, external_ids: Iterable[tuple[str, str]]) -> set[str]:
    """The keys of one person's identifiers (blank ones left out)."""
    keys = {identity_key(kind, value) for kind, value in (("email", email), ("phone", phone))}
    keys.update(identity_key(f"id:{system}", value) for system, value in external_ids)
    keys.discard(identity_key("email", ""))
    keys.discard(identity_key("phone", ""))
    return keys


def keys_by_person(person_ids: Iterable[int]) -> dict[int, set[str]]:
    """The keys of each of these people, from their record and their external ids."""
    ids = list(person_ids)
    external: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for person_id, system, value in ExternalId.objects.filter(person_id__in=ids).values_list(
        "person_id", "system", "external_id"
    ):
        external[person_id].append((system, value))
    return {
        pk: keys_of(email=email, phone=phone, external_ids=external[pk])
        for pk, email, phone in Person.objects.filter(pk__in=ids, erased_at__isnull=True)
        .values_list("pk", "email", "phone")
        .iterator()
    }


def any_erased() -> bool:
    """Whether anyone was ever erased: until then no record needs looking at."""
    return ErasedIdentity.objects.exists()


def erased_among(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that belong to a person erased on request."""
    return set(ErasedIdentity.objects.filter(key__in=list(keys)).values_list("key", flat=True))
