"""Pure: an indicator's chart as an SVG string (observations, baseline, target, projection, band).

Drawn by hand rather than through a charting library so that the page, the
download and the PNG conversion all use one server-side drawing with no
JavaScript, and so that tests can read it as XML.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from permed_atlas.i18n import gettext, localized
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.roadmap.models import Indicator
from permed_atlas.roadmap.projection import band
from permed_atlas.roadmap.spec import is_percent
from permed_atlas.roadmap.status import Assessment, value_range

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 180, 48, 48
COLOURS = {
    "observation": "#1f4e79",
    "baseline": "#6b6b6b",
    "target": "#b03a2e",
    "projection": "#d68910",
    "band": "#f5cba7",
    "on track": "#1e8449",
    "at risk": "#b9770e",
    "off track": "#b03a2e",
    "insufficient data": "#6b6b6b",
}


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class _Frame:
    """The plot area and the scales from dates and values to its pixels."""

    x_start: int
    x_end: int
    y_low: float
    y_high: float
    step: float
    plot_w: int = WIDTH - LEFT - RIGHT
    plot_h: int = HEIGHT - TOP - BOTTOM

    def x(self, when: date) -> float:
        return LEFT + (when.toordinal() - self.x_start) / (self.x_end - self.x_start) * self.plot_w

    def y(self, value: float) -> float:
        # Not clamped: lines leaving the plot are cut by the clip path, keeping their slope.
        return TOP + (1 - (value - self.y_low) / (self.y_high - self.y_low)) * self.plot_h


def render_chart(assessment: Assessment, *, title: str | None = None) -> str:
    """The indicator's chart as a standalone SVG document.

    :param assessment: the indicator with its points and projection.
    :param title: heading drawn on the chart (default: the indicator's name and scope).
    """
    indicator = assessment.indicator
    projection = assessment.projection
    level = projection.level if projection else 0.9
    start = min(
        [point.when for point in assessment.points]
        + [indicator.baseline_date, indicator.target_date]
    )
    rows = []
    if projection is not None:
        rows = band(projection.trend, start=start, end=indicator.target_date, level=level)
    frame = _frame(assessment, rows)
    name = str(localized(indicator.name, {"zh": indicator.name_zh}))
    out = _heading(assessment, frame, title or name)
    out.extend(_axes(frame, assessment))
    out.extend(_trend(frame, assessment, rows, start=start, level=level))
    out.extend(_target_and_baseline(frame, assessment))
    out.extend(_observations(frame, assessment))
    out.extend(_legend(assessment, level))
    out.append("</svg>")
    return "\n".join(out)


def _frame(assessment: Assessment, rows: list[tuple[date, float, float, float]]) -> _Frame:
    indicator = assessment.indicator
    dates = [point.when for point in assessment.points] + [
        indicator.baseline_date,
        indicator.target_date,
    ]
    start, end = min(dates), max(dates)
    pad = max(30, (end - start).days // 25)
    values = [point.value for point in assessment.points] + [
        indicator.baseline_value,
        indicator.target_value,
    ]
    if assessment.projection is not None:
        values.append(assessment.projection.value)
    for _, _, low, high in rows:
        values += [low, high]
    floor, ceiling = value_range(indicator, assessment.points)
    # The band below a count's 0 is cut by the plot's edge rather than drawn as possible.
    y_low, y_high = max(min(0.0, min(values)), floor), max(values)
    if is_percent(indicator.unit):
        y_high = min(max(y_high, 10.0), ceiling)
    step = _nice_step((y_high - y_low) or 1.0)
    y_low = math.floor(y_low / step) * step
    y_high = math.ceil(y_high / step) * step
    if y_high == y_low:
        y_high = y_low + step
    return _Frame(start.toordinal() - pad, end.toordinal() + pad, y_low, y_high, step)


def _heading(assessment: Assessment, frame: _Frame, heading: str) -> list[str]:
    indicator = assessment.indicator
    subheading = f"{indicator.scope.label()} · {indicator.code}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{escape(heading)}</title>',
        f'<desc id="chart-desc">{escape(_describe(assessment))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(_cut(heading))}</text>',
        f'<text x="{LEFT}" y="37" fill="#555">{escape(_cut(subheading, 100))}</text>',
        f'<clipPath id="plot-area"><rect x="{LEFT}" y="{TOP}" width="{frame.plot_w}" '
        f'height="{frame.plot_h}"/></clipPath>',
    ]


def _axes(frame: _Frame, assessment: Assessment) -> list[str]:
    indicator = assessment.indicator
    plot_w, plot_h = frame.plot_w, frame.plot_h
    out = ['<g class="axes" stroke="#cccccc">']
    tick = frame.y_low
    while tick <= frame.y_high + frame.step / 2:
        ty = frame.y(tick)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" stroke="none" '
            f'fill="#333">{_fmt(tick)}</text>'
        )
        tick += frame.step
    axis_start, axis_end = date.fromordinal(frame.x_start), date.fromordinal(frame.x_end)
    for when in year_ticks(axis_start, axis_end, indicator.target_date):
        tx = frame.x(when)
        out.append(
            f'<line class="year-tick" data-date="{when.isoformat()}" x1="{tx:.1f}" '
            f'x2="{tx:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        )
        out.append(
            f'<text class="year-label" x="{tx:.1f}" y="{TOP + plot_h + 16}" '
            f'text-anchor="middle" stroke="none" fill="#333">{when.year}</text>'
        )
    out.append("</g>")
    if (indicator.target_date.month, indicator.target_date.day) != (1, 1):
        out.append(
            f'<text class="tick-note" x="{LEFT + plot_w}" y="{TOP + plot_h + 32}" '
            f'text-anchor="end" fill="#555">'
            + escape(
                gettext("each tick marks %(day)s of its year, the target's day")
                % {"day": _day_of_year(indicator.target_date)}
            )
            + "</text>"
        )
    mid = TOP + plot_h / 2
    out.append(
        f'<text x="14" y="{mid:.1f}" transform="rotate(-90 14 {mid:.1f})" '
        f'text-anchor="middle">{escape(_unit(indicator))}</text>'
    )
    return out


def _unit(indicator: Indicator) -> str:
    return str(localized(indicator.unit, {"zh": indicator.unit_zh}))


def _day_of_year(day: date) -> str:
    """A day and month without the year, as the page's language writes it: "31 Dec", "12月31日"."""
    return gettext("%(day)s %(month)s") % {
        "day": day.day, "month": gettext(_MONTHS[day.month - 1])
    }  # fmt: skip


_MONTHS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def _trend(
    frame: _Frame,
    assessment: Assessment,
    rows: list[tuple[date, float, float, float]],
    *,
    start: date,
    level: float,
) -> list[str]:
    """The prediction band and the projected trend line."""
    x, y = frame.x, frame.y
    out = []
    interval = gettext("%(level)s prediction interval") % {"level": f"{level:.0%}"}
    if rows:
        upper = " ".join(f"{x(when):.1f},{y(high):.1f}" for when, _, _, high in rows)
        lower = " ".join(f"{x(when):.1f},{y(low):.1f}" for when, _, low, _ in reversed(rows))
        out.append(
            f'<polygon class="band" clip-path="url(#plot-area)" points="{upper} {lower}" '
            f'fill="{COLOURS["band"]}" '
            f'fill-opacity="0.6" stroke="none"><title>{escape(interval)}</title>'
            f"</polygon>"
        )
    projection = assessment.projection
    if projection is not None:
        x0, x1 = start, assessment.indicator.target_date
        out.append(
            f'<line class="projection" clip-path="url(#plot-area)" x1="{x(x0):.1f}" '
            f'y1="{y(projection.trend.value_at(x0)):.1f}" '
            f'x2="{x(x1):.1f}" y2="{y(projection.trend.value_at(x1)):.1f}" '
            f'stroke="{COLOURS["projection"]}" stroke-width="2" stroke-dasharray="6 4">'
            "<title>"
            + escape(
                gettext("linear trend, projected %(value)s at %(date)s")
                % {"value": _fmt(projection.value), "date": x1.isoformat()}
            )
            + "</title></line>"
        )
    return out


def _target_and_baseline(frame: _Frame, assessment: Assessment) -> list[str]:
    indicator = assessment.indicator
    ty = frame.y(indicator.target_value)
    tx = frame.x(indicator.target_date)
    bx, by = frame.x(indicator.baseline_date), frame.y(indicator.baseline_value)
    target = gettext("target %(value)s by %(date)s") % {
        "value": _fmt(indicator.target_value),
        "date": indicator.target_date.isoformat(),
    }
    baseline = gettext("baseline %(value)s on %(date)s") % {
        "value": _fmt(indicator.baseline_value),
        "date": indicator.baseline_date.isoformat(),
    }
    return [
        f'<line class="target-line" x1="{LEFT}" x2="{LEFT + frame.plot_w}" y1="{ty:.1f}" '
        f'y2="{ty:.1f}" stroke="{COLOURS["target"]}" stroke-dasharray="2 3"/>',
        f'<path class="target" d="M{tx:.1f},{ty - 8:.1f} L{tx + 7:.1f},{ty:.1f} L{tx:.1f},'
        f'{ty + 8:.1f} L{tx - 7:.1f},{ty:.1f} Z" fill="{COLOURS["target"]}">'
        f"<title>{escape(target)}</title></path>",
        f'<rect class="baseline" x="{bx - 5:.1f}" y="{by - 5:.1f}" width="10" height="10" '
        f'fill="{COLOURS["baseline"]}"><title>{escape(baseline)}</title></rect>',
    ]


def _observations(frame: _Frame, assessment: Assessment) -> list[str]:
    x, y = frame.x, frame.y
    observed = [p for p in assessment.points if p.when != assessment.indicator.baseline_date]
    out = []
    if observed:
        line = " ".join(f"{x(p.when):.1f},{y(p.value):.1f}" for p in observed)
        out.append(
            f'<polyline points="{line}" fill="none" stroke="{COLOURS["observation"]}" '
            f'stroke-width="1.5"/>'
        )
    out.append('<g class="observations">')
    for point in observed:
        out.append(
            f'<circle class="observation" cx="{x(point.when):.1f}" '
            f'cy="{y(point.value):.1f}" r="4.5" '
            f'fill="{COLOURS["observation"]}" data-date={quoteattr(point.when.isoformat())} '
            f"data-value={quoteattr(_fmt(point.value))}><title>{point.when.isoformat()}: "
            f"{_fmt(point.value)}</title></circle>"
        )
    out.append("</g>")
    return out


def year_ticks(start: date, end: date, target: date) -> list[date]:
    """One tick a year, on the target's day of the year, so the target sits on its year's tick.

    A roadmap's "by 2030" is dated 2030-12-31; ticks on 1 January would put it beside "2031".

    :param start: left edge of the axis.
    :param end: right edge of the axis.
    :param target: the indicator's target date.
    """

    def on(year: int) -> date:
        try:
            return target.replace(year=year)
        except ValueError:  # 29 February in a common year
            return date(year, 2, 28)

    years = [year for year in range(start.year, end.year + 1) if start <= on(year) <= end]
    every = max(1, math.ceil(len(years) / 10))
    # Count back from the target's year so the thinned ticks keep the target's.
    return [on(year) for year in years if (target.year - year) % every == 0]


def _cut(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` Latin letters' width, with an ellipsis when cut.

    A Chinese character is about as wide as two Latin letters: counted as one, an 80-character
    Chinese name ran past the drawing's right edge and was clipped without an ellipsis.
    """
    widths = [2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text]
    if sum(widths) <= limit:
        return text
    kept, used = [], 1  # the ellipsis
    for char, width in zip(text, widths, strict=True):
        if used + width > limit:
            break
        kept.append(char)
        used += width
    return "".join(kept) + "…"


def _legend(assessment: Assessment, level: float) -> list[str]:
    lx = WIDTH - RIGHT + 16
    status = assessment.status
    # The legend is in the current language (the page's, or English for the CLI).
    entries = [
        ("observation", gettext("observations"), "circle"),
        ("baseline", gettext("baseline"), "rect"),
        # "target" alone is the audit log's object of an action; this is the goal.
        ("target", gettext("target value"), "diamond"),
        ("projection", gettext("linear trend"), "line"),
    ]
    if assessment.uncertain:
        trend = gettext("trend (%(n)s pts)") % {"n": assessment.n_points}
        entries[-1] = ("projection", trend, "line")
    if assessment.projection is not None and assessment.projection.has_interval:
        interval = gettext("%(level)s prediction interval") % {"level": f"{level:.0%}"}
        entries.append(("band", interval, "rect"))
    out = ['<g class="legend">']
    for i, (key, label, shape) in enumerate(entries):
        ly = TOP + 10 + i * 20
        colour = COLOURS[key]
        if shape == "circle":
            out.append(f'<circle cx="{lx + 6}" cy="{ly}" r="4.5" fill="{colour}"/>')
        elif shape == "line":
            out.append(
                f'<line x1="{lx}" x2="{lx + 14}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="4 3"/>'
            )
        elif shape == "diamond":
            out.append(
                f'<path d="M{lx + 6},{ly - 6} L{lx + 12},{ly} L{lx + 6},{ly + 6} L{lx},{ly} Z" '
                f'fill="{colour}"/>'
            )
        else:
            out.append(f'<rect x="{lx + 1}" y="{ly - 5}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 20}" y="{ly + 4}">{escape(label)}</text>')
    sy = TOP + 10 + len(entries) * 20 + 12
    out.append(
        f'<text class="status" x="{lx}" y="{sy}" font-weight="bold" '
        f'fill="{COLOURS[status]}">{escape(gettext(status))}</text>'
    )
    if assessment.uncertain:
        # outside the f-string: extraction does not look inside one
        no_interval = escape(gettext("no interval"))
        out.append(
            f'<text class="uncertain" x="{lx}" y="{sy + 16}" fill="#555">'
            + escape(gettext("uncertain: %(n)s points,") % {"n": assessment.n_points})
            + "</text>"
            f'<text x="{lx}" y="{sy + 30}" fill="#555">{no_interval}</text>'
        )
    if assessment.stale and assessment.latest is not None:
        sy += 46 if assessment.uncertain else 16
        # The status above it is where the line led from that point: a reader must see its age.
        out.append(
            f'<text class="stale" x="{lx}" y="{sy}" fill="#555">'
            + escape(gettext("stale: newest point"))
            + f'</text><text x="{lx}" y="{sy + 14}" fill="#555">'
            + escape(assessment.latest.when.isoformat())
            + "</text>"
        )
    out.append("</g>")
    return out


def _describe(assessment: Assessment) -> str:
    indicator = assessment.indicator
    # The chart's accessible description: in the page's language, as its legend is.
    text = gettext(
        "%(n)s points from %(start)s; target %(target)s %(unit)s by %(date)s; "
        "status %(status)s, %(basis)s"
    ) % {
        "n": len(assessment.points),
        "start": indicator.baseline_date.isoformat(),
        "target": _fmt(indicator.target_value),
        "unit": _unit(indicator),
        "date": indicator.target_date.isoformat(),
        "status": gettext(assessment.status),
        "basis": assessment.basis.translated(),
    }
    if assessment.projection is not None:
        text += "; " + gettext("projected %(value)s") % {"value": _fmt(assessment.projection.value)}
    return text
