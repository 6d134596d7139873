"""Countries as people type them: names, ISO codes, aliases and "EU/EEA", resolved to ISO alpha-2.

One kit over pycountry for every capability. Names come from ISO 3166-1 (name,
common and official name, "Korea, Republic of" also as "Republic of Korea");
aliases ("UK", "Russia", "中国"), the names that fit more than one country
("Korea", "Congo") and the EEA's non-EU members are data
(``data/countries/aliases.yaml``); the EU's members are the landscape's region
file ``data/regions/eu27.yaml``. Nothing is guessed: an unknown or ambiguous
input raises :class:`CountryError` naming the field and, where it can, the
candidates. A two-letter input written like the start of a name ("Ge", "Ch")
is refused rather than read as a code (Georgia, Switzerland), because a form
that cut "Germany" and "China" to two letters must not invent jurisdictions.
"""

from __future__ import annotations

import difflib
import gettext
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import (
    DEFAULT_LANGUAGE,
    LocalizedText,
    Message,
    current_language,
    field_message,
    joined,
    lazy_gettext,
    localized,
    with_translations,
)
from permed_atlas.types import CountryCode

__all__ = [
    "EU_EEA",
    "CountryError",
    "country_choices",
    "country_name",
    "describe_country",
    "eea_members",
    "eu_members",
    "is_eea",
    "is_iso_code",
    "iso_codes",
    "iso_name",
    "iso_names",
    "localized_country_name",
    "resolve_country",
]

ALIASES_FILE = BUNDLED_DATA_DIR / "countries" / "aliases.yaml"
EU27_FILE = BUNDLED_DATA_DIR / "regions" / "eu27.yaml"

EU_EEA: CountryCode = "EU"
"""The EU/EEA as a party whose member state is not named (ISO 3166-1 reserves EU for it)."""

EU_EEA_NAME = "EU/EEA (member state not named)"

# pycountry ships the iso-codes project's gettext catalogs; a platform language maps to
# the catalog's locale name (Simplified Chinese as used in mainland China).
_ISO_LOCALES = {"zh": "zh_CN"}


class CountryError(InvalidInputError):
    """A country input that is unknown or fits several countries; ``field`` names the input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(field_message(field, message), field=field)
        self.reason = message


@dataclass(frozen=True)
class _Tables:
    names: dict[str, frozenset[CountryCode]]
    eu_eea_tokens: frozenset[str]
    eu: frozenset[CountryCode]
    eea: frozenset[CountryCode]


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("\u2019", "'").casefold().strip().rstrip(".")
    return re.sub(r"\s+", " ", plain)


def _read_yaml(path: Path) -> Mapping[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: must be a mapping")
    return data


def _known(code: object, *, where: str) -> CountryCode:
    text = str(code).upper()
    if not is_iso_code(text):
        raise ValueError(f"{ALIASES_FILE}: {where}: unknown ISO code {code!r}")
    return text


def is_iso_code(code: str) -> bool:
    """Whether ISO 3166-1 lists ``code`` as an alpha-2 code (in any letter case)."""
    return pycountry.countries.get(alpha_2=code) is not None


@lru_cache(maxsize=1)
def iso_codes() -> frozenset[CountryCode]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


def iso_name(code: CountryCode) -> str | None:
    """ISO 3166-1's display name of ``code`` (the common name where it has one), or None."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=1)
