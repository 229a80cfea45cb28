"""Property: whatever the order of first submissions and replays, each idempotency key lands
exactly once, and every replay answers with the submission its key first created."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.organizing import services as organizing
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services

KEYS = [f"key-{n:04d}" for n in range(5)]


class IdempotencyProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.sampled_from(KEYS), st.sampled_from(["Ann", "Bea", "Cy"])),
            min_size=1,
            max_size=12,
        )
    )
    def test_each_key_lands_once_in_any_interleaving(self, calls: list[tuple[str, str]]) -> None:
        national = organizing.org_unit_create(actor=None, name="National", kind="national")
        form = volunteers_services.signup_form_create(actor=None, title="Join", org_unit=national)
        volunteers_services.signup_form_publish(actor=None, form_id=form.pk)
        form.refresh_from_db()
        first: dict[str, int] = {}
        for key, name in calls:
            submission, created = volunteers_services.signup_submit(
                form=form,
                idempotency_key=key,
                fields={
                    "first_name": name,
                    "last_name": "Tester",
                    "email": f"{name.lower()}@example.org",
                    "zip5": "27701",
                },
                answers={},
                consents=[],
            )
            assert created == (key not in first)
            assert first.setdefault(key, submission.pk) == submission.pk
        assert volunteers_selectors.signup_submission_count(form.pk) == len(first)
