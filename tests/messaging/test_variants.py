"""A mailing that tests variants: each recipient is drawn to one variant in the shares given,
the send records which, the message is that variant's (from name, subject, body), and bad
variants are refused naming the variant and field."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.core.errors import ApplicationError
from groundgame.messaging import selectors
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Send
from groundgame.messaging.variants import draw
from tests.conftest import Campaign
from tests.messaging.variant_builders import variant_mailing, variant_specs


@pytest.fixture
def email_settings(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_each_recipient_gets_the_variant_drawn_for_them(
    campaign: Campaign, email_settings: None
) -> None:
    tested = variant_mailing(actor=None, unit=campaign.durham, count=60, shares=(30, 70))
    variants = selectors.mailing_variants(tested.mailing.pk)
    sends = list(Send.objects.filter(mailing=tested.mailing).order_by("person_id"))
    assert len(sends) == 60
    assert all(s.status == Send.Status.SENT for s in sends)
    by_id = {v.pk: v for v in variants}
    seed = tested.mailing.variant_seed
    for send in sends:
        # The send records the draw, which anyone can repeat from the recorded seed.
        assert by_id[send.variant_id].position == draw(seed, send.person_id, [30, 70])
    counts = Counter(by_id[s.variant_id].label for s in sends)
    assert set(counts) == {"A", "B"}
    # And the email is the variant's own: its from name and subject.
    for message in mail.outbox:
        send = next(s for s in sends if s.address == message.to[0])
        variant = by_id[send.variant_id]
        assert message.from_email.startswith(
            f'"{variant.sender_name}"'
        ) or message.from_email.startswith(variant.sender_name)
        assert message.subject.startswith(f"Subject {variant.label} for Reader")
        assert f"Body {variant.label}" in message.body
    assert [c.sent for c in selectors.variant_counts(tested.mailing.pk)] == [
        counts["A"],
        counts["B"],
    ]


def test_shares_are_honoured_over_many_people() -> None:
    counts = Counter(draw(2024, person, [10, 60, 30]) for person in range(20_000))
    assert counts[0] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert counts[1] / 20_000 == pytest.approx(0.60, abs=0.015)
    assert counts[2] / 20_000 == pytest.approx(0.30, abs=0.015)


@given(
    seed=st.integers(min_value=0, max_value=2**62),
    person=st.integers(min_value=1, max_value=10**12),
    # Shares summing to 100, some possibly 0: the gaps between sorted cut points.
    shares=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=3).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 100], strict=True)]
    ),
)
# Timing checks would fail on a busy machine; each example itself is cheap.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_draw_is_repeatable_and_never_lands_on_an_empty_share(
    seed: int, person: int, shares: list[int]
) -> None:
    index = draw(seed, person, shares)
    assert index == draw(seed, person, shares)
    assert shares[index] > 0


@pytest.mark.parametrize(
    ("specs", "code", "field"),
    [
        (variant_specs((60, 30)), "variant_shares_invalid", "variants"),
        (variant_specs((100,)), "variant_invalid", "variants"),
        (variant_specs((0, 100)), "variant_shares_invalid", "variants[0].share"),
        (
            [
                *variant_specs((50,)),
                messaging.VariantSpec(label="A", body="x", share=50, subject="s"),
            ],
            "variant_invalid",
            "variants[1].label",
        ),
        (
            [
                *variant_specs((50,)),
                messaging.VariantSpec(label="B", body="Hi {{ nickname }}", share=50, subject="s"),
            ],
            "template_invalid",
            "variants[1].body",
        ),
        (
            [*variant_specs((50,)), messaging.VariantSpec(label="B", body="x", share=50)],
            "variant_invalid",
            "variants[1].subject",
        ),
    ],
)
def test_bad_variants_are_refused_naming_the_field(
    campaign: Campaign, specs: list[Any], code: str, field: str
) -> None:
    tested = variant_mailing(actor=None, unit=campaign.durham, count=1, send=False)
    before = [(v.label, v.share) for v in selectors.mailing_variants(tested.mailing.pk)]
    with pytest.raises(ApplicationError) as raised:
        messaging.mailing_variants_set(actor=None, mailing_id=tested.mailing.pk, specs=specs)
    assert (raised.value.code, raised.value.field) == (code, field)
    # Nothing changed.
    assert [(v.label, v.share) for v in selectors.mailing_variants(tested.mailing.pk)] == before


def test_variants_are_fixed_once_the_mailing_goes_out(
    campaign: Campaign, email_settings: None
) -> None:
    tested = variant_mailing(actor=None, unit=campaign.durham, count=2)
    with pytest.raises(ApplicationError) as raised:
        messaging.mailing_variants_set(
            actor=None, mailing_id=tested.mailing.pk, specs=variant_specs((20, 80))
        )
    assert raised.value.code == "mailing_not_editable"


def test_only_who_may_change_the_mailing_sets_its_variants(
    campaign: Campaign, make_staff: Any
) -> None:
    writer = make_staff("writer", role="organizer", unit=campaign.triangle)
    outsider = make_staff("outsider", role="organizer", unit=campaign.piedmont)
    tested = variant_mailing(actor=writer, unit=campaign.durham, count=1, send=False)
    with pytest.raises(ApplicationError) as raised:
        messaging.mailing_variants_set(
            actor=outsider, mailing_id=tested.mailing.pk, specs=variant_specs((20, 80))
        )
    assert raised.value.code == "mailing_denied"
    assert [v.share for v in selectors.mailing_variants(tested.mailing.pk)] == [50, 50]


def test_the_variants_page_saves_and_names_a_bad_share(
    campaign: Campaign, make_staff: Any, client_for: Any
) -> None:
    writer = make_staff("writer", role="organizer", unit=campaign.triangle)
    tested = variant_mailing(actor=writer, unit=campaign.durham, count=1, send=False)
    client = client_for(writer)
    url = f"/messaging/mailings/{tested.mailing.pk}/variants/"
    assert client.get(url).status_code == 200
    form = {
        "label_0": "Short",
        "subject_0": "Quick one",
        "body_0": "Chip in.",
        "share_0": "50",
        "label_1": "Long",
        "subject_1": "A longer story",
        "body_1": "Here is why we need you.",
        "share_1": "40",
    }
    response = client.post(url, form)
    assert response.status_code == 422
    assert "add up to 90%" in response.content.decode()
    response = client.post(url, {**form, "share_1": "50"})
    assert response.status_code == 302
    assert [v.label for v in selectors.mailing_variants(tested.mailing.pk)] == ["Short", "Long"]
    assert (
        "Variants under test"
        in client.get(f"/messaging/mailings/{tested.mailing.pk}/").content.decode()
    )
