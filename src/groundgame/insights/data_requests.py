"""Insights' part in a person's requests about their data (see
``people.services.person_export``): what they did after a tested mailing (opened, clicked,
gave), as imported for its test. An erasure keeps these rows: they hold no address or name,
only that the person's message was opened or given to, which the test's counts need."""

from __future__ import annotations

from typing import Any

from groundgame.audit.services import snapshot
from groundgame.insights.models import MessageOutcome


def person_part(person_id: int) -> dict[str, Any]:
    return {
        "message_test_outcomes": [
            snapshot(o, ["mailing_id", "kind", "amount_cents", "imported_at"])
            for o in MessageOutcome.objects.filter(person_id=person_id).order_by("imported_at")
        ]
    }
