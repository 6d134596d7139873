"""Countries and the jurisdictions the transfer rules speak of.

The legal sets differ from the landscape's bibliometric region sets on
purpose: GDPR applies in the EEA (EU-27 plus Iceland, Liechtenstein and
Norway, through the EEA Agreement), and PIPL treats Hong Kong and Macao as
outside the mainland (a transfer there is cross-border), whatever the
``include_hk_mo_in_china`` setting does for counting publications. These sets
and the EU adequacy decisions are data: ``data/transfer/jurisdictions.yaml``.
The landscape's region sets (EU27, CN, ICPERMED, the user's own) are added
for naming the regions of a country, when that capability provides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from permed_atlas.countries import EU_EEA, eea_members, eu_members, is_iso_code
from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    entry_where,
    read_choice,
    read_list,
    read_mapping,
    read_text,
    read_yaml,
)
from permed_atlas.i18n import Message
from permed_atlas.transfer.errors import RuleFileError, ScenarioError
from permed_atlas.types import CountryCode

LANDSCAPE_REGIONS_DIR = BUNDLED_DATA_DIR / "regions"
BUNDLED_JURISDICTIONS = BUNDLED_DATA_DIR / "transfer" / "_jurisdictions.yaml"


@dataclass(frozen=True, slots=True)
class Adequacy:
    """An EU adequacy decision (GDPR Art. 45) for one country."""

    country: CountryCode
    scope: str  # full | partial
    reference: str
    note: str = ""


@dataclass(frozen=True)
class Jurisdictions:
    """Named country sets (EEA, EU27, CN_MAINLAND, ...) and EU adequacy decisions."""

    sets: dict[str, frozenset[CountryCode]]
    adequacy: dict[CountryCode, Adequacy]
    source: str
    checked: str

    def regions_of(self, country: CountryCode) -> list[str]:
        """The set codes containing ``country``, sorted."""
        return sorted(code for code, members in self.sets.items() if country in members)


def validate_country_code(value: object, *, field: str) -> CountryCode:
    """``value`` as an upper-case ISO 3166-1 alpha-2 code, or ScenarioError naming ``field``.

    :param value: what the user gave.
    :param field: the scenario field, for the error.
    """
    if value is False:
        raise ScenarioError(
            Message('false is not a country; quote Norway as "NO"'),
            field=field,
        )
    if not isinstance(value, str) or len(value.strip()) != 2:
        raise ScenarioError(
            Message(
                "%(value)s is not an ISO 3166-1 alpha-2 country code",
                value=repr(value),
            ),
            field=field,
        )
    code = value.strip().upper()
    if not is_iso_code(code):
        raise ScenarioError(
            Message(
                "unknown country code %(value)s (ISO 3166-1 alpha-2)",
                value=repr(value),
            ),
            field=field,
        )
    return code


def _read_country(value: Any, *, where: Where, field: str) -> CountryCode:
    """``value`` as a country code, or a RuleFileError naming the file and field."""
    if value is None:
        raise where.fail(field, Message("is missing"))
    try:
        return validate_country_code(value, field=field)
    except ScenarioError as exc:
        raise where.fail(field, exc.reason, stated=True) from exc


def _read_countries(value: Any, *, where: Where, field: str) -> list[CountryCode]:
    items = read_list(value, where=where, field=field)
    return [_read_country(item, where=where, field=f"{field}[{i}]") for i, item in enumerate(items)]


def _read_adequacy(value: Any, *, where: Where, field: str) -> Adequacy:
    decision = read_mapping(value, where=where, field=field, required=True)
    country = _read_country(decision.get("country"), where=where, field=f"{field}.country")
    scope = read_choice(decision.get("scope", "full"), where=where, field=f"{field}.scope",
                        choices=("full", "partial"))  # fmt: skip
    reference = read_text(decision.get("reference"), where=where, field=f"{field}.reference")
    note = read_text(decision.get("note"), where=where, field=f"{field}.note", required=False)
    return Adequacy(country, scope, reference or "", note or "")


@lru_cache(maxsize=4)
def load_jurisdictions(path: Path | None = None) -> Jurisdictions:
    """Read the jurisdiction sets and adequacy decisions.

    :param path: a YAML file; the bundled one when None.
    :raises RuleFileError: naming the file and the field (``adequacy[3].scope``).
    """
    source = str(path or BUNDLED_JURISDICTIONS)
    data = read_yaml(Path(source), error=partial(RuleFileError, path=source))
    if not isinstance(data, Mapping):
        raise RuleFileError(Message("must be a mapping with 'sets' and 'adequacy'"), path=source)
    where = entry_where(RuleFileError, path=source)
    sets: dict[str, frozenset[CountryCode]] = {
        str(code): frozenset(_read_countries(members, where=where, field=f"sets.{code}"))
        for code, members in read_mapping(data.get("sets"), where=where, field="sets").items()
    }
    adequacy: dict[CountryCode, Adequacy] = {}
    for index, item in enumerate(read_list(data.get("adequacy"), where=where, field="adequacy")):
        decision = _read_adequacy(item, where=where, field=f"adequacy[{index}]")
        adequacy[decision.country] = decision
    # The EU and the EEA are the countries kit's (from the region data files), so that
    # "EU/EEA" typed as a party and a member state give the same answer, with the parts of
    # member states that have codes of their own (Reunion, the Aland Islands).
    territories = frozenset(
        _read_countries(data.get("eu_territories") or [], where=where, field="eu_territories")
    )
    sets["EU27"] = eu_members() | territories | {EU_EEA}
    sets["EEA"] = eea_members() | territories | {EU_EEA}
    return Jurisdictions(
        sets=sets,
        adequacy=adequacy,
        source=str(data.get("source", "")),
        checked=str(data.get("date_checked", "")),
    )


@lru_cache(maxsize=1)
def default_region_sets() -> Mapping[str, frozenset[CountryCode]]:
    """Region code -> countries: the landscape's bundled region sets plus the legal ones.

    Used to read DUO geographic restrictions such as ``GS=EU27``.
    """
    sets: dict[str, frozenset[CountryCode]] = dict(load_jurisdictions().sets)
    sets.update(_landscape_region_sets())
    return sets


def _landscape_region_sets() -> dict[str, frozenset[CountryCode]]:
    # Read the landscape's bundled region files as data: importing the landscape
    # package would pull in its charting stack (seconds) for three lists of codes.
    # HK and MO count in CN here as the landscape's default setting has them.
    out: dict[str, frozenset[CountryCode]] = {}
    for path in sorted(LANDSCAPE_REGIONS_DIR.glob("*.y*ml")):
        data = read_yaml(path, error=partial(RuleFileError, path=str(path)), what=" region set")
        if not isinstance(data, Mapping) or not isinstance(data.get("code"), str):
            continue
        where = entry_where(RuleFileError, path=str(path))
        members = _read_countries(data.get("countries"), where=where, field="countries")
        listed = read_list(data.get("members"), where=where, field="members")
        for index, member in enumerate(listed):
            if isinstance(member, Mapping):
                field = f"members[{index}].country"
                members.append(_read_country(member.get("country"), where=where, field=field))
        extras = read_mapping(data.get("when_setting"), where=where, field="when_setting")
        for setting, extra in extras.items():
            members += _read_countries(extra, where=where, field=f"when_setting.{setting}")
        out[data["code"]] = frozenset(members)
    return out
