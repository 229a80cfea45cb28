"""The desk's poll charts as inline SVG built on the server (the conventions of
``core/templatetags/charts.py``: ``role="img"`` with a title and description, text escaped,
horizontal positions in percent so labels keep their size; colours from the stylesheet).

- ``band_chart``: a place's average margin week by week, its 80% interval as a shaded band,
  the polls themselves as dots, and the zero line (a tie) across.
- ``interval_bar``: one row of the all-states table: the interval as a bar on a shared axis
  from a Republican to a Democratic lead, the average as a tick.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from groundgame.insights.polling_average import PlaceAverage

HEIGHT = 260
TOP = 16
BOTTOM = 28
VIEW_WIDTH = 1000
PAD = 3.0  # percent kept free at each end
BAR_HEIGHT = 18


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def signed(margin: float) -> str:
    """A margin as people read it: D+3.2, R+1.0, Tie."""
    if abs(margin) < 0.05:
        return "Tie"
    return f"{'D' if margin > 0 else 'R'}+{abs(margin):.1f}"


def _nice_step(span: float) -> float:
    for step in (2.0, 5.0, 10.0, 20.0, 25.0, 50.0):
        if span / step <= 6:
            return step
    return 100.0


def band_chart(
    title: str,
    series: Sequence[tuple[dt.date, PlaceAverage]],
    polls: Sequence[tuple[dt.date, float]],
) -> SafeString:
    """The chart of one place: ``series`` the weekly averages, ``polls`` (end date, margin)."""
    if not series:
        return mark_safe("")
    first, last = series[0][0], series[-1][0]
    shown = [(d, m) for d, m in polls if first <= d <= last]
    values = [v for _, a in series for v in (a.margin_lo80, a.margin_hi80)]
    values += [m for _, m in shown] + [0.0]
    step = _nice_step(max(values) - min(values) or 1.0)
    low = math.floor(min(values) / step) * step
    high = math.ceil(max(values) / step) * step
    if high == low:
        high = low + step
    plot = HEIGHT - TOP - BOTTOM
    span_days = max((last - first).days, 1)

    def x_pct(day: dt.date) -> float:
        return PAD + (100 - 2 * PAD) * (day - first).days / span_days

    def y_px(value: float) -> float:
        return TOP + plot * (high - value) / (high - low)

    def x_view(day: dt.date) -> str:
        return _num(x_pct(day) * VIEW_WIDTH / 100)

    latest = series[-1][1]
    description = (
        f"Average margin from {first:%b %-d} to {last:%b %-d, %Y}, now {signed(latest.margin)} "
        f"with an 80% interval from {signed(latest.margin_lo80)} to "
        f"{signed(latest.margin_hi80)}; {len(shown)} polls shown as dots."
    )
    parts = [
        f'<svg class="chart poll-band" role="img" width="100%" height="{HEIGHT}" '
        'aria-labelledby="poll-band-title poll-band-desc" focusable="false">',
        f'<title id="poll-band-title">{escape(title)}</title>',
        f'<desc id="poll-band-desc">{escape(description)}</desc>',
    ]
    tick = low
    while tick <= high + 1e-9:
        y = _num(y_px(tick))
        grid = "poll-zero" if abs(tick) < 1e-9 else "chart-grid"
        parts.append(f'<line class="{grid}" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
        parts.append(
            f'<text class="chart-tick" x="0" y="{_num(y_px(tick) - 4)}">'
            f"{escape(signed(tick))}</text>"
        )
        tick += step
    for index, (day, _) in enumerate(series):
        if index % 4 == 0 or index == len(series) - 1:
            anchor = "end" if index == len(series) - 1 else ("start" if index == 0 else "middle")
            parts.append(
                f'<text class="chart-tick" x="{_num(x_pct(day))}%" y="{HEIGHT - 8}" '
                f'text-anchor="{anchor}">{day:%b %-d}</text>'
            )
    upper = [f"{x_view(d)},{_num(y_px(a.margin_hi80))}" for d, a in series]
    lower = [f"{x_view(d)},{_num(y_px(a.margin_lo80))}" for d, a in reversed(series)]
    line = [f"{x_view(d)},{_num(y_px(a.margin))}" for d, a in series]
    parts.append(
        f'<svg x="0" y="0" width="100%" height="{HEIGHT}" '
        f'viewBox="0 0 {VIEW_WIDTH} {HEIGHT}" preserveAspectRatio="none">'
        f'<polygon class="poll-band-area" points="{" ".join(upper + lower)}"/>'
        f'<polyline class="poll-band-line" points="{" ".join(line)}" fill="none" '
        'vector-effect="non-scaling-stroke"/></svg>'
    )
    for day, margin in shown:
        parts.append(
            f'<circle class="poll-dot" cx="{_num(x_pct(day))}%" cy="{_num(y_px(margin))}" '
            f'r="2.5"><title>{escape(f"{day:%b %-d}: {signed(margin)}")}</title></circle>'
        )
    for day, average in series:
        label = escape(
            f"{day:%b %-d}: {signed(average.margin)} (80%: {signed(average.margin_lo80)} "
            f"to {signed(average.margin_hi80)})"
        )
        parts.append(
            f'<circle class="poll-band-point" cx="{_num(x_pct(day))}%" '
            f'cy="{_num(y_px(average.margin))}" r="3.5"><title>{label}</title></circle>'
        )
    parts.append("</svg>")
    # Every text above went through ``html.escape``.
    return mark_safe("".join(parts))  # noqa: S308


def interval_bar(average: PlaceAverage, reach: float) -> SafeString:
    """The interval of one place on an axis from R+``reach`` to D+``reach``."""

    def x_pct(value: float) -> float:
        return 50 + 50 * max(-reach, min(reach, value)) / reach

    lo, hi = x_pct(average.margin_lo80), x_pct(average.margin_hi80)
    leaning = "dem" if average.margin > 0 else "rep"
    label = escape(
        f"{signed(average.margin)}, 80% interval {signed(average.margin_lo80)} to "
        f"{signed(average.margin_hi80)}"
    )
    return mark_safe(  # noqa: S308 (the label is escaped)
        f'<svg class="poll-bar" role="img" width="100%" height="{BAR_HEIGHT}" focusable="false">'
        f"<title>{label}</title>"
        f'<line class="poll-zero" x1="50%" x2="50%" y1="0" y2="{BAR_HEIGHT}"/>'
        f'<rect class="poll-bar-{leaning}" x="{_num(lo)}%" y="4" width="{_num(max(hi - lo, 0.5))}%"'
        f' height="{BAR_HEIGHT - 8}" rx="3"/>'
        f'<line class="poll-bar-mid" x1="{_num(x_pct(average.margin))}%" '
        f'x2="{_num(x_pct(average.margin))}%" y1="1" y2="{BAR_HEIGHT - 1}"/></svg>'
    )
