"""Tokens for the directory's search: lower case, no stop words, light stemming.

The stemmer only folds the endings that split one concept in a few hundred
short summaries (plural -s, -ies, -ing, -ed, British -ise vs American -ize);
a full Porter stemmer would merge "genetic" with "gene", which hurts here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just more most my no nor not of off on once only or other our ours out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your within across among per via using use used new one two three e
    g eg ie etc s
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


# Names that look inflected but are not (ERA PerMed, ICPerMed).
_KEEP = frozenset({"permed", "icpermed", "ic2permed", "sinoeu", "always", "status", "news"})


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The light stem of one lower-case word.

    :param word: a lower-case token.
    """
    if word.isdigit() or len(word) <= 3 or word in _KEEP:
        return word
    word = word.replace("iz", "is")  # personalized -> personalised
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        return _undouble(word[:-2]) if not word.endswith("sed") else word[:-1]
    if word.endswith("es") and word[:-2].endswith(("ss", "x", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _undouble(word: str) -> str:
    # funded -> fund, planned -> plann -> plan
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


def iter_words(text: str) -> Iterator[str]:
    """The lower-case words of ``text`` that are not stop words (hyphenated words split too).

    :param text: any text.
    """
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        parts = re.split(r"[-']", word)
        if len(parts) > 1:
            joined = "".join(parts)
            if joined not in STOP_WORDS:
                yield joined
        for part in parts:
            if part and part not in STOP_WORDS:
                yield part


def tokenize(text: str) -> list[str]:
    """The stems of ``text``'s words, stop words dropped.

    :param text: any text.
    """
    return [stem(word) for word in iter_words(text)]


def surface_forms(text: str) -> dict[str, str]:
    """Each stem of ``text`` mapped to the first word that produced it, for showing matches.

    :param text: any text.
    """
    forms: dict[str, str] = {}
    for word in iter_words(text):
        forms.setdefault(stem(word), word)
    return forms
