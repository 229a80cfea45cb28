"""The demo's measurement: turnout models for the swing states, and a mail program that held
out a tenth of its households, whose appeal's donors make its lift page tell a story.

The program is Pennsylvania's get-out-the-vote postcard to the state's voters: 10% of the
households held out with a recorded seed, the postcard logged as a mail drop (the one contact
rule keeps the held-out households off it), then an outcome file of who donated after it.
The donors are drawn here at 3.5% of the people who got the postcard and 2% of those held
out, so the page reads an effect of about 1.5 points with its interval.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.models import User

from groundgame.consent import services as consent
from groundgame.insights import selectors as insights_selectors
from groundgame.insights import services as insights
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people

PROGRAM = "PA get-out-the-vote postcard"
MAIL_DROP = "mail:PA GOTV postcard"
DONATED = {False: 0.035, True: 0.02}  # by held out


@dataclass(frozen=True)
class Measurement:
    models: int
    assigned: int
    donors: int


def measurement_create(*, seed: int, admin: User, national_id: int) -> Measurement:
    models = 0
    for state in people_selectors.voter_states():
        insights.propensity_fit(actor=admin, state=state)
        models += 1
    universe = people.universe_save(
        actor=admin, name="Pennsylvania voters", filters={"state": ["PA"]}
    )
    program = insights.program_create(
        actor=admin,
        name=PROGRAM,
        universe_id=universe.pk,
        org_unit_id=national_id,
        holdout_percent=10,
        target_effect_bp=150,
    )
    insights.program_holdout_draw(actor=admin, program_id=program.pk, seed=seed)
    insights.program_piece_add(actor=admin, program_id=program.pk, channel="mail", name=MAIL_DROP)
    insights.program_start(actor=admin, program_id=program.pk)
    consent.contact_list_log(
        actor=admin,
        channel="mail",
        source=MAIL_DROP,
        people=people_selectors.universe_people(universe.filters),
    )
    scope = organizing_selectors.staff_scope(admin)
    rows = list(insights_selectors.assignment_rows(program, scope))
    rng = random.Random(seed)
    donors = [p for p, _, held_out in rows if rng.random() < DONATED[held_out]]
    voter_ids = people_selectors.voter_ids_of(donors)
    lines = ["state,voter_id", *(f"{s},{v}" for s, v in voter_ids.values())]
    insights.outcome_file_upload(
        actor=admin,
        name="Donated after the October appeal",
        kind="donated",
        data="\n".join(lines).encode(),
    )
    return Measurement(models=models, assigned=len(rows), donors=len(voter_ids))
