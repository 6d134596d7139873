"""Country of an affiliation string, as ISO 3166-1 alpha-2 codes.

PubMed (and old OpenAlex records) give affiliations as free text such as
"Sun Yat-sen University, Guangzhou 510060, P.R. China. Electronic address: x@y.cn".
The rule is simple and explainable: drop e-mail addresses, parenthesised
initials and tokens holding digits (zip codes), then take the right-most
phrase naming a country (pycountry names and common variants) or, failing
that, a well-known city, province or US state. A string with several
institutions separated by ";" yields one country per institution.

An address ending in a US state, Canadian province or Australian state
("Rochester, Minn.", "Calgary, Alberta.", "Adelaide, SA.") is read from that
ending first, before any city name ("Florence, SC." is in the US, not Italy);
the abbreviations are data (``data/places/subdivisions.csv``, with sources), and so are
the country variants and places (``variants.csv``, ``places.csv``, read by
:mod:`permed_atlas.places`).
"China" after Hong Kong, Macao or Taiwan ("Hong Kong SAR, China") gives HK, MO
or TW, each its own ISO 3166-1 code, so region settings can count them apart.

An affiliation written in Chinese ("香港大学，香港，中国") has no spaces between words: its
names are looked for as substrings, the right-most and, where two end together, the
longest ("印度尼西亚" holds "印度"), with the same HK/MO/TW rule; the names are iso-codes'
Chinese country names and the Chinese rows of the place tables.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from permed_atlas.places import country_places, country_variants, subdivisions
from permed_atlas.types import CountryCode

# "Georgia" is a country and a US state; "Jersey" a country and half a US state.
# Neither is taken on its own: Tbilisi and the zip-code rule below decide. The postal
# code GA still counts ("Atlanta, GA 30322"): written in capitals it is only the state.
_AMBIGUOUS = {"georgia"}

_EMAIL = re.compile(r"\S+@\S+")
_ELECTRONIC = re.compile(r"electronic address\s*:?", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)")
_STATE_ZIP = re.compile(r"\b([A-Z]{2})\s*\d{5}(?:-\d{4})?\b")
_WORD = re.compile(r"[a-z']+|[,;]")
# Han characters: an affiliation written in Chinese ("复旦大学附属中山医院，上海 200032，中国")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# the Chinese catalogs of iso-codes (shipped with pycountry), simplified and traditional
_ISO_CHINESE_LOCALES = ("zh_CN", "zh_TW", "zh_HK")


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("\u2019", "'").replace("`", "'").lower()
    return re.sub(r"[.\-/&]", " ", plain)


def _key(name: str) -> str:
    return " ".join(_WORD.findall(_normalise(name)))


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], int]:
    """Phrase -> country code, and the longest phrase in words."""
    import pycountry

    table: dict[str, str] = {}
    for place in country_places():
        if not _CJK.search(place.text):  # Chinese-script names: _cjk_names
            table[_key(place.text)] = place.country
    for state in _us_states()[1]:
        table[_key(state)] = "US"
    for country in pycountry.countries:
        names = {
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        }
        for name in filter(None, names):
            if ", " in name:  # "Korea, Republic of" -> "Republic of Korea"
                head, tail = name.split(", ", 1)
                table.setdefault(_key(f"{tail} {head}"), country.alpha_2)
                continue
            table.setdefault(_key(name), country.alpha_2)
    for variant in country_variants():
        if not _CJK.search(variant.text):
            table[_key(variant.text)] = variant.country
    for name in _AMBIGUOUS:
        table.pop(name, None)
    longest = max(len(phrase.split()) for phrase in table)
    return table, longest


# Sub-national places of their own ISO code that authors often follow with "China".
_OWN_CODE_IN_CHINA = {"HK", "MO", "TW"}


@lru_cache(maxsize=1)
def _cjk_names() -> dict[str, CountryCode]:
    """Country and place names in Chinese script -> country code.

    Every country's name in iso-codes' Chinese catalogs (the names the zh pages show), then
    the Chinese rows of ``variants.csv`` and ``places.csv``, which win.
    """
    import gettext

    import pycountry

    names: dict[str, CountryCode] = {}
    for locale in _ISO_CHINESE_LOCALES:
        try:
            catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except OSError:  # a pycountry build without that catalog
            continue
        for country in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                english = getattr(country, attr, None)
                translated = catalog.gettext(english) if english else ""
                if _CJK.search(translated):
                    names.setdefault(translated, country.alpha_2)
    for place in (*country_variants(), *country_places()):
        if _CJK.search(place.text):
            names[place.text] = place.country
    return names


def _cjk_matches(text: str) -> list[tuple[int, int, CountryCode]]:
    """(end, length, code) of every Chinese name in ``text``."""
    found = []
    for name, code in _cjk_names().items():
        start = text.rfind(name)
        if start >= 0:
            found.append((start + len(name), len(name), code))
    return found


def _cjk_segment_country(text: str) -> CountryCode | None:
    """The country of a Chinese-script affiliation: its right-most name, the longest there.

    No word boundaries in Chinese: "印度尼西亚" holds "印度", so at the same end the longer
    name wins. As in English, "香港大学，香港，中国" is HK: the name just before "中国".
    """
    matches = _cjk_matches(text)
    if not matches:
        return None
    end, length, code = max(matches)
    if code == "CN":
        before = _cjk_matches(text[: end - length])
        if before and (inner := max(before)[2]) in _OWN_CODE_IN_CHINA:
            return inner
    return code


def _fold(text: str) -> str:
    """ "N.Y." -> "ny", "Québec" -> "quebec": lower case, no accents, dots or spaces."""
    return _key(text).replace(" ", "")


@lru_cache(maxsize=1)
def _us_states() -> tuple[frozenset[str], tuple[str, ...]]:
    """The US states' postal codes and full names, from the US rows of subdivisions.csv.

    Names that are also a country (``_AMBIGUOUS``) are left out; their postal code stays.
    """
    rows = [row for row in subdivisions() if row.country == "US"]
    codes = frozenset(row.text for row in rows if row.form == "postal")
    names = tuple(
        row.text for row in rows if row.form == "name" and _key(row.text) not in _AMBIGUOUS
    )
    return codes, names


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(postal code -> countries, folded abbreviation or name -> countries), in file order."""
    postal: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    for row in subdivisions():
        if row.form == "postal":
            countries = postal.setdefault(row.text, [])
        else:
            countries = folded.setdefault(_fold(row.text), [])
        if row.country not in countries:
            countries.append(row.country)
    return (
        {key: tuple(value) for key, value in postal.items()},
        {key: tuple(value) for key, value in folded.items()},
    )


