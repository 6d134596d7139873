"""Region sets as data: EU-27, China, ICPerMed members and the user's own.

A region set is a YAML file naming a code, a name, its source and its countries
(ISO 3166-1 alpha-2). The bundled ones live in ``permed_atlas/data/regions/``;
a user adds theirs as ``<data_dir>/regions/<CODE>.yaml`` (by hand or with
``permed regions add``), and a user file with a bundled code replaces it.
Every country is checked against pycountry so that a typo fails loudly,
naming the file and the code, instead of silently tagging nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pycountry
import yaml

from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    entry_where,
    read_list,
    read_mapping,
    read_text,
    read_yaml,
)
from permed_atlas.i18n import Message, require_one_of
from permed_atlas.landscape.errors import RegionError, RegionFileError
from permed_atlas.outputfiles import written_beside
from permed_atlas.settings import Settings, get_settings
from permed_atlas.types import CountryCode, RegionCode

BUNDLED_REGIONS_DIR = BUNDLED_DATA_DIR / "regions"
EU27: RegionCode = "EU27"
CHINA: RegionCode = "CN"
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
_KNOWN_SETTINGS = frozenset({"include_hk_mo_in_china"})


@dataclass(frozen=True, slots=True)
class RegionSet:
    """A named set of countries.

    :param code: the region code used in tags ("EU27", "CN", ...).
    :param name: a human name.
    :param countries: ISO 3166-1 alpha-2 codes, upper case.
    :param source: where the membership comes from.
    :param path: the file it was read from, if any.
    :param name_zh: the name in Chinese ("" until translated; pages then show ``name``, marked).
    """

    code: RegionCode
    name: str
    countries: frozenset[CountryCode]
    source: str = ""
    checked: str | None = None
    path: str | None = None
    user_defined: bool = False
    name_zh: str = ""


def _country_problem(code: object) -> str | None:
    """What is wrong with ``code`` as an ISO 3166-1 alpha-2 code, or None."""
    if code is False:
        # YAML 1.1 reads a bare NO (Norway) as false.
        return 'country false: quote Norway as "NO"'
    if not isinstance(code, str) or not code.strip():
        return f"country {code!r} is not an ISO 3166-1 alpha-2 code"
    value = code.strip().upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        return f"unknown country code {code!r} (ISO 3166-1 alpha-2 expected)"
    return None


def validate_country(code: object, *, where: str) -> CountryCode:
    """Return ``code`` as an upper-case ISO 3166-1 alpha-2 code or raise RegionError.

    :param code: the value read from a file or the command line.
    :param where: the file and field, for the error message.
    """
    problem = _country_problem(code)
    if problem is not None:
        raise RegionError(
            Message("%(where)s: %(problem)s", where=where, problem=problem),
        )
    return str(code).strip().upper()


def _read_country(value: Any, *, where: Where, field: str) -> CountryCode:
    if value is None:
        raise where.fail(field, Message("is missing"))
    problem = _country_problem(value)
    if problem is not None:
        raise where.fail(field, problem, stated=True)
    return str(value).strip().upper()


def _read_countries(value: Any, *, where: Where, field: str) -> set[CountryCode]:
    items = read_list(value, where=where, field=field)
    return {_read_country(item, where=where, field=f"{field}[{i}]") for i, item in enumerate(items)}


def parse_region_set(
    data: Any, *, path: str, settings: Settings | None = None, user_defined: bool = False
) -> RegionSet:
    """Build a RegionSet from the mapping read from one YAML file.

    :param data: the parsed YAML document.
    :param path: the file name, used in every error.
    :param settings: decides the ``when_setting`` extras (e.g. HK and MO in China).
    :param user_defined: whether the file comes from the data directory.
    :raises RegionFileError: naming the file, the region and the field.
    """
    if not isinstance(data, Mapping):
        raise RegionFileError(Message("must be a mapping with code, name and countries"), path=path)
    code = read_text(data.get("code"), where=entry_where(RegionFileError, path=path), field="code")
    if not _CODE.match(code or ""):
        raise RegionFileError(
            Message("%(code)s must be upper-case letters, digits or _", code=repr(code)),
            path=path,
            field="code",
        )
    assert code is not None  # matched above
    where = entry_where(RegionFileError, path=path, entry_id=code)
    countries = _read_countries(data.get("countries"), where=where, field="countries")
    for index, member in enumerate(read_list(data.get("members"), where=where, field="members")):
        field = f"members[{index}]"
        member = read_mapping(member, where=where, field=field, required=True)
        countries.add(_read_country(member.get("country"), where=where, field=f"{field}.country"))
    extras = read_mapping(data.get("when_setting"), where=where, field="when_setting")
    for setting_name, values in extras.items():
        field = f"when_setting.{setting_name}"
        if setting_name not in _KNOWN_SETTINGS:
            raise where.fail(
                field,
                Message(
                    "unknown setting (known: %(value)s)", value=", ".join(sorted(_KNOWN_SETTINGS))
                ),
                stated=True,
            )
        extra = _read_countries(values, where=where, field=field)
        if settings is None or getattr(settings, setting_name):
            countries |= extra
    if not countries:
        raise where.fail(
            "countries", Message("region %(code)s lists no countries", code=code), stated=True
        )
    name_zh = data.get("name_zh")
    if name_zh is not None and not isinstance(name_zh, str):
        raise where.fail("name_zh", Message("must be text (the name in Chinese)"))
    # "checked" stays free text: user files write a date or words ("November 2026")
    checked = str(data["checked"]) if data.get("checked") else None
    return RegionSet(
        code=code,
        name=read_text(data.get("name"), where=where, field="name", required=False) or code,
        countries=frozenset(countries),
        source=read_text(data.get("source"), where=where, field="source", required=False) or "",
        checked=checked,
        path=path,
        user_defined=user_defined,
        name_zh=read_text(name_zh, where=where, field="name_zh", required=False) or "",
    )


def read_region_file(
    path: Path, *, settings: Settings | None = None, user_defined: bool = False
) -> RegionSet:
    """Read one region YAML file.

    :param path: the file.
    :param settings: passed to :func:`parse_region_set`.
    :param user_defined: whether the file comes from the data directory.
    """
    data = read_yaml(path, error=partial(RegionFileError, path=str(path)))
    return parse_region_set(data, path=str(path), settings=settings, user_defined=user_defined)


def user_regions_dir(settings: Settings) -> Path:
    """The folder of the user's own region files."""
    return settings.regions_dir


