"""The headline numbers of the campaign, gathered from each app's metrics and selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from groundgame.insights import selectors as insights
from groundgame.messaging import metrics as messaging_metrics
from groundgame.organizing import metrics as organizing_metrics
from groundgame.organizing import selectors as organizing
from groundgame.people import metrics as people_metrics
from groundgame.people import selectors as people
from groundgame.volunteers import metrics as volunteers_metrics
from groundgame.volunteers import selectors as volunteers_selectors


@dataclass(frozen=True)
class StateRow:
    state: str
    voters: int
    volunteers: int
    ballots: dict[int, int]

    @property
    def volunteers_per_10k(self) -> float:
        return 10_000 * self.volunteers / self.voters if self.voters else 0.0


@dataclass(frozen=True)
class Headline:
    people: int
    voters: int
    volunteers: int
    staff: int
    units: dict[str, int]
    states: list[StateRow]
    election_years: list[int]
    # Message tests (mailings and surveys) under way whose winner is not recorded yet.
    tests_awaiting_decision: int = 0
    # Programs under way, each with its holdout drawn and fixed.
    programs_with_holdouts: int = 0


def headline() -> Headline:
    voters = people.voters_by_state()
    volunteers = volunteers_metrics.volunteers_by_state()
    ballots = people_metrics.ballots_by_state_year()
    years = sorted({year for (_, year) in ballots})
    states = [
        StateRow(
            state=s,
            voters=voters.get(s, 0),
            volunteers=volunteers.get(s, 0),
            ballots={y: ballots.get((s, y), 0) for y in years},
        )
        for s in sorted(voters.keys() | volunteers.keys())
    ]
    return Headline(
        people=people.person_count(),
        voters=sum(voters.values()),
        volunteers=volunteers_selectors.membership_count(),
        staff=organizing.staff_count(),
        units=organizing_metrics.units_by_kind(),
        states=states,
        election_years=years,
        tests_awaiting_decision=insights.tests_awaiting_decision(),
        programs_with_holdouts=insights.programs_running(),
    )


def list_health_alerts() -> list[messaging_metrics.Alert]:
    """Mailing rates and battleground churn over their thresholds (kept fresh by messaging's
    own cache, so the dashboard shows them as the list-health page does)."""
    return messaging_metrics.list_health_alerts()


def polling_headline() -> tuple[dt.date | None, list[insights.PlaceRow]]:
    """The polling average nationally and in the campaign's states, as of the latest poll
    (an aggregate of public polls: every staff member sees it)."""
    average = insights.polling_headline()
    return average.as_of, insights.place_rows(average)
