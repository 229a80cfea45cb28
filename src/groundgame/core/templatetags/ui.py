"""Small display filters shared by the staff pages."""

from __future__ import annotations

import re

from django import template

from groundgame.core.money import format_cents

register = template.Library()

_US_E164 = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")


@register.filter
def cents(value: int | None) -> str:
    """Integer cents as dollars (``{{ 2500|cents }}`` is ``$25.00``); empty if None."""
    return "" if value is None else format_cents(int(value))


@register.filter
def us_phone(value: str | None) -> str:
    """``+19195550123`` as ``(919) 555-0123``; anything else is shown as stored."""
    if not value:
        return ""
    match = _US_E164.match(value)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else value
