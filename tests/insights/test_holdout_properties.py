"""A household held out of a program receives no piece of it, on any channel.

For random households of random sizes, a random holdout share and seed, a program whose
pieces go out by email, text, mail, phone and doors: the mailings' fan-out, the mail drop
and call list logged, and the turf cut of the program's universe reach nobody living at a
held-out household, everyone at one address is on the same side, and the same seed draws
the same households again.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.consent import services as consent
from groundgame.consent.models import Contact
from groundgame.field import services as field
from groundgame.field.models import TurfStop
from groundgame.insights import services as insights
from groundgame.insights.models import HoldoutAssignment
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Send
from groundgame.organizing import services as organizing
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.models import Household

TOPIC = "volunteering"


class HeldOutHouseholdsGetNoPiece(TestCase):
    # No shrinking: each example builds a campaign, and a failure shows its draw as it is.
    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(
        # At least 20 households with at most 45% held out leave a turf's worth (10) of doors.
        sizes=st.lists(st.integers(1, 4), min_size=20, max_size=30),
        percent=st.integers(5, 45),
        seed=st.integers(0, 2**40),
    )
    def test_no_channel_reaches_a_held_out_household(
        self, sizes: list[int], percent: int, seed: int
    ) -> None:
        national = organizing.org_unit_create(actor=None, name="National", kind="national")
        state = organizing.org_unit_create(
            actor=None, name="North Carolina", kind="state", state="NC", parent=national
        )
        homes = []
        for n, size in enumerate(sizes):
            home = Household.objects.create(
                street=f"{100 + 2 * n} Main St", city="Durham", state="NC", zip5="27701",
                latitude=35.99 + 0.0004 * n, longitude=-78.90,
            )  # fmt: skip
            homes.append(home)
            for k in range(size):
                person = people.person_create(
                    actor=None, first_name=f"P{n}x{k}", last_name="Voter", household=home,
                    org_unit_id=state.pk, email=f"p{n}x{k}@example.org",
                    phone=f"+1919555{n:02d}{k:02d}",
                )  # fmt: skip
                for channel in ("email", "sms"):
                    consent.subscription_join(
                        person_id=person.pk, channel=channel, topic_keys=[TOPIC], source="test"
                    )
        universe = people.universe_save(actor=None, name="Everyone", filters={})
        program = insights.program_create(
            actor=None, name="Get out the vote", universe_id=universe.pk,
            org_unit_id=state.pk, holdout_percent=percent,
        )  # fmt: skip
        insights.program_holdout_draw(actor=None, program_id=program.pk, seed=seed)
        sides = {}
        for household_id, held_out in HoldoutAssignment.objects.filter(program=program).values_list(
            "household_id", "held_out"
        ):
            assert sides.setdefault(household_id, held_out) == held_out  # all in or all out
        held = {h for h, out in sides.items() if out}
        assert held
        assert len(held) < len(homes)
        assert len(held) == round(len(homes) * percent / 100)

        for channel in ("email", "sms"):
            mailing = messaging.mailing_create(
                actor=None, name=channel, channel=channel, topic_key=TOPIC,
                universe_id=universe.pk, subject="News" if channel == "email" else "",
                body="Hello {{ first_name }}",
            )  # fmt: skip
            insights.program_piece_add(
                actor=None, program_id=program.pk, channel=channel, name=str(mailing.pk)
            )
            messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
            messaging.mailing_fan_out(mailing_id=mailing.pk)
        for channel, source in (("mail", "mail:flyer"), ("phone", "call:bank")):
            insights.program_piece_add(
                actor=None, program_id=program.pk, channel=channel, name=source
            )
            consent.contact_list_log(
                actor=None, channel=channel, source=source,
                people=people_selectors.universe_people({}),
            )  # fmt: skip
        insights.program_piece_add(actor=None, program_id=program.pk, channel="door")
        insights.program_start(actor=None, program_id=program.pk)
        cut = field.turf_cut(
            actor=None, universe_id=universe.pk, org_unit_id=state.pk, target_doors=10
        )

        sends = Send.objects.values_list("person__household_id", flat=True)
        contacts = Contact.objects.values_list("household_id", flat=True)
        reached = {
            "email": set(sends.filter(channel="email")),
            "sms": set(sends.filter(channel="sms")),
            "mail": set(contacts.filter(channel="mail")),
            "phone": set(contacts.filter(channel="phone")),
            "door": set(
                TurfStop.objects.filter(turf__cut=cut).values_list("household_id", flat=True)
            ),
        }
        for channel, households in reached.items():
            assert not households & held, channel
            assert households, channel  # the rest of the program goes out

        # The recorded seed draws the same households again.
        again = insights.program_create(
            actor=None, name="Again", universe_id=universe.pk, org_unit_id=state.pk,
            holdout_percent=percent,
        )  # fmt: skip
        insights.program_holdout_draw(actor=None, program_id=again.pk, seed=seed)
        redrawn = set(
            HoldoutAssignment.objects.filter(program=again, held_out=True).values_list(
                "household_id", flat=True
            )
        )
        assert redrawn == held
