"""Pure: small inline SVG charts for Delphi pages and reports (no JavaScript, print-friendly).

Each chart carries ``role="img"``, an ``aria-label`` and a ``<title>`` per mark so that
screen readers and hover both get the numbers. Every word is in the current language (a
Chinese report prints Chinese charts); numbers and item codes are not translated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
        # A blank bar would read as a bar still loading, or as ratings in a missing colour.
        parts.append(
            f'<rect width="{width}" height="{height}" fill="#eeeeee"/>'
            f'<text class="no-data" x="{width / 2:.1f}" y="{height * 0.7:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#555">' + escape(gettext("no ratings")) + "</text>"
        )
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
    height = max(len(rows), 1) * (bar_h + gap) + 30
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
        if n_in + n_out + n_none == 0:
            parts.append(
                f'<text class="no-data" x="{left}" y="{y + bar_h * 0.7:.1f}" font-size="12" '
                f'fill="#555">' + escape(gettext("no items")) + "</text>"
            )
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
    if not rows:
        parts.append(
            f'<text class="no-data" x="0" y="{bar_h * 0.7:.1f}" font-size="12" fill="#555">'
            + escape(gettext("no round to show"))
            + "</text>"
        )
    legend_y = max(len(rows), 1) * (bar_h + gap) + 14
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


ROUND_MARKERS = ("#9e9e9e", "#2c7bb6", "#1a9641", "#7b3294")
"""The dot colours of rounds 1, 2, 3 and 4 onwards in the share chart."""


def share_over_rounds_svg(
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    threshold: float,
    width: int = 420,
    n_valid: Mapping[str, Sequence[int | None]] | None = None,
) -> str:
    """Dot plot of each item's share agree per round, with the consensus threshold as a line.

    :param series: (item code, share agree per round 1..n; None when not rated that round).
    :param threshold: the consensus share (e.g. 0.7).
    :param width: width in pixels.
    :param n_valid: item code -> the valid ratings each share rests on, per round.
    """
    row_h, left, right = 18, 60, 20
    rounds = max((len(shares) for _, shares in series), default=0)
    plot_h = len(series) * row_h
    height = plot_h + 34 + (16 if rounds else 0)
    span = width - left - right
    shares_label = gettext("share of 4-5 ratings per item and round")
    parts = [
        f'<svg class="shares" role="img" aria-label="{escape(shares_label, quote=True)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    tx = left + span * threshold
    parts.append(
        f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{plot_h + 10}" stroke="#555" '
        'stroke-dasharray="4 3"/>'
    )
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + span * tick
        parts.append(
            f'<text x="{x:.1f}" y="{plot_h + 26}" font-size="10" text-anchor="middle">'
            f"{tick:.0%}</text>"
        )
    for index, (code, shares) in enumerate(series):
        counts = (n_valid or {}).get(code, ())
        parts.extend(_share_row(code, shares, counts, y=index * row_h + 12, left=left, span=span))
    parts.extend(_round_key(rounds, y=plot_h + 44, left=left))
    parts.append("</svg>")
    return "".join(parts)


def _share_row(
    code: str,
    shares: Sequence[float | None],
    counts: Sequence[int | None],
    *,
    y: int,
    left: int,
    span: int,
) -> list[str]:
    """One item's dots, joined from its first round to its last."""
    parts = [f'<text x="0" y="{y + 4}" font-size="11">{escape(code)}</text>']
    points = [(r, s) for r, s in enumerate(shares, start=1) if s is not None]
    if len(points) > 1:
        x1, x2 = (left + span * points[0][1], left + span * points[-1][1])
        parts.append(f'<line x1="{x1:.1f}" y1="{y}" x2="{x2:.1f}" y2="{y}" stroke="#bbb"/>')
    for number, share in points:
        colour = ROUND_MARKERS[min(number - 1, len(ROUND_MARKERS) - 1)]
        n = counts[number - 1] if number <= len(counts) else None
        # A share of 2 ratings is drawn like one of 40: its base is in the hover title.
        title = gettext("%(code)s round %(n)s: %(share)s") % {
            "code": code, "n": number, "share": f"{share:.0%}"
        } + ("" if n is None else f" (n = {n})")  # fmt: skip
        parts.append(
            f'<circle cx="{left + span * share:.1f}" cy="{y}" r="5" fill="{colour}">'
            f"<title>{escape(title)}</title></circle>"
        )
    return parts


def _round_key(rounds: int, *, y: int, left: int) -> list[str]:
    """Which colour is which round, for every round drawn (the fourth colour is 4 onwards)."""
    parts = []
    for index in range(min(rounds, len(ROUND_MARKERS))):
        last = index == len(ROUND_MARKERS) - 1 and rounds > len(ROUND_MARKERS)
        number = f"{index + 1}+" if last else str(index + 1)
        x = left + index * 80
        parts.append(f'<circle cx="{x + 5}" cy="{y - 4}" r="5" fill="{ROUND_MARKERS[index]}"/>')
        parts.append(
            f'<text class="round-key" x="{x + 14}" y="{y}" font-size="10">'
            + escape(gettext("Round %(n)s") % {"n": number})
            + "</text>"
        )
    return parts