def _subdivision_countries(part: str) -> tuple[str, ...]:
    """The countries whose state, province or territory ``part`` names, most likely first."""
    postal, folded = _subdivisions()
    bare = part.strip().rstrip(".").strip()
    if bare in postal:  # as written: upper case, so "in", "or", "me" are not states
        return postal[bare]
    return folded.get(_fold(bare), ()) if bare else ()


def _scan(words: list[str]) -> tuple[CountryCode, int] | None:
    """The right-most phrase of ``words`` naming a country or place, and where it starts."""
    table, longest = _table()
    for end in range(len(words) - 1, -1, -1):
        if words[end] in ",;":
            continue
        for size in range(min(longest, end + 1), 0, -1):
            phrase = words[end - size + 1 : end + 1]
            if "," in phrase or ";" in phrase:
                continue
            code = table.get(" ".join(phrase))
            if code is not None:
                return code, end - size + 1
    return None


def _words(text: str) -> list[str]:
    return _WORD.findall(_normalise(text))


def _segment_country(segment: str) -> CountryCode | None:
    text = _ELECTRONIC.sub(" ", _EMAIL.sub(" ", segment))
    text = _PARENS.sub(" ", text)
    # Tokens holding digits are zip codes, street numbers or room numbers.
    plain = re.sub(r"\S*\d\S*", " ", text).rstrip(" .;,")
    rest, _, last_part = plain.rpartition(",")
    candidates = _subdivision_countries(last_part)
    if candidates:
        before = _scan(_words(rest))
        # "Perth, WA" is Australia, "Seattle, WA" the US; "Toronto, CA" uses Canada's ISO code.
        if before is not None and (before[0] in candidates or before[0] == last_part.strip()):
            return before[0]
        return candidates[0]
    words = _words(plain)
    found = _scan(words)
    if found is not None:
        code, start = found
        if code == "CN":  # "Hong Kong SAR, China"; but "CUHK, Shenzhen, China" stays CN
            inner = _scan(words[:start])
            if inner is not None and inner[0] in _OWN_CODE_IN_CHINA:
                return inner[0]
        return code
    # US authors often stop at the state: "Detroit, MI." or "Atlanta, GA 30322".
    us_codes = _us_states()[0]
    last_part = text.rstrip(" .;,").rsplit(",", 1)[-1].strip()
    if last_part in us_codes:
        return "US"
    states = [m.group(1) for m in _STATE_ZIP.finditer(text) if m.group(1) in us_codes]
    if states:
        return "US"
    return _cjk_segment_country(segment) if _CJK.search(segment) else None


def _halfwidth(text: str) -> str:
    # Chinese text separates with full-width "；" and "，": NFKC makes them ";" and ","
    return unicodedata.normalize("NFKC", text) if _CJK.search(text) else text


@lru_cache(maxsize=65536)
def countries_from_affiliation(text: str | None) -> tuple[CountryCode, ...]:
    """The countries named by an affiliation string, one per ";"-separated institution.

    :param text: the affiliation as the source gives it; None or "" gives ().
    """
    if not text:
        return ()
    found: list[CountryCode] = []
    for segment in _halfwidth(text).split(";"):
        code = _segment_country(segment)
        if code is not None and code not in found:
            found.append(code)
    return tuple(found)


def country_from_affiliation(text: str | None) -> CountryCode | None:
    """The country of the last institution named in an affiliation string, or None.

    :param text: the affiliation, e.g. "Peking University, Beijing 100871, P.R. China".
    """
    if not text:
        return None
    for segment in reversed(_halfwidth(text).split(";")):
        code = _segment_country(segment)
        if code is not None:
            return code
    return None
