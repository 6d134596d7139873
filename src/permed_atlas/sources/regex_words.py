"""Words a regular expression cannot match without: a cheap pre-check before the regex itself.

The PM keyword rules run on a work's title and rebuilt abstract. Rebuilding every abstract
(decoding its inverted index) to find that none of the rules fires costs more than the
rest of the scan, and in a snapshot most works are not PM. A rule such as
``\\bpharmacogen(omic|etic)s?\\b`` cannot match a text that lacks ``pharmacogen``, and an
abstract word stands verbatim in the index's JSON text, so rows whose title and JSON text
hold none of the needed words can skip the rebuild: no keyword rule fires on them.

:func:`required_words` gives such a set of words (every match of the pattern contains at
least one of them, compared without case) or None when it finds none, and then every row
must be rebuilt and checked: the pre-check may let through rows the rule then rejects, never
the reverse. Only runs of ASCII letters and digits count as words: they contain no
whitespace (so a match lies within one title or abstract word) and JSON writes them as
they are, unless as ``\\u`` escapes, which the caller treats as a possible match.
"""

from __future__ import annotations

import re._constants  # type: ignore[import-not-found,unused-ignore]
import re._parser  # type: ignore[import-not-found,unused-ignore]
from typing import Any

# Python's own regex parser (the deprecated ``sre_parse`` is its old name): private, so it is
# used only as far as the opcodes below, and any surprise means "no words" (a full check).
_p: Any = re._parser
_c: Any = re._constants

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


def required_words(pattern: str) -> frozenset[str] | None:
    """Lower-case ASCII words, one of which every match of ``pattern`` contains; None if unknown.

    :param pattern: a regular expression (the rules' syntax, which Python parses).
    """
    try:
        parsed = _p.parse(pattern)
    except Exception:  # noqa: BLE001 - an unparseable pattern: no pre-check, not an error here
        return None
    return _sequence(list(parsed))


def _strength(words: frozenset[str]) -> int:
    return min(len(word) for word in words)


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best word set of a sequence: every part of it must match, so any part's set will do."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            found.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is _c.LITERAL and arg < 128 and chr(arg).isalnum():
            run.append(chr(arg).lower())
            continue
        close_run()
        part = _item(op, arg)
        if part:
            found.append(part)
    close_run()
    return max(found, key=_strength) if found else None


def _item(op: Any, arg: Any) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(arg))
    if op is _c.BRANCH:  # any alternative may match: each needs a set, and any of them will do
        alternatives = [_sequence(list(branch)) for branch in arg[1]]
        if any(not words for words in alternatives):
            return None
        return frozenset().union(*alternatives)  # type: ignore[arg-type]
    if op in _REPEATS and arg[0] >= 1:  # (min, max, item): the item matches at least once
        return _sequence(list(arg[2]))
    return None
