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
the abbreviations are data (``data/places/subdivisions.csv``, with sources).
"China" after Hong Kong, Macao or Taiwan ("Hong Kong SAR, China") gives HK, MO
or TW, each its own ISO 3166-1 code, so region settings can count them apart.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from permed_atlas.types import CountryCode

# Variants authors write that pycountry does not list (keys are normalised: lower
# case, no accents, no dots, hyphens as spaces).
_VARIANTS: dict[str, str] = {
    "china": "CN",
    "pr china": "CN",
    "p r china": "CN",
    "prc": "CN",
    "p r c": "CN",
    "people's republic of china": "CN",
    "peoples republic of china": "CN",
    "the people's republic of china": "CN",
    "peoples r china": "CN",
    "mainland china": "CN",
    "republic of china": "TW",
    "taiwan roc": "TW",
    "roc": "TW",
    "taiwan": "TW",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "hongkong": "HK",
    "macau": "MO",
    "macao": "MO",
    "macao sar": "MO",
    "macau sar": "MO",
    "kowloon": "HK",
    "uk": "GB",
    "u k": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u s a": "US",
    "us": "US",
    "u s": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea republic": "KR",
    "korea south": "KR",
    "rep of korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "russian federation": "RU",
    "iran": "IR",
    "vietnam": "VN",
    "viet nam": "VN",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "czech republic": "CZ",
    "czechia": "CZ",
    "slovak republic": "SK",
    "the netherlands": "NL",
    "netherlands": "NL",
    "holland": "NL",
    "turkey": "TR",
    "turkiye": "TR",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "uae": "AE",
    "u a e": "AE",
    "kingdom of saudi arabia": "SA",
    "ksa": "SA",
    "brunei": "BN",
    "palestine": "PS",
    "macedonia": "MK",
    "north macedonia": "MK",
    "vatican": "VA",
    "kosovo": "XK",
    "espana": "ES",
    "deutschland": "DE",
    "germany": "DE",
    "italia": "IT",
    "brasil": "BR",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "osterreich": "AT",
    "belgique": "BE",
    "belgie": "BE",
    "danmark": "DK",
    "sverige": "SE",
    "norge": "NO",
    "suomi": "FI",
    "polska": "PL",
    "magyarorszag": "HU",
    "ellada": "GR",
    "eire": "IE",
    "mexico": "MX",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "congo": "CG",
}

