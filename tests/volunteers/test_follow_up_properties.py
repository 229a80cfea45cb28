"""Property: whatever calls and reopenings an organizer records, in whatever order, each
follow-up is in exactly one part of the queue (due now, call back later, closed), the due part
is in the promised order, and its history is every call recorded on it, in order, unchanged.
Checked against a model of the queue kept beside the real one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.core.errors import Conflict
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing import services as organizing
from groundgame.people import services as people
from groundgame.volunteers import selectors, services
from groundgame.volunteers.models import FollowUp

START = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
OUTCOMES = [o.value for o in FollowUp.Outcome]
# (volunteer, outcome or "reopen", hours until the call-back after a message)
Action = tuple[int, str, int]


@dataclass
class Modelled:
    created_at: dt.datetime
    outcomes: list[str] = field(default_factory=list)
    closed: bool = False
    next_at: dt.datetime | None = None


actions = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([*OUTCOMES, "reopen"]), st.integers(1, 72)),
    max_size=14,
)


class FollowUpQueueProperties(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        signed_up=st.lists(st.integers(0, 48), min_size=1, max_size=4),
        steps=actions,
        look=st.integers(0, 120),
    )
    def test_the_queue_matches_a_model_of_it(
        self, signed_up: list[int], steps: list[Action], look: int
    ) -> None:
        national = organizing.org_unit_create(actor=None, name="National", kind="national")
        model: dict[int, Modelled] = {}
        for i, hours in enumerate(signed_up):
            person = people.person_create(
                actor=None, first_name=f"V{i}", last_name="Test", org_unit_id=national.pk
            )
            follow_up = FollowUp.objects.create(person=person, org_unit=national)
            created = START + dt.timedelta(hours=hours)
            FollowUp.objects.filter(pk=follow_up.pk).update(created_at=created)
            model[follow_up.pk] = Modelled(created_at=created)
        ids = list(model)
        now = START + dt.timedelta(hours=49)
        for index, outcome, hours in steps:
            pk = ids[index % len(ids)]
            entry = model[pk]
            now += dt.timedelta(hours=1)
            if outcome == "reopen":
                if entry.closed:
                    services.follow_up_reopen(actor=None, follow_up_id=pk, now=now)
                    entry.closed, entry.next_at = False, now
                else:
                    with pytest.raises(Conflict):
                        services.follow_up_reopen(actor=None, follow_up_id=pk, now=now)
                continue
            call_back = now + dt.timedelta(hours=hours) if outcome == "left_message" else None
            if entry.closed:
                with pytest.raises(Conflict):
                    services.follow_up_attempt_record(
                        actor=None, follow_up_id=pk, outcome=outcome, now=now
                    )
                continue
            services.follow_up_attempt_record(
                actor=None, follow_up_id=pk, outcome=outcome, next_attempt_at=call_back, now=now
            )
            entry.outcomes.append(outcome)
            entry.closed = outcome in services.FINAL_OUTCOMES
            entry.next_at = call_back

        at = now + dt.timedelta(hours=look)
        scope = organizing_selectors.SYSTEM_SCOPE
        parts = {
            show: [f.pk for f in selectors.follow_up_queue(scope=scope, show=show, now=at)]
            for show in selectors.QueueShow.values
        }
        assert sorted(pk for part in parts.values() for pk in part) == sorted(ids)
        due = [pk for pk, e in model.items() if not e.closed and (e.next_at or at) <= at]
        later = [pk for pk, e in model.items() if not e.closed and pk not in due]
        closed = [pk for pk, e in model.items() if e.closed]
        never_called = sorted(
            (pk for pk in due if not model[pk].outcomes), key=lambda pk: (model[pk].created_at, pk)
        )
        called = sorted(
            (pk for pk in due if model[pk].outcomes),
            key=lambda pk: (model[pk].next_at or model[pk].created_at, model[pk].created_at, pk),
        )
        assert parts["due"] == never_called + called
        assert sorted(parts["later"]) == sorted(later)
        assert sorted(parts["closed"]) == sorted(closed)
        for pk, entry in model.items():
            history = FollowUp.objects.get(pk=pk).attempts.order_by("made_at", "pk")
            assert list(history.values_list("outcome", flat=True)) == entry.outcomes
