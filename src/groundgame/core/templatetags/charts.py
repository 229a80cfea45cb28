"""Charts as inline SVG, built on the server from plain numbers.

Pages stay readable without JavaScript, print well and cost nothing to load. Every chart is an
``<svg role="img">`` named by its ``<title>`` and ``<desc>``, and the template tag puts the
same numbers in a data table beside it for screen readers and for anyone who wants the exact
figures.

Horizontal positions are percentages and vertical ones pixels, so the SVG stretches to its
container without scaling its text: labels keep their size on a phone and on a wide screen.
That is also why bars run horizontally: a category label above its bars never collides with
its neighbours, however narrow the screen.

Usage: build a :class:`Chart` in the view (``bar`` or ``line``) and render it with
``{% load charts %}{% chart spec %}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal, cast

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

register = template.Library()

# "percent2" keeps two decimals, for small rates (0.12% of messages sent).
ValueFormat = Literal["int", "decimal1", "percent", "percent2"]

# Bars leave this share of the width for the value label after the longest bar.
BAR_SPAN = 84.0
BAR_HEIGHT = 14
BAR_GAP = 3
LABEL_HEIGHT = 20
GROUP_GAP = 12

LINE_HEIGHT = 240
LINE_TOP = 22
LINE_BOTTOM = 28
# The line plot's own coordinate space; it is stretched to the width of the chart.
LINE_VIEW_WIDTH = 1000
LINE_PAD = 3.0  # percent of the width kept free at each end, so end markers are not cut


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """What to draw: one value per category per series (``None`` when unknown)."""

    kind: Literal["bar", "line"]
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_format: ValueFormat = "int"
    category_label: str = ""
    chart_id: str = ""
    # A line chart's shaded interval (an uncertainty band): its low and high per category.
    band: tuple[tuple[float, ...], tuple[float, ...]] | None = None

    @property
    def dom_id(self) -> str:
        return self.chart_id or f"chart-{slugify(self.title)}"

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(v is None for s in self.series for v in s.values)

    def rows(self) -> list[tuple[str, list[str]]]:
        """The data table: one row per category, one formatted cell per series."""
        return [
            (
                category,
                [format_value(_value_at(s, i), self.value_format) for s in self.series],
            )
            for i, category in enumerate(self.categories)
        ]


def _value_at(series: Series, index: int) -> float | None:
    return series.values[index] if index < len(series.values) else None


def format_value(value: float | None, value_format: ValueFormat = "int") -> str:
    if value is None:
        return "n/a"
    if value_format == "percent":
        return f"{value:.0%}"
    if value_format == "percent2":
        return f"{value:.2%}"
    if value_format == "decimal1":
        return f"{value:,.1f}"
    return f"{round(value):,}"


@register.filter
def percent2(value: float | None) -> str:
    """A small rate with two decimals in a table (``{{ rate|percent2 }}``), "n/a" if None."""
    return format_value(value, "percent2")


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # unreachable: 10 x magnitude always covers value


def _tick_steps(top: float, value_format: str) -> int:
    """How many intervals the value axis of a line chart has: four, unless whole numbers
    would then get fractional ticks that round to repeated labels (a top of 1 gave 0, 0, 0,
    1, 1), in which case a count that divides the top evenly."""
    if value_format != "int" or top % 4 == 0:
        return 4
    if top % 5 == 0:
        return 5
    return max(1, int(top))


def series_class(index: int, count: int) -> str:
    """The CSS class colouring a series; a lone series takes the strong middle blue."""
    return "series-2" if count == 1 else f"series-{index % 6 + 1}"


def _num(value: float) -> str:
    """Coordinates with at most two decimals, so the markup stays short."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open_svg(chart: Chart, height: int, kind: str) -> list[str]:
    cid = escape(chart.dom_id)
    return [
        f'<svg class="chart chart-{kind}" role="img" width="100%" height="{height}" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>',
    ]


