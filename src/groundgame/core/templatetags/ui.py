"""Small display filters shared by the staff pages."""

from __future__ import annotations

import re

from django import template

from groundgame.core.money import format_cents

register = template.Library()

_US_E164 = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")


@register.filter
def us_phone(value: str | None) -> str:
    """``+19195550123`` as ``(919) 555-0123``; anything else is shown as stored."""
    if not value:
        return ""
    match = _US_E164.match(value)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else value


@register.filter
def cents(value: int | None) -> str:
    """An amount kept in cents, as dollars: ``{{ 123456|cents }}`` is $1,234.56."""
    return "" if value is None else format_cents(int(value))
