"""Pure: small inline SVG charts for Delphi pages and reports (no JavaScript, print-friendly).

Each chart carries ``role="img"``, an ``aria-label`` and a ``<title>`` per mark so that
screen readers and hover both get the numbers. Every word is in the current language (a
Chinese report prints Chinese charts); numbers and item codes are not translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from permed_atlas.i18n import gettext
from permed_atlas.i18n import gettext_noop as N_

# ColorBrewer RdYlBu (5 classes), reversed so that 5 ("extremely relevant") is blue.
LIKERT_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
VERDICT_COLOURS = {"include": "#2c7bb6", "exclude": "#d7191c", "none": "#bdbdbd"}
VERDICT_LABELS = {
    "include": N_("consensus: include"),
    "exclude": N_("consensus: exclude"),
    "none": N_("no consensus"),
}


def distribution_svg(
    counts: Sequence[int],
    *,
    n_no_opinion: int = 0,
    width: int = 260,
    height: int = 22,
    label: str | None = None,
) -> str:
    """A horizontal bar split into the shares of ratings 1..5.

    :param counts: counts of ratings 1..5.
    :param n_no_opinion: "no opinion" answers, shown in the label only.
    :param width: width in pixels.
    :param height: height in pixels.
    :param label: what the bar shows, for the accessible name (default: "ratings").
    """
    total = sum(counts)
    summary = ", ".join(f"{i + 1}: {c}" for i, c in enumerate(counts))
    text = gettext("%(label)s: %(summary)s; no opinion: %(n)s") % {
        "label": gettext("ratings") if label is None else label,
        "summary": summary,
        "n": n_no_opinion,
    }
    aria = escape(text, quote=True)
    parts = [
        f'<svg class="dist" role="img" aria-label="{aria}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if total == 0:
        parts.append(f'<rect width="{width}" height="{height}" fill="#eeeeee"/>')
    x = 0.0
    for value, count in enumerate(counts, start=1):
        if count == 0:
            continue
        w = width * count / total
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" '
            f'fill="{LIKERT_COLOURS[value - 1]}">'
            f"<title>{value}: {count} ({count / total:.0%})</title></rect>"
        )
        if w >= 16:
            parts.append(
                f'<text x="{x + w / 2:.2f}" y="{height * 0.7:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#111">{count}</text>'
            )
        x += w
    parts.append("</svg>")
    return "".join(parts)


def verdicts_over_rounds_svg(rows: Sequence[tuple[int, int, int, int]], *, width: int = 420) -> str:
    """Stacked bars per round of items with inclusion, exclusion and no consensus.

    :param rows: (round number, n include, n exclude, n none) per round.
    :param width: width in pixels.
    """
    bar_h, gap, left = 26, 10, 70
    height = len(rows) * (bar_h + gap) + 30
    top = max((sum(r[1:]) for r in rows), default=1) or 1
    summary = "; ".join(
        gettext("round %(r)s: %(i)s included, %(e)s excluded, %(n)s without consensus")
        % {"r": r, "i": i, "e": e, "n": n}
        for r, i, e, n in rows
    )
    parts = [
        f'<svg class="verdicts" role="img" aria-label="{escape(summary, quote=True)}" '
        f'width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (number, n_in, n_out, n_none) in enumerate(rows):
        y = index * (bar_h + gap)
        round_label = escape(gettext("Round %(n)s") % {"n": number})
        parts.append(f'<text x="0" y="{y + bar_h * 0.7:.1f}" font-size="12">{round_label}</text>')
        x = float(left)
        for kind, count in (("include", n_in), ("exclude", n_out), ("none", n_none)):
            if count == 0:
                continue
            w = (width - left - 10) * count / top
            parts.append(
                f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" '
                f'fill="{VERDICT_COLOURS[kind]}">'
                f"<title>{escape(gettext(VERDICT_LABELS[kind]))}: {count}</title></rect>"
            )
            if w >= 16:
                fill = "#fff" if kind != "none" else "#111"
                parts.append(
                    f'<text x="{x + w / 2:.2f}" y="{y + bar_h * 0.68:.1f}" font-size="12" '
                    f'text-anchor="middle" fill="{fill}">{count}</text>'
                )
            x += w
    legend_y = len(rows) * (bar_h + gap) + 14
    for i, (kind, text) in enumerate(VERDICT_LABELS.items()):
        lx = left + i * 112
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{VERDICT_COLOURS[kind]}"/>'
        )
        parts.append(
            f'<text x="{lx + 14}" y="{legend_y}" font-size="10">{escape(gettext(text))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def share_over_rounds_svg(
    series: Sequence[tuple[str, Sequence[float | None]]], *, threshold: float, width: int = 420
) -> str:
    """Dot plot of each item's share agree per round, with the consensus threshold as a line.

    :param series: (item code, share agree per round 1..n; None when not rated that round).
    :param threshold: the consensus share (e.g. 0.7).
    :param width: width in pixels.
    """
    row_h, left, right = 18, 60, 20
    height = len(series) * row_h + 34
    span = width - left - right
    shares_label = gettext("share of 4-5 ratings per item and round")
    parts = [
        f'<svg class="shares" role="img" aria-label="{escape(shares_label, quote=True)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    tx = left + span * threshold
    parts.append(
        f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{height - 24}" stroke="#555" '
        'stroke-dasharray="4 3"/>'
    )
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + span * tick
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
            f"{tick:.0%}</text>"
        )
    markers = ("#9e9e9e", "#2c7bb6", "#1a9641", "#7b3294")  # rounds 1, 2, 3, 4+
    for index, (code, shares) in enumerate(series):
        y = index * row_h + 12
        parts.append(f'<text x="0" y="{y + 4}" font-size="11">{escape(code)}</text>')
        points = [(r, s) for r, s in enumerate(shares, start=1) if s is not None]
        if len(points) > 1:
            x1, x2 = (left + span * points[0][1], left + span * points[-1][1])
            parts.append(f'<line x1="{x1:.1f}" y1="{y}" x2="{x2:.1f}" y2="{y}" stroke="#bbb"/>')
        for number, share in points:
            colour = markers[min(number - 1, len(markers) - 1)]
            parts.append(
                f'<circle cx="{left + span * share:.1f}" cy="{y}" r="5" fill="{colour}">'
                "<title>"
                + escape(
                    gettext("%(code)s round %(n)s: %(share)s")
                    % {"code": code, "n": number, "share": f"{share:.0%}"}
                )
                + "</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)