def load_region_sets(
    settings: Settings, *, extra_dirs: Iterable[Path] = ()
) -> dict[RegionCode, RegionSet]:
    """All region sets: the bundled ones, then the user's (which win on equal codes).

    :param settings: gives the data directory and ``include_hk_mo_in_china``.
    :param extra_dirs: further folders of region files (tests, deployments).
    """
    regions: dict[RegionCode, RegionSet] = {}
    folders = [(BUNDLED_REGIONS_DIR, False), (user_regions_dir(settings), True)]
    folders += [(Path(folder), True) for folder in extra_dirs]
    for folder, user_defined in folders:
        if not folder.is_dir():
            continue
        seen: dict[str, Path] = {}
        for path in sorted(folder.glob("*.y*ml")):
            region = read_region_file(path, settings=settings, user_defined=user_defined)
            if region.code in seen:
                raise RegionFileError(
                    Message("also defined in %(seen)s", seen=seen[region.code]),
                    path=str(path),
                    entry_id=region.code,
                    field="code",
                )
            seen[region.code] = path
            regions[region.code] = region
    return regions


_COUNTRIES_CACHE: dict[tuple[object, ...], dict[RegionCode, frozenset[str]]] = {}


def region_countries(settings: Settings | None = None) -> dict[RegionCode, frozenset[str]]:
    """Each region set's code with its countries (bundled and the user's sets), for the
    capabilities that only check or expand codes (roadmap scopes, directory eligibility).

    Reading and validating the region files costs more than the page that asks, so the
    answer is kept until a region file or the setting changes.

    :param settings: gives the data directory and ``include_hk_mo_in_china``; the
        process settings when None.
    """
    settings = settings or get_settings()
    folders = (BUNDLED_REGIONS_DIR, user_regions_dir(settings))
    stamp = tuple(
        (str(path), path.stat().st_mtime_ns)
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.glob("*.y*ml"))
    )
    key = (str(settings.data_dir.resolve()), settings.include_hk_mo_in_china, stamp)
    cached = _COUNTRIES_CACHE.get(key)
    if cached is None:
        cached = {code: region.countries for code, region in load_region_sets(settings).items()}
        if len(_COUNTRIES_CACHE) > 16:
            _COUNTRIES_CACHE.clear()
        _COUNTRIES_CACHE[key] = cached
    return dict(cached)


def select_regions(
    regions: Mapping[RegionCode, RegionSet], codes: Iterable[str]
) -> list[RegionSet]:
    """The region sets named by ``codes``, or RegionError naming the unknown one.

    :param regions: as returned by :func:`load_region_sets`.
    :param codes: region codes, any case.
    """
    chosen = []
    for code in codes:
        key = code.strip().upper()
        require_one_of(
            "unknown region %(value)s; known regions: %(options)s",
            value=code,
            key=key,
            options=sorted(regions),
            error=RegionError,
        )
        chosen.append(regions[key])
    return chosen


def add_region_set(
    settings: Settings,
    code: str,
    *,
    countries: Iterable[str],
    name: str | None = None,
    source: str = "defined by the user",
    dry_run: bool = False,
) -> RegionSet:
    """Validate and save a user region set as ``<data_dir>/regions/<CODE>.yaml``.

    :param settings: gives the data directory.
    :param code: the new region's code (upper case, digits and _ allowed).
    :param countries: ISO 3166-1 alpha-2 codes.
    :param name: a human name (defaults to the code).
    :param source: where the membership comes from.
    :param dry_run: validate and return the set without writing it.
    """
    path = user_regions_dir(settings) / f"{code.upper()}.yaml"
    document = {
        "code": code.upper(),
        "name": name or code.upper(),
        "source": source,
        "countries": [str(country).strip().upper() for country in countries],
    }
    region = parse_region_set(document, path=str(path), settings=settings, user_defined=True)
    if dry_run:
        return region
    path.parent.mkdir(parents=True, exist_ok=True)
    document["countries"] = sorted(region.countries)
    with written_beside(path) as tmp:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        tmp.write_text(text, encoding="utf-8")
    return region
