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
    first = people.person_find_or_create(
        actor=None,
        **{
            "source": "voter file",
            "first_name": "William",
            "last_name": "Hughes",
            "birth_date": dt.date(1980, 4, 12),
            "email": "william@example.com",
            "street": "12 Oak St",
            **place,
            **(existing or {}),
        },
    )
    second = people.person_find_or_create(
        actor=None,
        **{
            "source": "sign-up form",
            "first_name": "Bill",
            "last_name": "Hughes",
            "birth_date": dt.date(1980, 12, 4),
            "email": "billh@example.org",
            "street": "400 Main St",
            **place,
            **(intake or {}),
        },
    )
    assert second.created
    assert second.review is not None
    return first.person, second
