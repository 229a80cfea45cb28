"""The contact caps hold whatever happens: for any caps and any sequence of lists cut and
contacts made from them, on every channel, no person and no household is contacted more
often within a channel's window than its caps allow.

Each step cuts a list on one channel at some later moment the way the product does (a mail
drop or a call list through ``contact_list_log``; a mailing's fan-out and a walk list by the
rule's ``within_caps``, as ``messaging.fanout`` and ``field.turf_selectors`` ask it) and
contacts some or all of whom the list kept, as a mailing's sends or a walk list's knocks do.
The check then counts every window that ends at a contact, from the log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import Contact
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.models import Household

CHANNELS = ("email", "sms", "phone", "mail", "door")
# Households of one to three people, and one person with no address.
HOUSEHOLDS = {"1 Elm St": 3, "2 Oak St": 2, "3 Ash St": 1}
START = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)

caps_strategy = st.fixed_dictionaries(
    {
        ch: st.none()
        | st.tuples(
            st.integers(1, 3),  # per person
            st.none() | st.integers(1, 4),  # per household
            st.sampled_from([1, 6, 24, 72]),  # window, hours
        )
        for ch in CHANNELS
    }
)
step_strategy = st.tuples(
    st.sampled_from(CHANNELS),
    st.integers(0, 30),  # hours since the last step
    st.integers(0, 2**7 - 1),  # whom the list is cut from
    st.integers(0, 2**7 - 1),  # whom of those it kept are reached
)


def _windows_hold(channel: str, cap: tuple[int, int | None, int]) -> None:
    per_person, per_household, hours = cap
    window = dt.timedelta(hours=hours)
    contacts = list(Contact.objects.filter(channel=channel).order_by("at", "pk"))
    for c in contacts:
        recent = [o for o in contacts if c.at - window < o.at <= c.at]
        if c.person_id is not None:
            mine = [o for o in recent if o.person_id == c.person_id]
            assert len(mine) <= per_person, f"{channel}: person {c.person_id} at {c.at}"
        if per_household is not None and c.household_id is not None:
            home = [o for o in recent if o.household_id == c.household_id]
            # A walk list visits a door once, whoever answers: visits are its sources.
            visits = len({o.source for o in home}) if channel == "door" else len(home)
            assert visits <= per_household, f"{channel}: household {c.household_id} at {c.at}"


class CapsHold(TestCase):
    ids: list[int]

    @classmethod
    def setUpTestData(cls) -> None:
        ids = []
        for street, size in HOUSEHOLDS.items():
            home = Household.objects.create(street=street, city="Durham", state="NC", zip5="27701")
            for n in range(size):
                resident = people.person_create(
                    actor=None,
                    first_name=f"Resident{n}",
                    last_name=street.split()[1],
                    phone=f"+1919555{len(ids):04d}",
                    household=home,
                )
                ids.append(resident.pk)
        ids.append(
            people.person_create(actor=None, first_name="No", last_name="Address", phone="").pk
        )
        cls.ids = ids

    def _pick(self, mask: int, among: list[int]) -> list[int]:
        return [pk for i, pk in enumerate(among) if mask >> i & 1]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(caps_strategy, st.lists(step_strategy, max_size=12))
    # Everyone, twice on each channel, under caps a household of three is past at once.
    @example(
        dict.fromkeys(CHANNELS, (2, 1, 24)),
        [(ch, hours, 2**7 - 1, 2**7 - 1) for ch in CHANNELS for hours in (0, 1)],
    )
    def test_no_person_or_household_is_contacted_past_a_cap(
        self, caps: dict[str, Any], steps: list[tuple[str, int, int, int]]
    ) -> None:
        for ch, cap in caps.items():
            if cap is not None:
                consent.contact_cap_set(
                    actor=None,
                    channel=ch,
                    per_person=cap[0],
                    per_household=cap[1],
                    window_hours=cap[2],
                )
        at = START
        made: Counter[str] = Counter()
        for number, (ch, hours, cut_mask, reach_mask) in enumerate(steps):
            at += dt.timedelta(hours=hours)
            targeted = people_selectors.people_by_ids(self._pick(cut_mask, self.ids))
            if ch in ("mail", "phone"):
                done = consent.contact_list_log(
                    actor=None, channel=ch, people=targeted, source=f"{ch}:{number}", at=at
                )
                made[ch] += done.contacted
                continue
            if ch == "door":
                targeted = consent_selectors.reachable(targeted, channel=ch, topic=None)
            kept = consent_selectors.within_caps(targeted, channel=ch, at=at)
            rows = list(kept.order_by("pk").values_list("pk", "household_id"))
            reached = [row for i, row in enumerate(rows) if reach_mask >> i & 1]
            source = f"canvass:{number}" if ch == "door" else f"mailing:{number}"
            made[ch] += consent.contacts_record(channel=ch, contacts=reached, at=at, source=source)
        assert Contact.objects.count() == sum(made.values())
        for ch, cap in caps.items():
            if cap is not None:
                _windows_hold(ch, cap)
