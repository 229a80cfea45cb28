"""Message templates: text with ``{{ first_name }}`` or ``{{ first_name|default:"friend" }}``.

A small language of our own rather than Django's templates, for two reasons. Every field a
template names is checked when it is compiled (saving or previewing a mailing), so a typo
fails the preview, never the send. And rendering is a join over precompiled parts, which
the fan-out does for millions of recipients. Messages are written as plain text: the HTML
part escapes all of it (a ``<script>`` in a first name arrives as text); the text part and
texts carry it as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

# The fields a template may use, with what each is.
FIELDS: dict[str, str] = {
    "first_name": "The recipient's first name",
    "last_name": "The recipient's last name",
    "city": "The recipient's city",
    "state": "The recipient's state (two letters)",
    "zip5": "The recipient's ZIP code",
    "organization": "Your organization's name",
}

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_EXPR = re.compile(r'^\s*([a-z_][a-z0-9_]*)\s*(?:\|\s*default\s*:\s*"([^"{}]*)"\s*)?$')


class TemplateProblem(ValueError):
    """A template that cannot be rendered, with where and why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class _Slot:
    name: str
    default: str


@dataclass(frozen=True)
class Template:
    parts: tuple[str | _Slot, ...]

    @property
    def names(self) -> set[str]:
        return {p.name for p in self.parts if isinstance(p, _Slot)}

    def render(self, values: Mapping[str, str]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = (values.get(part.name) or "").strip() or part.default
                out.append(value)
        return "".join(out)

    def render_html(self, values: Mapping[str, str]) -> str:
        """For the HTML part: the whole message is plain text, so all of it is escaped,
        what the author wrote and what a recipient's record holds alike."""
        return html.escape(self.render(values))


def compile_template(source: str, *, field: str = "body") -> Template:
    """Parse ``source``; raises ``TemplateProblem`` naming the unknown field or bad tag."""
    parts: list[str | _Slot] = []
    position = 0
    for match in _TAG.finditer(source):
        parts.append(source[position : match.start()])
        expr = _EXPR.match(match.group(1))
        line = source.count("\n", 0, match.start()) + 1
        if expr is None:
            raise TemplateProblem(
                f"Line {line}: {match.group(0)!r} is not a field; write {{{{ first_name }}}} "
                'or {{ first_name|default:"friend" }}.',
                field=field,
            )
        name, default = expr.group(1), expr.group(2) or ""
        if name not in FIELDS:
            known = ", ".join(FIELDS)
            raise TemplateProblem(
                f"Line {line}: unknown field {name!r}; the fields are {known}.", field=field
            )
        parts.append(_Slot(name, default))
        position = match.end()
    rest = source[position:]
    if "{{" in rest or "}}" in rest:
        line = source.count("\n", 0, position + max(rest.find("{{"), rest.find("}}"))) + 1
        raise TemplateProblem(f"Line {line}: a {{{{ without its }}}}.", field=field)
    parts.append(rest)
    return Template(tuple(p for p in parts if p != ""))


# GSM 03.38: texts in this alphabet take 160 characters a segment (153 when split); anything
# else goes as UCS-2, 70 a segment (67 when split). The extension characters count twice.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many carrier segments a text takes (what providers bill and throttle)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return 1 if units <= 70 else -(-units // 67)