def iso_names() -> tuple[tuple[CountryCode, tuple[str, ...]], ...]:
    """Each country's alpha-2 code with its name, common name and official name (those it has)."""
    return tuple(
        (
            str(country.alpha_2),
            tuple(
                str(value)
                for attr in ("name", "common_name", "official_name")
                if (value := getattr(country, attr, None))
            ),
        )
        for country in pycountry.countries
    )


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = _read_yaml(ALIASES_FILE)
    names: dict[str, set[CountryCode]] = {}
    for alpha_2, values in iso_names():
        for value in values:
            names.setdefault(_key(value), set()).add(alpha_2)
            if ", " in value:  # "Korea, Republic of" is written "Republic of Korea"
                head, tail = value.split(", ", 1)
                names.setdefault(_key(f"{tail} {head}"), set()).add(alpha_2)
                names.setdefault(_key(head), set()).add(alpha_2)
    # A Chinese reader types the names the Chinese form lists (德国, 中国).
    for alpha_2, _values in iso_names():
        for language in _ISO_LOCALES:
            if (translated := _translated_name(alpha_2, language)) is not None:
                names.setdefault(_key(translated), set()).add(alpha_2)
    for alias, code in (data.get("aliases") or {}).items():
        names[_key(str(alias))] = {_known(code, where=f"aliases.{alias}")}
    for name, codes in (data.get("ambiguous") or {}).items():
        names[_key(str(name))] = {_known(c, where=f"ambiguous.{name}") for c in codes}
    eu = frozenset(_known(c, where="eu27") for c in _read_yaml(EU27_FILE).get("countries", []))
    extra = {_known(c, where="eea_non_eu") for c in data.get("eea_non_eu") or []}
    eu_eea_names = data.get("eu_eea_name") or {}
    tokens = frozenset(_key(str(t)) for t in [*(data.get("eu_eea") or []), *eu_eea_names.values()])
    return _Tables(
        names={k: frozenset(v) for k, v in names.items()},
        eu_eea_tokens=tokens,
        eu=eu,
        eea=eu | extra,
    )


def eu_members() -> frozenset[CountryCode]:
    """The EU's member states (from ``data/regions/eu27.yaml``)."""
    return _tables().eu


def eea_members() -> frozenset[CountryCode]:
    """The EEA: the EU's member states plus Iceland, Liechtenstein and Norway."""
    return _tables().eea


def is_eea(code: CountryCode) -> bool:
    """Whether ``code`` is an EEA member state or :data:`EU_EEA` itself."""
    return code == EU_EEA or code in eea_members()


def country_name(code: CountryCode) -> str:
    """The display name of an ISO alpha-2 code ("China"), or the EU/EEA's.

    :param code: from :func:`resolve_country`.
    """
    if code == EU_EEA:
        return EU_EEA_NAME
    return iso_name(code) or code


@lru_cache(maxsize=8)
def _iso_catalog(language: str) -> gettext.NullTranslations | None:
    locale = _ISO_LOCALES.get(language)
    if locale is None:
        return None
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:  # a pycountry build without that catalog: every name falls back
        return None


def _translated_name(code: CountryCode, language: str) -> str | None:
    if code == EU_EEA:
        names = _read_yaml(ALIASES_FILE).get("eu_eea_name") or {}
        text = names.get(language) if isinstance(names, Mapping) else None
        return str(text) if text else None
    country = pycountry.countries.get(alpha_2=code)
    catalog = _iso_catalog(language)
    if country is None or catalog is None:
        return None
    # The catalog is keyed by ISO's English names; the common name ("Taiwan") may have no
    # entry while the formal one does.
    for attr in ("common_name", "name"):
        english = getattr(country, attr, None)
        if english:
            translated = catalog.gettext(str(english))
            if translated != english:
                return translated
    return None


def localized_country_name(code: CountryCode, *, language: str | None = None) -> LocalizedText:
    """The name of ``code`` in the current language (ISO 3166-1 catalogs), else English marked.

    :param code: an ISO alpha-2 code or :data:`EU_EEA`.
    :param language: the language wanted; the current language when None.
    """
    wanted = language or current_language()
    english = country_name(code)
    if wanted == DEFAULT_LANGUAGE:
        return localized(english, language=wanted)
    return localized(english, {wanted: _translated_name(code, wanted) or ""}, language=wanted)


def describe_country(code: CountryCode) -> str:
    """Name and code for echoing input back: "China (CN)", "EU/EEA (member state not named)";
    a :class:`Message` that a page shows in its own language ("中国 (CN)").

    :param code: an ISO alpha-2 code or :data:`EU_EEA`.
    """
    translations = {
        language: (name if code == EU_EEA else f"{name} ({code})")
        for language in _ISO_LOCALES
        if (name := _translated_name(code, language))
    }
    english = EU_EEA_NAME if code == EU_EEA else f"{country_name(code)} ({code})"
    return with_translations(english, translations)


