"""Nobody who asked not to be contacted is on any list of the channel they asked about.

For random people in random households with random consent (the global do-not-contact, a
channel left, a topic left, a suppressed address, a subscription or not), some of it given
before the turfs are cut and the rest after the walk lists are handed out:

- a mailing's fan-out, on email and on text, queues nobody the channel refuses;
- the turf cut makes a door only of a household with someone who may be knocked for, and
  the turf page, the canvass app's download and the next sync answer agree: nobody refused
  at the door is listed, and everyone refused since a list was downloaded is named in the
  sync answer for the app to drop.

Who is refused is worked out here from the generated choices, independently of the rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.consent import services as consent
from groundgame.field import services as field
from groundgame.field import turf_selectors
from groundgame.field.models import Turf
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Send
from groundgame.organizing import services as organizing
from groundgame.people import services as people
from groundgame.people.models import Household

EMAIL, SMS, DOOR = "email", "sms", "door"
TOPIC = "volunteering"
HOUSEHOLDS = 5
# Households with one resident who chose nothing, so that every cut has a turf's worth of
# doors (a turf has at least ten) whatever the others asked.
FILLERS = 10


@dataclass(frozen=True)
class Choices:
    """One person and what they asked, each request given before the cut or after."""

    household: int | None
    email: bool
    phone: bool
    subscribed: frozenset[str]  # opt-in channels subscribed to the topic
    do_not_contact: bool | None  # None: never asked; else True when asked after
    channels_left: dict[str, bool]  # channel -> asked after
    topics_left: dict[str, bool]  # channel -> left the topic, asked after
    suppressed: dict[str, bool]  # channel whose address is suppressed -> after


def _requests(values: list[str]) -> st.SearchStrategy[dict[str, bool]]:
    return st.dictionaries(st.sampled_from(values), st.booleans(), max_size=len(values))


choices = st.builds(
    Choices,
    household=st.one_of(st.none(), st.integers(0, HOUSEHOLDS - 1)),
    email=st.booleans(),
    phone=st.booleans(),
    subscribed=st.frozensets(st.sampled_from([EMAIL, SMS])),
    do_not_contact=st.one_of(st.none(), st.booleans()),
    channels_left=_requests([EMAIL, SMS, DOOR]),
    topics_left=_requests([EMAIL, SMS, DOOR]),
    suppressed=_requests([EMAIL, SMS]),
)


def _address(choice: Choices, n: int, channel: str) -> str:
    if channel == EMAIL:
        return f"p{n}@example.org" if choice.email else ""
    return f"+191955501{n:02d}" if choice.phone else ""


def refused(choice: Choices, n: int, channel: str, *, after: bool) -> bool:
    """Whether the person may not be contacted on ``channel`` about the topic, once the
    requests made before the cut (and, when ``after``, those made since) are in."""

    def asked(when: bool | None) -> bool:
        return when is not None and (after or not when)

    if asked(choice.do_not_contact) or asked(choice.channels_left.get(channel)):
        return True
    if channel == DOOR:
        # A walk list is about no topic in particular: only the channel counts.
        return choice.household is None
    return (
        not _address(choice, n, channel)
        or asked(choice.suppressed.get(channel))
        or asked(choice.topics_left.get(channel))
        or channel not in choice.subscribed
    )


class NobodyRefusedIsListed(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(choices, min_size=1, max_size=10))
    def test_no_list_of_a_channel_holds_anyone_it_refuses(self, cast: list[Choices]) -> None:
        team = organizing.org_unit_create(
            actor=None,
            name="North Carolina",
            kind="state",
            state="NC",
            parent=organizing.org_unit_create(actor=None, name="National", kind="national"),
        )
        homes = [
            Household.objects.create(
                street=f"{100 + 2 * n} Main St",
                city="Durham",
                state="NC",
                zip5="27701",
                latitude=35.99 + 0.0004 * n,
                longitude=-78.90,
            )
            for n in range(HOUSEHOLDS + FILLERS)
        ]
        ids = []
        for n, choice in enumerate(cast):
            person = people.person_create(
                actor=None,
                first_name=f"P{n}",
                last_name="Voter",
                household=homes[choice.household] if choice.household is not None else None,
                org_unit_id=team.pk,
                email=_address(choice, n, EMAIL),
                phone=_address(choice, n, SMS),
            )
            ids.append(person.pk)
            for channel in choice.subscribed:
                consent.subscription_join(
                    person_id=person.pk, channel=channel, topic_keys=[TOPIC], source="test"
                )
        for n, home in enumerate(homes[HOUSEHOLDS:]):
            people.person_create(
                actor=None, first_name=f"F{n}", last_name="Filler", household=home,
                org_unit_id=team.pk,
            )  # fmt: skip
        self._ask(cast, ids, after=False)
        mine = list(zip(range(len(cast)), cast, ids, strict=True))

        def no(channel: str, *, after: bool) -> set[int]:
            return {pk for n, c, pk in mine if refused(c, n, channel, after=after)}

        # The cut: a door is a household with someone a canvasser may ask for.
        doors_before = {
            homes[c.household].pk
            for n, c, _ in mine
            if c.household is not None and not refused(c, n, DOOR, after=False)
        } | {home.pk for home in homes[HOUSEHOLDS:]}
        universe = people.universe_save(actor=None, name="Doors", filters={})
        cut = field.turf_cut(
            actor=None, universe_id=universe.pk, org_unit_id=team.pk, target_doors=FILLERS
        )
        turfs = list(Turf.objects.filter(cut=cut))
        assert cut.households == sum(t.doors for t in turfs) == len(doors_before)
        for turf in turfs:
            walk = turf_selectors.turf_walk(turf)
            listed = {r.person_id for door in walk.doors for r in door.residents}
            assert not listed & no(DOOR, after=False)
            assert {h for door in walk.doors for h in door.households} <= doors_before
            assert len(walk.doors) == turf.doors

        # The lists handed out and downloaded, then the rest of the requests, then a sync.
        codes = [field.walk_list_create(actor=None, turf_id=t.pk).code for t in turfs]
        downloaded = {code: self._listed(code) for code in codes}
        for _, listed in downloaded.values():
            assert not listed & no(DOOR, after=False)
        self._ask(cast, ids, after=True)
        for code, (_, before) in downloaded.items():
            response = self.client.post(
                "/api/field/sync",
                json.dumps({"list_code": code, "results": []}),
                content_type="application/json",
            )
            assert response.status_code == 200
            answer = response.json()["refused"]
            assert before & no(DOOR, after=True) <= set(answer["people"])
            listed_doors, listed = self._listed(code)
            assert not listed & no(DOOR, after=True)
            assert not set(listed_doors) & set(answer["households"])
        for turf in turfs:
            walk = turf_selectors.turf_walk(turf)
            assert not {r.person_id for d in walk.doors for r in d.residents} & no(DOOR, after=True)

        # Mailings on the opt-in channels, after everything was asked.
        everyone = people.universe_save(actor=None, name="Everyone", filters={})
        for channel in (EMAIL, SMS):
            mailing = messaging.mailing_create(
                actor=None, name=channel, channel=channel, topic_key=TOPIC,
                universe_id=everyone.pk, subject="News" if channel == EMAIL else "",
                body="Hello {{ first_name }}",
            )  # fmt: skip
            messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
            messaging.mailing_fan_out(mailing_id=mailing.pk)
            queued = set(Send.objects.filter(mailing=mailing).values_list("person_id", flat=True))
            refused_here = no(channel, after=True)
            assert not queued & refused_here, f"{channel} queued {queued & refused_here}"

    def _listed(self, code: str) -> tuple[list[int], set[int]]:
        """The doors and people of a list as the canvass app downloads it."""
        response = self.client.get(f"/api/field/lists/{code}")
        assert response.status_code == 200, response.content
        households = response.json()["households"]
        for door in households:
            assert door["people"], "a door with nobody to ask for"
        return [d["id"] for d in households], {p["id"] for d in households for p in d["people"]}

    def _ask(self, cast: list[Choices], ids: list[int], *, after: bool) -> None:
        """Make the requests given before the cut, or those given after the hand-out."""
        for n, (choice, pk) in enumerate(zip(cast, ids, strict=True)):
            if choice.do_not_contact is after:
                consent.do_not_contact_set(person_id=pk, reason="Asked.", source="test")
            for channel, when in choice.channels_left.items():
                if when is after:
                    consent.channel_leave(person_id=pk, channel=channel, source="test")
            for channel, when in choice.topics_left.items():
                if when is after:
                    consent.subscription_leave(
                        person_id=pk, channel=channel, topic_keys=[TOPIC], source="test"
                    )
            for channel, when in choice.suppressed.items():
                if when is after and _address(choice, n, channel):
                    consent.address_suppress(
                        channel=channel,
                        address=_address(choice, n, channel),
                        reason="bounced",
                        source="test",
                    )