# Places that identify a country on their own when no country is named. Only
# names that are rarely ambiguous in affiliations (no Cambridge, no Georgia).
_PLACES: dict[str, str] = {
    # China: municipalities, provincial capitals, large cities, provinces
    **dict.fromkeys(
        [
            "beijing",
            "shanghai",
            "guangzhou",
            "shenzhen",
            "wuhan",
            "chengdu",
            "hangzhou",
            "nanjing",
            "tianjin",
            "chongqing",
            "xi'an",
            "xian",
            "harbin",
            "changsha",
            "jinan",
            "qingdao",
            "zhengzhou",
            "shenyang",
            "dalian",
            "suzhou",
            "xiamen",
            "fuzhou",
            "kunming",
            "hefei",
            "nanchang",
            "lanzhou",
            "changchun",
            "taiyuan",
            "shijiazhuang",
            "nanning",
            "guiyang",
            "urumqi",
            "hohhot",
            "yinchuan",
            "xining",
            "lhasa",
            "haikou",
            "wenzhou",
            "ningbo",
            "jingzhou",
            "dongguan",
            "foshan",
            "zhuhai",
            "shantou",
            "xuzhou",
            "wuxi",
            "changzhou",
            "nantong",
            "yangzhou",
            "zhenjiang",
            "guangdong",
            "jiangsu",
            "zhejiang",
            "shandong",
            "henan",
            "hebei",
            "hubei",
            "hunan",
            "sichuan",
            "yunnan",
            "guizhou",
            "fujian",
            "anhui",
            "jiangxi",
            "shanxi",
            "shaanxi",
            "liaoning",
            "jilin",
            "heilongjiang",
            "gansu",
            "qinghai",
            "hainan",
            "guangxi",
            "inner mongolia",
            "ningxia",
            "xinjiang",
            "tibet",
        ],
        "CN",
    ),
    # Europe
    "london": "GB",
    "oxford": "GB",
    "edinburgh": "GB",
    "glasgow": "GB",
    "manchester": "GB",
    "birmingham": "GB",
    "liverpool": "GB",
    "bristol": "GB",
    "leeds": "GB",
    "sheffield": "GB",
    "nottingham": "GB",
    "newcastle upon tyne": "GB",
    "cardiff": "GB",
    "belfast": "GB",
    "paris": "FR",
    "lyon": "FR",
    "marseille": "FR",
    "toulouse": "FR",
    "bordeaux": "FR",
    "lille": "FR",
    "strasbourg": "FR",
    "montpellier": "FR",
    "nantes": "FR",
    "grenoble": "FR",
    "berlin": "DE",
    "munich": "DE",
    "munchen": "DE",
    "hamburg": "DE",
    "frankfurt": "DE",
    "cologne": "DE",
    "koln": "DE",
    "heidelberg": "DE",
    "dresden": "DE",
    "leipzig": "DE",
    "tubingen": "DE",
    "freiburg": "DE",
    "gottingen": "DE",
    "goettingen": "DE",
    "bonn": "DE",
    "dusseldorf": "DE",
    "mainz": "DE",
    "madrid": "ES",
    "barcelona": "ES",
    "seville": "ES",
    "sevilla": "ES",
    "pamplona": "ES",
    "zaragoza": "ES",
    "bilbao": "ES",
    "granada": "ES",
    "rome": "IT",
    "roma": "IT",
    "milan": "IT",
    "milano": "IT",
    "naples": "IT",
    "napoli": "IT",
    "turin": "IT",
    "torino": "IT",
    "bologna": "IT",
    "padua": "IT",
    "padova": "IT",
    "florence": "IT",
    "firenze": "IT",
    "genoa": "IT",
    "genova": "IT",
    "pisa": "IT",
    "amsterdam": "NL",
    "rotterdam": "NL",
    "utrecht": "NL",
    "leiden": "NL",
    "groningen": "NL",
    "nijmegen": "NL",
    "maastricht": "NL",
    "brussels": "BE",
    "bruxelles": "BE",
    "leuven": "BE",
    "ghent": "BE",
    "gent": "BE",
    "antwerp": "BE",
    "liege": "BE",
    "vienna": "AT",
    "wien": "AT",
    "innsbruck": "AT",
    "graz": "AT",
    "zurich": "CH",
    "geneva": "CH",
    "geneve": "CH",
    "basel": "CH",
    "lausanne": "CH",
    "bern": "CH",
    "stockholm": "SE",
    "gothenburg": "SE",
    "goteborg": "SE",
    "uppsala": "SE",
    "lund": "SE",
    "copenhagen": "DK",
    "aarhus": "DK",
    "odense": "DK",
    "helsinki": "FI",
    "oslo": "NO",
    "bergen": "NO",
    "lisbon": "PT",
    "lisboa": "PT",
    "porto": "PT",
    "coimbra": "PT",
    "warsaw": "PL",
    "krakow": "PL",
    "prague": "CZ",
    "brno": "CZ",
    "budapest": "HU",
    "athens": "GR",
    "thessaloniki": "GR",
    "reykjavik": "IS",
    "tallinn": "EE",
    "riga": "LV",
    "vilnius": "LT",
    "ljubljana": "SI",
    "zagreb": "HR",
    "bucharest": "RO",
    "sofia": "BG",
    "luxembourg": "LU",
    "tbilisi": "GE",
    # elsewhere
    "tokyo": "JP",
    "osaka": "JP",
    "kyoto": "JP",
    "seoul": "KR",
    "taipei": "TW",
    "sydney": "AU",
    "melbourne": "AU",
    "brisbane": "AU",
    "perth": "AU",
    "adelaide": "AU",
    "canberra": "AU",
    "hobart": "AU",
    "darwin": "AU",
    "toronto": "CA",
    "montreal": "CA",
    "vancouver": "CA",
    "calgary": "CA",
    "edmonton": "CA",
    "ottawa": "CA",
    "winnipeg": "CA",
    "saskatoon": "CA",
    "new delhi": "IN",
    "mumbai": "IN",
    "tel aviv": "IL",
    "jerusalem": "IL",
    "sao paulo": "BR",
    "moscow": "RU",
    "new york": "US",
    "boston": "US",
    "chicago": "US",
    "los angeles": "US",
    "san francisco": "US",
    "houston": "US",
    "philadelphia": "US",
    "seattle": "US",
    "baltimore": "US",
    "bethesda": "US",
    "pittsburgh": "US",
    "new haven": "US",
}

