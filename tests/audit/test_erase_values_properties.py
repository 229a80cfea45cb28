"""Erasing a person's values from the audit log, whatever the events hold: no event keeps a
value in any case or position, every event stays under its id with its action and fields,
and events that never held the values are left exactly as they were."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.audit import services as audit
from groundgame.audit.models import AuditEvent

VALUES = ["maya.lopez@example.net", "+19195550147", "Maya Lopez"]
words = st.text(alphabet="abcdefgh .@+0123456789", max_size=12)
value_in_any_case = st.sampled_from(VALUES).flatmap(
    lambda v: st.sampled_from([v, v.upper(), v.lower()])
)
texts = st.one_of(
    words, st.tuples(words, value_in_any_case, words).map(lambda parts: "".join(parts))
)
json_values: Any = st.recursive(
    st.none() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=6,
)
events = st.lists(
    st.tuples(
        st.booleans(),  # about the person's record
        texts,
        st.dictionaries(st.sampled_from(["email", "note", "payload", "city"]), json_values),
    ),
    min_size=1,
    max_size=6,
)


def _holds_a_value(event: AuditEvent) -> bool:
    text = (event.summary + json.dumps(event.changes)).lower()
    return any(v.lower() in text for v in VALUES)


class EraseValuesProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(events)
    def test_no_value_is_left_and_every_event_stays(self, drawn: list[Any]) -> None:
        for about, summary, changes in drawn:
            audit.audit_record(
                actor=None,
                kind=audit.Kind.UPDATE,
                action="thing.update",
                entity_type="people.person" if about else "volunteers.signupsubmission",
                entity_id=7 if about else 99,
                summary=summary,
                changes=changes,
            )
        before = {e.pk: e for e in AuditEvent.objects.all()}
        untouched = {pk for pk, e in before.items() if not _holds_a_value(e)}
        untouched -= {pk for pk, e in before.items() if e.entity_type == "people.person"}

        audit.audit_values_erase(entity_type="people.person", entity_id=7, values=VALUES)

        after = {e.pk: e for e in AuditEvent.objects.all()}
        assert after.keys() == before.keys()
        for pk, event in after.items():
            assert not _holds_a_value(event), (event.summary, event.changes)
            assert (event.action, event.at, set(event.changes)) == (
                before[pk].action,
                before[pk].at,
                set(before[pk].changes),
            )
            if pk in untouched:
                assert (event.summary, event.changes) == (before[pk].summary, before[pk].changes)
