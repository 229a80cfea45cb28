"""Builders for people tests: records made through the people services, as a source would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from groundgame.people import services as people


def possible_duplicate(
    place: dict[str, str],
    *,
    existing: dict[str, Any] | None = None,
    intake: dict[str, Any] | None = None,
) -> tuple[Any, people.FindOrCreateResult]:
    """A voter-file record and a sign-up that may be the same person: a nickname (William,
    Bill), a transposed birth date, another street in the same ZIP, another email. ``place``
    is the city, state and ZIP both give; ``existing`` and ``intake`` override fields of
    either. Returns the voter-file person and the sign-up's result, whose review is open."""
    voter_file = {
        "source": "voter file",
        "first_name": "William",
        "birth_date": dt.date(1980, 4, 12),
        "email": "william@example.com",
        "street": "12 Oak St",
        **(existing or {}),
    }
    sign_up = {
        "source": "sign-up form",
        "first_name": "Bill",
        "birth_date": dt.date(1980, 12, 4),
        "email": "billh@example.org",
        "street": "400 Main St",
        **(intake or {}),
    }
    first, second = (
        people.person_find_or_create(actor=None, **{"last_name": "Hughes", **place, **fields})
        for fields in (voter_file, sign_up)
    )
    assert second.created
    assert second.review is not None
    return first.person, second
