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
from permed_atlas.datafiles import read_yaml
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.transfer.errors import RuleFileError, ScenarioError
from permed_atlas.types import CountryCode

LANDSCAPE_REGIONS_DIR = Path(__file__).resolve().parents[1] / "data" / "regions"
BUNDLED_JURISDICTIONS = (
    Path(__file__).resolve().parents[1] / "data" / "transfer" / "_jurisdictions.yaml"
)


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
            Message(gettext_noop("false is not a country; quote Norway as \"NO\"")),
            field=field,
        )
    if not isinstance(value, str) or len(value.strip()) != 2:
        raise ScenarioError(
            Message(
                gettext_noop("%(value)s is not an ISO 3166-1 alpha-2 country code"),
                value=repr(value),
            ),
            field=field,
        )
    code = value.strip().upper()
    if not is_iso_code(code):
        raise ScenarioError(
            Message(
                gettext_noop("unknown country code %(value)s (ISO 3166-1 alpha-2)"),
                value=repr(value),
            ),
            field=field,
        )
    return code


def _file_country(value: object, *, path: Path | str, field: str) -> CountryCode:
    """``value`` as a country code, or a RuleFileError naming the file and field."""
    try:
        return validate_country_code(value, field=field)
    except ScenarioError as exc:
        raise RuleFileError(exc.reason, path=str(path), field=field) from exc


@lru_cache(maxsize=4)
def load_jurisdictions(path: Path | None = None) -> Jurisdictions:
    """Read the jurisdiction sets and adequacy decisions.

    :param path: a YAML file; the bundled one when None.
    """
    source = path or BUNDLED_JURISDICTIONS
    data = read_yaml(Path(source), error=lambda message: RuleFileError(message, path=str(source)))
    if not isinstance(data, Mapping):
        raise RuleFileError("must be a mapping with 'sets' and 'adequacy'", path=str(source))
    sets: dict[str, frozenset[CountryCode]] = {}
    for code, members in (data.get("sets") or {}).items():
        checked = []
        for index, member in enumerate(members or []):
            checked.append(_file_country(member, path=source, field=f"sets.{code}[{index}]"))
        sets[str(code)] = frozenset(checked)
    adequacy: dict[CountryCode, Adequacy] = {}
    for index, entry in enumerate(data.get("adequacy") or []):
        where = f"adequacy[{index}]"
        if not isinstance(entry, Mapping) or not entry.get("country") or not entry.get("reference"):
            raise RuleFileError("needs country and reference", path=str(source), field=where)
        country = _file_country(entry["country"], path=source, field=f"{where}.country")
        scope = str(entry.get("scope", "full"))
        if scope not in {"full", "partial"}:
            raise RuleFileError(
                "scope must be full or partial", path=str(source), field=f"{where}.scope"
            )
        adequacy[country] = Adequacy(
            country, scope, str(entry["reference"]), str(entry.get("note", ""))
        )
    # The EU and the EEA are the countries kit's (from the region data files), so that
    # "EU/EEA" typed as a party and a member state give the same answer.
    sets["EU27"] = eu_members() | {EU_EEA}
    sets["EEA"] = eea_members() | {EU_EEA}
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
        codes: list[Any] = list(data.get("countries") or [])
        codes += [m.get("country") for m in data.get("members") or [] if isinstance(m, Mapping)]
        for extra in (data.get("when_setting") or {}).values():
            codes += list(extra or [])
        members = set()
        for index, code in enumerate(codes):
            members.add(_file_country(code, path=path, field=f"countries[{index}]"))
        out[data["code"]] = frozenset(members)
    return out
