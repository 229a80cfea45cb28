"""The demo campaign's measurement: a message test read honestly, and the campaign's message
set against what its canvassers hear.

**The test.** The history's "Emergency: falling behind" email went out in two variants
(``demo/messaging.py``): A from the campaign, B a personal note from a named sender. Their
recipients' opens, clicks and gifts are imported here as a provider's and a donation
platform's reports would be: B is opened, clicked and given to more, and (in the history)
loses more subscribers, which the test counts against it. An ad test in Arizona has three
survey waves whose lead is not yet enough for the always-valid rule, so the health page has
a test awaiting a decision.

**The message mix.** The mailings are tagged with the issues they talk about, mostly
abortion and democracy; the states' door scripts ask voters' issues and are tagged
democracy; two ads run. The field program's conversations name inflation most
(``demo/field.py``, ``ISSUE_SHARES``), so the issues page shows the gap the 2024 campaign
had. Nobody in it is real; the same seed gives the same figures.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from groundgame.content import selectors as content_selectors
from groundgame.insights import services as insights_services
from groundgame.messaging import selectors as messaging_selectors
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors

TESTED_MAILING = "Emergency: falling behind"
# Per recipient of each variant: opened, clicked (of those who opened), gave (of those who
# clicked), and the gift in dollars (about the median small online gift).
OUTCOME_RATES = {"A": (0.21, 0.11, 0.22), "B": (0.26, 0.14, 0.26)}
GIFTS = (10, 15, 25, 25, 27, 35, 50, 100)
# The issues each mailing of the history talks about, by its name.
MAILING_TOPICS = {
    "Q3 match: double your gift": ["abortion"],
    "End of quarter push": ["democracy"],
    "We are being outspent": ["democracy", "abortion"],
    "Triple match ends tonight": ["abortion"],
    "Final notice: membership": ["democracy"],
    "Emergency: falling behind": ["democracy", "abortion"],
    "Make your voting plan": ["democracy"],
    "Early voting starts": ["democracy"],
    "Chip in before midnight": ["health_care"],
    "Phone bank from home": ["inflation"],
}
ADS = (
    ("Her body, her choice (TV)", "tv", ["abortion"]),
    ("Protect our democracy (digital)", "digital", ["democracy"]),
)


@dataclass(frozen=True)
class Measurement:
    outcomes: int
    tagged: int
    ads: int


def _outcomes_csv(rng: random.Random, mailing_id: int) -> tuple[str, int]:
    people = people_selectors.universe_people({}).values_list("pk", flat=True)
    labels = {v.pk: v.label for v in messaging_selectors.mailing_variants(mailing_id)}
    sent = messaging_selectors.sent_variants(mailing_id, list(people))
    lines = ["person_id,event,amount,variant"]
    for person_id, variant_id in sorted(sent.items()):
        if variant_id is None:
            continue
        label = labels[variant_id]
        opened, clicked, gave = OUTCOME_RATES[label]
        if rng.random() >= opened:
            continue
        lines.append(f"{person_id},open,,{label}")
        if rng.random() >= clicked:
            continue
        lines.append(f"{person_id},click,,{label}")
        if rng.random() < gave:
            lines.append(f"{person_id},donation,{rng.choice(GIFTS)}.00,{label}")
    return "\n".join(lines) + "\n", len(lines) - 1


def measurement_create(*, seed: int, state_units: dict[str, int]) -> Measurement:
    """The test's outcomes, an ad test's waves, and the message mix's topics (see the module
    docstring); ``state_units`` maps each state to its unit."""
    rng = random.Random(f"{seed}:insights")
    outcomes = 0
    tagged = 0
    for mailing in messaging_selectors.mailing_list():
        if mailing.name == TESTED_MAILING and mailing.variant_seed is not None:
            text, outcomes = _outcomes_csv(rng, mailing.pk)
            insights_services.message_outcomes_import(actor=None, mailing_id=mailing.pk, text=text)
        topics = MAILING_TOPICS.get(mailing.name)
        if topics:
            insights_services.mailing_topics_set(
                actor=None, mailing_id=mailing.pk, topic_keys=topics
            )
            tagged += 1
    for item in content_selectors.content_items_in_use():
        if item.kind == "script":
            insights_services.content_topics_set(
                actor=None, item_id=item.item_id, topic_keys=["democracy"]
            )
            tagged += 1
    today = timezone.localdate()
    national = organizing_selectors.org_unit_root()
    assert national is not None  # the hierarchy is seeded first
    for name, medium, topics in ADS:
        insights_services.ad_create(
            actor=None,
            name=name,
            medium=medium,
            org_unit_id=national.pk,
            starts_on=today - dt.timedelta(days=35),
            ends_on=today + dt.timedelta(days=14),
            topic_keys=topics,
        )
    arizona = state_units.get("AZ") or next(iter(state_units.values()))
    test = insights_services.survey_test_create(
        actor=None,
        name="Costs ad, Arizona",
        kind="ad",
        measure="would vote for our candidate",
        org_unit_id=arizona,
    )
    for treatment, control in ((48.2, 45.9), (47.6, 45.1), (48.9, 46.0)):
        insights_services.survey_wave_add(
            actor=None,
            test_id=test.pk,
            treatment_n=600,
            treatment_share=treatment,
            control_n=600,
            control_share=control,
        )
    return Measurement(outcomes=outcomes, tagged=tagged, ads=len(ADS))