_US_STATES: dict[str, str] = {
    "AL": "alabama",
    "AK": "alaska",
    "AZ": "arizona",
    "AR": "arkansas",
    "CA": "california",
    "CO": "colorado",
    "CT": "connecticut",
    "DE": "delaware",
    "FL": "florida",
    "GA": "",
    "HI": "hawaii",
    "ID": "idaho",
    "IL": "illinois",
    "IN": "indiana",
    "IA": "iowa",
    "KS": "kansas",
    "KY": "kentucky",
    "LA": "louisiana",
    "ME": "maine",
    "MD": "maryland",
    "MA": "massachusetts",
    "MI": "michigan",
    "MN": "minnesota",
    "MS": "mississippi",
    "MO": "missouri",
    "MT": "montana",
    "NE": "nebraska",
    "NV": "nevada",
    "NH": "new hampshire",
    "NJ": "new jersey",
    "NM": "new mexico",
    "NY": "new york",
    "NC": "north carolina",
    "ND": "north dakota",
    "OH": "ohio",
    "OK": "oklahoma",
    "OR": "oregon",
    "PA": "pennsylvania",
    "RI": "rhode island",
    "SC": "south carolina",
    "SD": "south dakota",
    "TN": "tennessee",
    "TX": "texas",
    "UT": "utah",
    "VT": "vermont",
    "VA": "virginia",
    "WA": "washington",
    "WV": "west virginia",
    "WI": "wisconsin",
    "WY": "wyoming",
    "DC": "district of columbia",
}

# "Georgia" is a country and a US state; "Jersey" a country and half a US state.
# Neither is taken on its own: Tbilisi and the zip-code rule below decide.
_AMBIGUOUS = {"georgia"}

_EMAIL = re.compile(r"\S+@\S+")
_ELECTRONIC = re.compile(r"electronic address\s*:?", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)")
_STATE_ZIP = re.compile(r"\b([A-Z]{2})\s*\d{5}(?:-\d{4})?\b")
_WORD = re.compile(r"[a-z']+|[,;]")


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
    for place, code in _PLACES.items():
        table[_key(place)] = code
    for state in _US_STATES.values():
        if state:
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
    for variant, code in _VARIANTS.items():
        table[_key(variant)] = code
    for name in _AMBIGUOUS:
        table.pop(name, None)
    longest = max(len(phrase.split()) for phrase in table)
    return table, longest


# Sub-national places of their own ISO code that authors often follow with "China".
_OWN_CODE_IN_CHINA = {"HK", "MO", "TW"}


def _fold(text: str) -> str:
    """ "N.Y." -> "ny", "Québec" -> "quebec": lower case, no accents, dots or spaces."""
    return _key(text).replace(" ", "")


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(postal code -> countries, folded abbreviation or name -> countries), in file order."""
    data = resources.files("permed_atlas").joinpath("data/places/subdivisions.csv")
    postal: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(data.read_text(encoding="utf-8"))):
        if row["form"] == "postal":
            countries = postal.setdefault(row["text"], [])
        else:
            countries = folded.setdefault(_fold(row["text"]), [])
        if row["country"] not in countries:
            countries.append(row["country"])
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
    last_part = text.rstrip(" .;,").rsplit(",", 1)[-1].strip()
    if last_part in _US_STATES:
        return "US"
    states = [m.group(1) for m in _STATE_ZIP.finditer(text) if m.group(1) in _US_STATES]
    return "US" if states else None


@lru_cache(maxsize=65536)
def countries_from_affiliation(text: str | None) -> tuple[CountryCode, ...]:
    """The countries named by an affiliation string, one per ";"-separated institution.

    :param text: the affiliation as the source gives it; None or "" gives ().
    """
    if not text:
        return ()
    found: list[CountryCode] = []
    for segment in text.split(";"):
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
    for segment in reversed(text.split(";")):
        code = _segment_country(segment)
        if code is not None:
            return code
    return None
