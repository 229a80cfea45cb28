"""Money is integer cents everywhere; these helpers are the only place dollars appear."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from groundgame.core.errors import ValidationFailed


def cents_from_dollars(value: str | int | Decimal, *, field: str = "amount") -> int:
    """Parse "12.34", "12" or Decimal into cents; refuse fractions of a cent and floats."""
    if isinstance(value, float):
        raise ValidationFailed("Amounts must not be floating point numbers.", field=field)
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise ValidationFailed(f"{value!r} is not an amount of money.", field=field) from None
    if not amount.is_finite():
        raise ValidationFailed(f"{value!r} is not an amount of money.", field=field)
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValidationFailed(f"{value!r} has a fraction of a cent.", field=field)
    return int(cents)


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"
