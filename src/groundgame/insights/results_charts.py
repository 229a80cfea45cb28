"""The desk's two charts the shared bar and line charts cannot draw: bars either side of zero
(a swing toward one party or the other) and intervals (a projection with its 80% range).

Both are server-rendered SVG in the manner of ``core.templatetags.charts``: a ``<title>`` and
``<desc>``, horizontal positions in percent so the text keeps its size, the numbers in a
table beside the chart (the templates show it), and every text escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

ROW = 22
LABEL_WIDTH = 22.0  # percent of the width kept for the row labels
VALUE_ROOM = 12.0  # percent kept either side for the value labels


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(title: str, description: str, height: int, body: list[str]) -> SafeString:
    cid = escape(f"chart-{slugify(title)}")
    parts = [
        f'<svg class="chart chart-bar" role="img" width="100%" height="{height}" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        *body,
        "</svg>",
    ]
    # Every text above went through ``html.escape``.
    return mark_safe("".join(parts))  # noqa: S308


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown


def diverging_bars(
    title: str, description: str, bars: Sequence[Bar], *, least_top: float = 1.0
) -> SafeString:
    """One bar per row from a zero line: right for positive values (series-1), left for
    negative ones (series-4). The scale reaches at least ``least_top``, so that swings of a
    hundredth of a point do not fill the chart."""
    top = max(max((abs(b.value) for b in bars), default=0.0), least_top)
    span = (100 - LABEL_WIDTH - 2 * VALUE_ROOM) / 2
    zero = LABEL_WIDTH + VALUE_ROOM + span
    body = []
    for i, bar in enumerate(bars):
        y = i * ROW
        width = abs(bar.value) / top * span
        x = zero if bar.value >= 0 else zero - width
        colour = "series-1" if bar.value >= 0 else "series-4"
        text_x = zero + width if bar.value >= 0 else zero - width
        anchor = "start" if bar.value >= 0 else "end"
        dx = 4 if bar.value >= 0 else -4
        body += [
            f'<text class="chart-category" x="0" y="{y + 15}">{escape(bar.label)}</text>',
            f'<rect class="{colour}" x="{_num(x)}%" y="{y + 4}" width="{_num(width)}%" '
            f'height="{ROW - 8}" rx="2"><title>{escape(f"{bar.label}: {bar.text}")}</title></rect>',
            f'<text class="chart-value" x="{_num(text_x)}%" dx="{dx}" y="{y + 15}" '
            f'text-anchor="{anchor}">{escape(bar.text)}</text>',
        ]
    height = max(len(bars) * ROW, ROW)
    body.append(
        f'<line class="chart-axis" x1="{_num(zero)}%" x2="{_num(zero)}%" y1="0" y2="{height}"/>'
    )
    return _svg(title, description, height, body)


@dataclass(frozen=True)
class Interval:
    """A range and its middle as changes from a reference (percent, 0 = the reference)."""

    label: str
    low: float
    mid: float
    high: float
    text: str


def interval_chart(title: str, description: str, rows: Sequence[Interval]) -> SafeString:
    """One row per item: the range as a band and the middle as a dot, either side of a zero
    line (the reference, such as the last election's total)."""
    top = max(max((max(abs(r.low), abs(r.high)) for r in rows), default=0.0), 10.0)
    span = (100 - LABEL_WIDTH - 2 * VALUE_ROOM - 8) / 2
    zero = LABEL_WIDTH + span

    def x(value: float) -> float:
        return zero + value / top * span

    body = []
    for i, row in enumerate(rows):
        y = i * ROW
        name = escape(f"{row.label}: {row.text}")
        body += [
            f'<text class="chart-category" x="0" y="{y + 15}">{escape(row.label)}</text>',
            f'<rect class="series-2" x="{_num(x(row.low))}%" y="{y + 6}" '
            f'width="{_num(max(x(row.high) - x(row.low), 0.3))}%" height="{ROW - 12}" '
            f'rx="3" opacity="0.35"><title>{name}</title></rect>',
            f'<circle class="series-2" cx="{_num(x(row.mid))}%" cy="{y + ROW // 2}" r="4">'
            f"<title>{name}</title></circle>",
            f'<text class="chart-value" x="{_num(x(top))}%" dx="8" y="{y + 15}">'
            f"{escape(row.text)}</text>",
        ]
    height = max(len(rows) * ROW, ROW)
    body.append(
        f'<line class="chart-axis" x1="{_num(zero)}%" x2="{_num(zero)}%" y1="0" y2="{height}"/>'
    )
    return _svg(title, description, height, body)
