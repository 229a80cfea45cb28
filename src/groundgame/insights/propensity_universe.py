"""The turnout score as a universe filter: ``{"propensity": {"min": 30, "max": 70}}`` keeps
the voters whose current score is at least 30% and under 70% (the "sporadic" voters a
turnout program looks for). People owns the universes and insights the scores, so the filter
is registered into people's universes when Django starts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from groundgame.core.errors import ValidationFailed
from groundgame.people import selectors as people_selectors


def _fail(message: str) -> ValidationFailed:
    return people_selectors.universe_spec_invalid("propensity", message)


class PropensityFilter(people_selectors.UniverseFilter):
    key = "propensity"
    label = "Turnout score"
    voter = True

    def clean(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict) or not raw or set(raw) - {"min", "max"}:
            raise _fail('The turnout score is {"min": percent, "max": percent}.')
        out = {}
        for bound in ("min", "max"):
            value = raw.get(bound)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise _fail(f"The turnout score's {bound} is a whole percentage, 0 to 100.")
            out[bound] = value
        if out.get("min", 0) >= out.get("max", 101):
            raise _fail("The turnout score's min is below its max.")
        return out

    def q(self, value: dict[str, int]) -> Q:
        q = Q(voter_record__propensity__isnull=False)
        if "min" in value:
            q &= Q(voter_record__propensity__score__gte=value["min"] / 100)
        if "max" in value:
            q &= Q(voter_record__propensity__score__lt=value["max"] / 100)
        return q

    def describe(self, value: dict[str, int]) -> str:
        return f"{value.get('min', 0)}% to {value.get('max', 100)}%"
