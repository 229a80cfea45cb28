"""Two records of one person merged count as one against the contact caps: the absorbed
record's contacts move to the survivor, and back when the merge is undone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people

pytestmark = pytest.mark.django_db


def test_a_merged_persons_contacts_count_against_the_survivors_cap(campaign: Any) -> None:
    consent.contact_cap_set(
        actor=None, channel="mail", per_person=1, per_household=None, window_hours=24 * 7
    )
    survivor = people.person_create(actor=None, first_name="Maya", last_name="Lopez")
    absorbed = people.person_create(actor=None, first_name="Maya", last_name="López")
    at = timezone.now() - dt.timedelta(hours=1)
    consent.contacts_record(channel="mail", contacts=[(absorbed.pk, None)], at=at, source="m:1")

    def kept() -> set[int]:
        pool = people_selectors.people_by_ids([survivor.pk])
        return set(consent_selectors.within_caps(pool, channel="mail").values_list("pk", flat=True))

    assert kept() == {survivor.pk}
    merge = people.person_merge(actor=None, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    assert kept() == set()
    people.person_unmerge(actor=None, merge_id=merge.pk)
    assert kept() == {survivor.pk}