def _either(options: list[str]) -> str:
    """ "A or B or C", the "or" in the reader's language where shown."""
    text = options[0]
    for option in options[1:]:
        text = Message("%(first)s or %(second)s", first=text, second=option)
    return text


def country_choices(*, eu_eea: bool = True) -> list[tuple[str, str]]:
    """(value, label) pairs for a form's autocomplete list, by name in the current language
    (:func:`resolve_country` reads them back); "EU/EEA" first.

    :param eu_eea: offer the EU/EEA as a party without a member state.
    """
    pairs = sorted((str(localized_country_name(code)), code) for code in iso_codes())
    head = [("EU/EEA", str(lazy_gettext("EU/EEA, member state not named")))] if eu_eea else []
    return head + [(name, f"{name} ({code})") for name, code in pairs]


def resolve_country(value: object, *, field: str, allow_eu_eea: bool = False) -> CountryCode:
    """A country name, ISO alpha-2 or alpha-3 code or alias as an ISO alpha-2 code.

    :param value: what the user typed ("Germany", "DE", "deu", "UK", "EU/EEA").
    :param field: the input's name, given in every error.
    :param allow_eu_eea: accept "EU", "EEA", "EU/EEA" as :data:`EU_EEA`.
    :raises CountryError: unknown, ambiguous or truncated-looking input.
    """
    if value is False:  # YAML reads an unquoted NO as false
        raise CountryError(Message('false is not a country; quote Norway as "NO"'), field=field)
    if not isinstance(value, str) or not value.strip():
        raise CountryError(
            Message("%(value)s is not a country name or ISO code", value=repr(value)),
            field=field,
        )
    text = " ".join(value.split())
    tables = _tables()
    key = _key(text)
    if key in tables.eu_eea_tokens:
        if allow_eu_eea:
            return EU_EEA
        raise CountryError(
            Message("%(text)s is not one country; name the member state", text=repr(text)),
            field=field,
        )
    if len(text) == 2 and text.isascii() and text.isalpha():
        alias = tables.names.get(key)
        if not is_iso_code(text.upper()) and alias and len(alias) == 1:
            return next(iter(alias))  # "UK", "EL": aliases, not ISO codes
        return _by_code(text, field=field)
    if len(text) == 3 and text.isascii() and text.isalpha() and text.upper() == text:
        found = pycountry.countries.get(alpha_3=text)
        if found is not None:
            return str(found.alpha_2)
    codes = tables.names.get(key)
    if codes and len(codes) == 1:
        return next(iter(codes))
    if codes:
        options = joined([describe_country(c) for c in sorted(codes)], ", ")
        raise CountryError(
            Message(
                "%(text)s fits more than one country: %(options)s",
                text=repr(text),
                options=options,
            ),
            field=field,
        )
    if len(text) == 3 and text.isascii() and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        if found is not None:
            return str(found.alpha_2)
    close = difflib.get_close_matches(key, list(tables.names), n=3, cutoff=0.8)
    if close:
        raise CountryError(
            Message(
                "unknown country %(text)s (give a name or ISO code); did you mean %(options)s?",
                text=repr(text),
                options=_either([describe_country(sorted(tables.names[c])[0]) for c in close]),
            ),
            field=field,
        )
    raise CountryError(
        Message("unknown country %(text)s (give a name or ISO code)", text=repr(text)),
        field=field,
    )


def _unknown_code(text: str) -> Message:
    return Message("unknown country code %(text)s (ISO 3166-1 alpha-2)", text=repr(text))


def _by_code(text: str, *, field: str) -> CountryCode:
    # "Ge"/"Ch" are how a name cut to two letters looks; codes are written "GE" or "ge".
    if not (text.isupper() or text.islower()):
        raise CountryError(
            Message(
                "%(text)s looks like a shortened name; give the full name or the "
                "code in capitals (%(code)s is %(name)s)",
                text=repr(text),
                code=text.upper(),
                name=country_name(text.upper()),
            )
            if is_iso_code(text.upper())
            else Message("%(text)s is neither a country name nor an ISO code", text=repr(text)),
            field=field,
        )
    code = text.upper()
    if not is_iso_code(code):
        raise CountryError(_unknown_code(text), field=field)
    return code
