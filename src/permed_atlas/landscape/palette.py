"""The one colour palette of the landscape's charts, report and network. Pure, no I/O.

Okabe & Ito's eight colours ("Color Universal Design", 2008, https://jfly.uni-koeln.de/color/)
stay distinguishable for the common colour-vision deficiencies. A chart never needs a ninth:
series beyond the palette are left out with a note instead of reusing a colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from permed_atlas.landscape.regions import CHINA, EU27

BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
NEUTRAL_GREY = "#999999"
"""Not a series colour: nodes or cells that belong to no named group."""

# EU-27 and China keep the same two colours everywhere, so a reader learns them once; yellow
# is last because it is the hardest to see on white.
SERIES_COLOURS = (BLUE, VERMILLION, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, YELLOW)
TOTAL_COLOUR = BLACK
"""The colour of a total line ("all works"), which is not one of the series."""
MAX_SERIES = len(SERIES_COLOURS)


def region_colours(regions: Sequence[str], *, among: Sequence[str] = ()) -> dict[str, str]:
    """A colour per region code: EU-27 blue, China vermillion, the rest in palette order.

    At most :data:`MAX_SERIES` regions get a colour; the caller leaves the others out.
    With ``among`` (every region the corpus is tagged with), a region keeps one colour
    whichever of them a chart shows, as long as the palette has one for each of them;
    otherwise the colours go by the order of ``regions``.

    :param regions: region codes in display order.
    :param among: every region a chart of the same corpus can show.
    """
    fixed = {EU27: BLUE, CHINA: VERMILLION}
    others = sorted({*among, *regions} - fixed.keys())
    if among and len(fixed) + len(others) <= MAX_SERIES:
        free = [c for c in SERIES_COLOURS if c not in fixed.values()]
        stable = fixed | dict(zip(others, free, strict=False))
        return {code: stable[code] for code in regions}
    colours: dict[str, str] = {}
    for code in regions:
        if code in fixed:
            colours[code] = fixed[code]
    free = [c for c in SERIES_COLOURS if c not in colours.values()]
    for code in regions:
        if code not in colours and free:
            colours[code] = free.pop(0)
    return colours


def group_colours(count: int) -> list[str]:
    """Colours for ``count`` unnamed groups (network clusters); groups past the palette are grey.

    :param count: how many groups.
    """
    return [SERIES_COLOURS[i] if i < MAX_SERIES else NEUTRAL_GREY for i in range(count)]
