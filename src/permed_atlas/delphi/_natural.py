"""Private: natural sort order for codes, so that A2 comes before A10 and P1-9 before P1-10."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key comparing digit runs as numbers and the rest case-insensitively.

    :param code: an item, action or sub-topic code such as ``A10`` or ``P1-02``.
    """
    # (0, number) before (1, text) keeps keys comparable when a digit run meets a letter;
    # isdecimal, as int() reads: a code "²" passes isdigit, and int() failing on a stored
    # code broke every page listing it
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part.casefold())
        for part in _DIGITS.split(code)
        if part
    )
