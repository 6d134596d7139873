"""Finding the countries a question speaks of: names, demonyms, places and a few abbreviations.

Names come from ISO 3166-1 via :mod:`permed_atlas.countries` (name, common
and official name), so any country is found; demonyms and abbreviations
("German", "Chinese", "EU", "PRC") come from
``data/helpdesk/_jurisdictions.yaml``; cities and provinces that identify their
country on their own ("Shanghai", "Heidelberg", "广州") come from the shared
place tables (:mod:`permed_atlas.places`, ``data/places/places.csv``), so that
"samples from a hospital in Shanghai to Heidelberg" is a flow from China to
Germany. Abbreviations match only in capitals because "US" and "us", "IT" and
"it" differ. A few names that are also common English words ("Turkey", "Chad")
match only when capitalised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from permed_atlas.countries import iso_names
from permed_atlas.helpdesk.models import CountryMention

_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD_NAMES = frozenset({"chad", "jordan", "turkey", "georgia", "guinea", "niger", "mali",
                         "cuba", "peru", "oman", "togo"})  # fmt: skip


# Place names that in a question more often name something else: a people ("Roma
# patients"), a person ("Sofia", "Darwin").
_NOT_PLACES_IN_PROSE = frozenset({"roma", "sofia", "darwin"})


@lru_cache(maxsize=1)
def _place_phrases() -> dict[str, str]:
    from permed_atlas.places import country_places  # read only when a question is

    return {
        place.text: place.country
        for place in country_places()
        if place.text not in _NOT_PLACES_IN_PROSE
    }


@lru_cache(maxsize=1)
def _country_phrases() -> dict[str, str]:
    phrases: dict[str, str] = {}
    for alpha_2, values in iso_names():
        for value in values:
            phrase = value.lower()
            phrases.setdefault(phrase, alpha_2)
            # "Korea, Republic of" is written "Republic of Korea" in prose.
            if ", " in phrase:
                head, tail = phrase.split(", ", 1)
                phrases.setdefault(f"{tail} {head}", alpha_2)
                phrases.setdefault(head, alpha_2)
    return phrases


@lru_cache(maxsize=8)
def _matcher(
    demonyms: tuple[tuple[str, str], ...], abbreviations: tuple[tuple[str, str], ...]
) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str] | None, dict[str, str]]:
    # A country's own name wins over a place written the same ("Luxembourg", "Singapore").
    phrases = {**_place_phrases(), **_country_phrases(), **dict(demonyms)}
    ordered = sorted(phrases, key=len, reverse=True)
    # Chinese is written without spaces, so a Chinese name needs no word boundary around it.
    latin = [re.escape(p) for p in ordered if not _HAN.search(p)]
    han = [re.escape(p) for p in ordered if _HAN.search(p)]
    alternatives = r"(?<!\w)(?:" + "|".join(latin) + r")(?!\w)"
    if han:
        alternatives += "|" + "|".join(han)
    pattern = re.compile(f"({alternatives})", re.IGNORECASE)
    abbr = dict(abbreviations)
    abbr_pattern = (
        re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in abbr) + r")(?!\w)")
        if abbr
        else None
    )
    return pattern, phrases, abbr_pattern, abbr


def detect_countries(
    text: str,
    *,
    demonyms: Mapping[str, str],
    abbreviations: Mapping[str, str] | None = None,
) -> list[CountryMention]:
    """Every country mention in ``text``, in order of appearance (longest phrase wins).

    :param text: the question.
    :param demonyms: lower-case word or phrase -> jurisdiction code ("german" -> "DE").
    :param abbreviations: case-sensitive abbreviations ("EU" -> "EU", "PRC" -> "CN").
    """
    pattern, phrases, abbr_pattern, abbr = _matcher(
        tuple(sorted(demonyms.items())), tuple(sorted((abbreviations or {}).items()))
    )
    found: list[CountryMention] = []
    taken: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        words = match.group(1)
        if words.lower() in _WORD_NAMES and not words[0].isupper():
            continue
        found.append(CountryMention(phrases[words.lower()], words, match.start(1), match.end(1)))
        taken.append((match.start(1), match.end(1)))
    if abbr_pattern is not None:
        for match in abbr_pattern.finditer(text):
            if any(start < match.end(1) and match.start(1) < end for start, end in taken):
                continue
            found.append(CountryMention(abbr[match.group(1)], match.group(1), match.start(1),
                                        match.end(1)))  # fmt: skip
    return sorted(found, key=lambda m: m.start)


def unique_codes(mentions: list[CountryMention]) -> tuple[str, ...]:
    """The codes of ``mentions``, each once, in order of first mention.

    :param mentions: from :func:`detect_countries`.
    """
    return tuple(dict.fromkeys(m.code for m in mentions))
