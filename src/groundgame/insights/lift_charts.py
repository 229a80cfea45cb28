"""The measurement pages' charts, drawn on the server as SVG (no script, no external
library): the turnout model's calibration, and a program's lift with its intervals."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from groundgame.insights.lift_readings import Reading

_SIZE = 240
_PAD = 34


def calibration_svg(bins: list[dict[str, Any]]) -> SafeString:
    """Observed against predicted turnout per bin of the prediction, on the diagonal of a
    perfectly calibrated model; each dot's area follows its number of voters."""
    if not bins:
        return mark_safe("")
    inner = _SIZE - 2 * _PAD
    biggest = max(b["voters"] for b in bins)

    def x(v: float) -> float:
        return round(_PAD + v * inner, 1)

    def y(v: float) -> float:
        return round(_SIZE - _PAD - v * inner, 1)

    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" class="cal-dot"><title>{}% predicted, {}% voted '
        "({} voters)</title></circle>",
        (
            (
                x(b["predicted"]),
                y(b["observed"]),
                round(2.5 + 5.5 * (b["voters"] / biggest) ** 0.5, 1),
                round(100 * b["predicted"]),
                round(100 * b["observed"]),
                b["voters"],
            )
            for b in bins
        ),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="cal-tick">{}%</text><text x="{}" y="{}" class="cal-tick" '
        'text-anchor="end">{}%</text>',
        (
            (x(t), _SIZE - _PAD + 14, round(100 * t), _PAD - 4, y(t) + 4, round(100 * t))
            for t in (0, 0.5, 1)
        ),
    )
    return format_html(
        '<svg class="chart cal-chart" viewBox="0 0 {s} {s}" role="img" aria-label="Calibration: '
        "observed turnout against the model's prediction, by bin\">"
        '<rect x="{p}" y="{p}" width="{i}" height="{i}" class="cal-frame"/>'
        '<line x1="{p}" y1="{b}" x2="{e}" y2="{p}" class="cal-diagonal"/>{}{}'
        '<text x="{m}" y="{s}" class="cal-axis" text-anchor="middle">predicted</text>'
        '<text x="10" y="{m}" class="cal-axis" text-anchor="middle" transform="rotate(-90 10 {m})">'
        "voted</text></svg>",
        ticks,
        dots,
        s=_SIZE,
        p=_PAD,
        i=inner,
        b=_SIZE - _PAD,
        e=_SIZE - _PAD,
        m=_SIZE // 2,
    )


def lift_svg(reading: Reading) -> SafeString:
    """The effect with its clustered 95% interval (and the naive one, thinner, beneath), on a
    scale of points around zero."""
    itt = reading.itt
    values = [itt.interval.low, itt.interval.high, itt.naive.low, itt.naive.high, 0.0]
    span = max(abs(v) for v in values) * 1.2 or 0.01
    # The labels take the left; the scale, centred on zero, the rest.
    width, height, pad, labels = 460, 78, 16, 96
    middle = labels + (width - labels) / 2

    def x(v: float) -> float:
        return round(middle + v / span * ((width - labels) / 2 - pad), 1)

    return format_html(
        '<svg class="chart lift-chart" viewBox="0 0 {w} {h}" role="img" aria-label="Effect '
        '{e} points, 95% interval {lo} to {hi}">'
        '<line x1="{z}" y1="6" x2="{z}" y2="{h2}" class="lift-zero"/>'
        '<line x1="{cl}" y1="26" x2="{ch}" y2="26" class="lift-ci"/>'
        '<line x1="{nl}" y1="44" x2="{nh}" y2="44" class="lift-naive"/>'
        '<circle cx="{ex}" cy="26" r="5" class="lift-point"/>'
        '<text x="{z}" y="{h}" class="lift-tick" text-anchor="middle">0</text>'
        '<text x="{w2}" y="30" class="lift-label">clustered 95%</text>'
        '<text x="{w2}" y="48" class="lift-label">naive</text></svg>',
        w=width,
        h=height - 4,
        h2=height - 18,
        e=round(100 * itt.effect, 2),
        lo=round(100 * itt.interval.low, 2),
        hi=round(100 * itt.interval.high, 2),
        z=x(0.0),
        cl=x(itt.interval.low),
        ch=x(itt.interval.high),
        nl=x(itt.naive.low),
        nh=x(itt.naive.high),
        ex=x(itt.effect),
        w2=4,
    )
