"""Dollars in, integer cents out: fractions of a cent, floats and amounts that are not
finite are refused naming the field, never a crash."""

from __future__ import annotations

import pytest

from groundgame.core.errors import ValidationFailed
from groundgame.core.money import cents_from_dollars, format_cents


@pytest.mark.parametrize(("given", "cents"), [("25.00", 2500), ("$1,000", 100000), ("0.5", 50)])
def test_dollars_become_cents(given: str, cents: int) -> None:
    assert cents_from_dollars(given) == cents


@pytest.mark.parametrize("given", ["Infinity", "-inf", "NaN", "1.001", "ten", 2.5])
def test_what_is_not_an_amount_is_refused(given: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        cents_from_dollars(given, field="amount")  # type: ignore[arg-type]
    assert caught.value.field == "amount"


def test_cents_are_shown_as_dollars() -> None:
    assert format_cents(123456) == "$1,234.56"
    assert format_cents(-5) == "-$0.05"