def bar_chart_svg(chart: Chart) -> str:
    """Horizontal bars, one group per category and one bar per series, each with its value."""
    n_series = max(len(chart.series), 1)
    group_height = LABEL_HEIGHT + n_series * BAR_HEIGHT + (n_series - 1) * BAR_GAP + GROUP_GAP
    height = max(group_height * len(chart.categories), 1)
    # Every bar carries its value, so there is no axis to round: the longest bar spans the chart.
    top = max((v or 0) for s in chart.series for v in s.values) if chart.series else 0
    scale = BAR_SPAN / top if top > 0 else 0.0
    parts = _open_svg(chart, height, "bar")
    for i, category in enumerate(chart.categories):
        y = i * group_height
        parts.append(f'<text class="chart-category" x="0" y="{y + 14}">{escape(category)}</text>')
        for j, series in enumerate(chart.series):
            value = _value_at(series, i)
            bar_y = y + LABEL_HEIGHT + j * (BAR_HEIGHT + BAR_GAP)
            width = (value or 0) * scale
            label = format_value(value, chart.value_format)
            name = escape(f"{series.name}: {label}")
            if width > 0:
                parts.append(
                    f'<rect class="{series_class(j, n_series)}" x="0" y="{bar_y}" '
                    f'width="{_num(width)}%" height="{BAR_HEIGHT}" rx="2"><title>{name}</title>'
                    "</rect>"
                )
            parts.append(
                f'<text class="chart-value" x="{_num(width)}%" dx="6" '
                f'y="{bar_y + BAR_HEIGHT - 3}">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="chart-axis" x1="0" x2="0" y1="{LABEL_HEIGHT - 2}" '
        f'y2="{height - GROUP_GAP}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(chart: Chart) -> str:
    """Lines over ordered categories (dates, weeks), with gridlines and a marker per point.

    The lines are drawn in a stretched inner viewport with non-scaling strokes; markers and
    labels sit in the outer one, positioned in percent, so that nothing is distorted.
    """
    plot_height = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.band:
        values += [*chart.band[0], *chart.band[1]]
    top = nice_ceiling(max(values)) if values and max(values) > 0 else 1.0
    # Values below zero (cash forecast to run out) get an axis reaching down to them.
    lowest = min(values) if values else 0.0
    bottom = -nice_ceiling(-lowest) if lowest < 0 else 0.0
    n = len(chart.categories)

    def x_pct(i: int) -> float:
        return 50.0 if n < 2 else LINE_PAD + i * (100 - 2 * LINE_PAD) / (n - 1)

    def y_px(v: float) -> float:
        return LINE_TOP + plot_height * (top - v) / (top - bottom)

    parts = _open_svg(chart, LINE_HEIGHT, "line")
    steps = _tick_steps(top, chart.value_format) if bottom == 0 else 4
    for k in range(steps + 1):
        tick = bottom + (top - bottom) * k / steps
        y = y_px(tick)
        parts.append(f'<line class="chart-grid" x1="0" x2="100%" y1="{_num(y)}" y2="{_num(y)}"/>')
        # Tick labels sit on their gridline at the left edge, so no fixed gutter is needed.
        parts.append(
            f'<text class="chart-tick" x="0" y="{_num(y - 4)}">'
            f"{escape(format_value(tick, chart.value_format))}</text>"
        )
    # Label about five categories along the axis, few enough for times and dates not to run
    # into each other on a phone; the data table has all of them.
    every = max(1, math.ceil(n / 5))
    for i, category in enumerate(chart.categories):
        # The last category is always labelled, so the regular label just before it is
        # dropped when it would sit close enough to overlap: the last label ends at the edge
        # and runs a whole label's width to the left, so a half-width chart needs 3/4 of a step.
        if (i % every == 0 and n - 1 - i >= every * 3 / 4) or i == n - 1:
            anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
            parts.append(
                f'<text class="chart-tick" x="{_num(x_pct(i))}%" y="{LINE_HEIGHT - 8}" '
                f'text-anchor="{anchor}">{escape(category)}</text>'
            )
    parts.append(
        f'<svg x="0" y="0" width="100%" height="{LINE_HEIGHT}" '
        f'viewBox="0 0 {LINE_VIEW_WIDTH} {LINE_HEIGHT}" preserveAspectRatio="none">'
    )
    if chart.band:
        low, high = chart.band
        edge = [(x_pct(i) * LINE_VIEW_WIDTH / 100, y_px(v)) for i, v in enumerate(high[:n])] + [
            (x_pct(i) * LINE_VIEW_WIDTH / 100, y_px(v))
            for i, v in reversed(list(enumerate(low[:n])))
        ]
        outline = " ".join(f"{_num(x)},{_num(y)}" for x, y in edge)
        parts.append(f'<polygon class="chart-band" points="{outline}"/>')
    if bottom < 0:
        zero = _num(y_px(0))
        parts.append(
            f'<line class="chart-zero" x1="0" x2="{LINE_VIEW_WIDTH}" y1="{zero}" y2="{zero}" '
            'vector-effect="non-scaling-stroke"/>'
        )
    for j, series in enumerate(chart.series):
        colour = series_class(j, len(chart.series))
        points = [
            f"{_num(x_pct(i) * LINE_VIEW_WIDTH / 100)},{_num(y_px(v))}"
            for i, v in enumerate(series.values[:n])
            if v is not None
        ]
        if len(points) > 1:
            parts.append(
                f'<polyline class="{colour.replace("series", "line")}" points="{" ".join(points)}" '
                'fill="none" vector-effect="non-scaling-stroke"/>'
            )
    parts.append("</svg>")
    for j, series in enumerate(chart.series):
        colour = series_class(j, len(chart.series))
        for i, v in enumerate(series.values[:n]):
            if v is None:
                continue
            name = escape(
                f"{series.name}, {chart.categories[i]}: {format_value(v, chart.value_format)}"
            )
            parts.append(
                f'<circle class="{colour}" cx="{_num(x_pct(i))}%" cy="{_num(y_px(v))}" '
                f'r="3.5"><title>{name}</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(chart: Chart) -> str:
    if chart.kind == "line":
        return line_chart_svg(chart)
    return bar_chart_svg(chart)


@register.inclusion_tag("core/chart.html")
def chart(spec: Chart, caption: bool = True) -> dict[str, object]:
    """A figure with the SVG, a legend and the data table."""
    svg: SafeString | None = None
    if not spec.is_empty:
        # Every text in the SVG went through ``html.escape`` above.
        svg = mark_safe(chart_svg(spec))  # noqa: S308
    return {
        "chart": spec,
        "svg": svg,
        "caption": caption,
        "legend": [(s.name, series_class(i, len(spec.series))) for i, s in enumerate(spec.series)],
    }


def bar_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    **options: object,
) -> Chart:
    """Shorthand for views: ``bar_chart("Title", "…", ["PA"], [("2024", [12])])``."""
    return _build("bar", title, description, categories, series, options)


def line_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    **options: object,
) -> Chart:
    return _build("line", title, description, categories, series, options)


def _build(
    kind: Literal["bar", "line"],
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    options: dict[str, object],
) -> Chart:
    value_format = options.get("value_format", "int")
    if value_format not in ("int", "decimal1", "percent", "percent2"):
        raise ValueError(f"Unknown value format {value_format!r}.")
    return Chart(
        kind=kind,
        title=title,
        description=description,
        categories=tuple(categories),
        series=tuple(Series(name, tuple(values)) for name, values in series),
        value_format=value_format,
        category_label=str(options.get("category_label", "")),
        chart_id=str(options.get("chart_id", "")),
        band=_band(options.get("band")),
    )


def _band(value: object) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """``band=(lows, highs)``: two sequences of numbers, one value per category each."""
    if value is None:
        return None
    low, high = cast(tuple[Sequence[float], Sequence[float]], value)
    return tuple(low), tuple(high)
