"""Words a regular expression cannot match without: a cheap pre-check before the regex itself.

The PM keyword rules run on a work's title and rebuilt abstract. Rebuilding every abstract
(decoding its inverted index) to find that none of the rules fires costs more than the
rest of the scan, and in a snapshot most works are not PM. A rule such as
``\\bpharmacogen(omic|etic)s?\\b`` cannot match a text that lacks ``pharmacogen``, and an
abstract word stands verbatim in the index's JSON text, so rows whose title and JSON text
hold none of the needed words can skip the rebuild: no keyword rule fires on them.

:func:`requirement` reads a pattern as a condition on words: a sequence needs every one of
its parts (``precision medicine`` needs ``precision`` and ``medicine``), an alternation one
of its branches; :func:`one_word_of` narrows a condition to one set of words, any of which
the text must hold (a single cheap test to run first). :func:`requirement` gives None when
it finds no condition, and then every row must be rebuilt and checked: the pre-check may
let through rows the rule then rejects, never the reverse. Only runs of ASCII letters,
digits and hyphens count as words: they contain no whitespace (so a match lies within one
title or abstract word) and JSON writes them as they are, unless as ``\\u`` escapes, which
the caller treats as a possible match.
"""

from __future__ import annotations

import re._constants  # type: ignore[import-not-found,unused-ignore]
import re._parser  # type: ignore[import-not-found,unused-ignore]
from dataclasses import dataclass
from typing import Any

# Python's own regex parser (the deprecated ``sre_parse`` is its old name): private, so it is
# used only as far as the opcodes below, and any surprise means "no words" (a full check).
_p: Any = re._parser
_c: Any = re._constants

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
MIN_CONJUNCT = 2
"""A word shorter than this is not worth a test of its own beside the others of a sequence."""


@dataclass(frozen=True)
class Requirement:
    """A condition on the words of a text that every match of a pattern meets.

    ``kind`` is ``"word"`` (the text holds ``word``, compared without case), ``"all"`` (every
    one of ``parts`` holds) or ``"any"`` (one of ``parts`` holds).
    """

    kind: str
    word: str = ""
    parts: tuple[Requirement, ...] = ()

    def words(self) -> frozenset[str]:
        """Every word the condition tests."""
        if self.kind == "word":
            return frozenset({self.word})
        return frozenset().union(*(part.words() for part in self.parts))


def requirement(pattern: str) -> Requirement | None:
    """The condition on words every match of ``pattern`` meets; None if none is found.

    :param pattern: a regular expression (the rules' syntax, which Python parses).
    """
    try:
        parsed = _p.parse(pattern)
    except Exception:  # noqa: BLE001 - an unparseable pattern: no pre-check, not an error here
        return None
    return _sequence(list(parsed))


def one_word_of(need: Requirement) -> frozenset[str]:
    """Words a text meeting ``need`` holds one of: one test that rules most texts out
    before the whole condition is checked (of a sequence, its strongest part's words)."""
    if need.kind == "word":
        return frozenset({need.word})
    if need.kind == "all":
        return max((one_word_of(part) for part in need.parts), key=_strength)
    return frozenset().union(*(one_word_of(part) for part in need.parts))


def _strength(words: frozenset[str]) -> int:
    return min(len(word) for word in words)


def _sequence(items: list[tuple[Any, Any]]) -> Requirement | None:
    """A sequence's condition: every part of it must match, so each part's condition holds."""
    found: list[Requirement] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            found.append(Requirement("word", word="".join(run)))
            run.clear()

    for op, arg in items:
        if op is _c.LITERAL and arg < 128 and chr(arg).lower() in _WORD_CHARACTERS:
            run.append(chr(arg).lower())
            continue
        close_run()
        part = _item(op, arg)
        if part is not None:
            found.append(part)
    close_run()
    return _all_of(found)


def _all_of(found: list[Requirement]) -> Requirement | None:
    if not found:
        return None
    strongest = max(found, key=lambda part: _strength(one_word_of(part)))
    # A one-letter word is in nearly every text: not worth a test.
    kept = [
        part
        for part in dict.fromkeys(found)
        if part == strongest or _strength(one_word_of(part)) >= MIN_CONJUNCT
    ]
    return kept[0] if len(kept) == 1 else Requirement("all", parts=tuple(kept))


def _item(op: Any, arg: Any) -> Requirement | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(arg))
    if op is _c.BRANCH:  # any alternative may match: each needs a condition, one will hold
        alternatives = [_sequence(list(branch)) for branch in arg[1]]
        if any(need is None for need in alternatives):
            return None
        unique = tuple(dict.fromkeys(need for need in alternatives if need is not None))
        return unique[0] if len(unique) == 1 else Requirement("any", parts=unique)
    if op in _REPEATS and arg[0] >= 1:  # (min, max, item): the item matches at least once
        return _sequence(list(arg[2]))
    return None
