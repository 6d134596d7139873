"""Why a work got its tags: countries with their affiliations, every rule that fired.

This module holds the explanation's models; the queries in :mod:`.store.explain` fill them.
The explanation re-evaluates the rules on the one work with the same DuckDB
regex engine tagging uses (so what it shows is what tagging does), and says
whether the stored tags agree, which tells a reader when to re-run tagging.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry

from permed_atlas.errors import NotFoundError
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.regions import CHINA, EU27, RegionSet
from permed_atlas.types import RegionCode


class WorkNotFoundError(LandscapeError, NotFoundError):
    """No work in the corpus has the given identifier."""


@dataclass(frozen=True, slots=True)
class AffiliationEvidence:
    """One affiliation row that gave a work a country."""

    position: int
    contributor: str | None
    role: str | None
    institution: str | None
    raw_affiliation: str | None


@dataclass(frozen=True, slots=True)
class CountryEvidence:
    """A country of the work, the regions it puts the work in, and where it came from."""

    country_code: str
    country_name: str
    regions: tuple[RegionCode, ...]
    affiliations: tuple[AffiliationEvidence, ...]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired on the work, with what it matched."""

    rule_id: str
    topic: str
    topic_label: str
    kind: str
    pattern: str
    why: str
    matched: tuple[str, ...]
    why_zh: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``permed explain`` shows about one work."""

    work_id: int
    kind: str
    title: str | None
    year: int | None
    identifiers: dict[str, str]
    countries: tuple[CountryEvidence, ...]
    regions: tuple[RegionCode, ...]
    hits: tuple[RuleHit, ...]
    topics: tuple[str, ...]
    pm_relevant: bool
    pm_reason: Message
    eu_cn: bool
    eu_cn_reason: Message
    stored_tags_current: bool
    unknown_country_affiliations: int


def country_name(code: str) -> str:
    """The ISO 3166 name of a country code (the code itself when unknown)."""
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country is not None else code


def country_evidence(
    rows: Iterable[tuple[Any, ...]], region_sets: Sequence[RegionSet]
) -> tuple[tuple[CountryEvidence, ...], int]:
    """The countries of a work with the affiliations naming each, and how many affiliations
    named no country.

    :param rows: (position, name, role, institution, raw affiliation, country code) per
        affiliation, in order.
    :param region_sets: the region sets tagging uses.
    """
    by_country: dict[str, list[AffiliationEvidence]] = {}
    unknown = 0
    for position, name, role, institution, raw, country in rows:
        evidence = AffiliationEvidence(int(position), name, role, institution, raw)
        if country and len(country) == 2:
            by_country.setdefault(country, []).append(evidence)
        else:
            unknown += 1
    countries = tuple(
        CountryEvidence(
            country_code=code,
            country_name=country_name(code),
            regions=tuple(sorted(r.code for r in region_sets if code in r.countries)),
            affiliations=tuple(evidence),
        )
        for code, evidence in sorted(by_country.items())
    )
    return countries, unknown


def pm_reason(pm_hits: Sequence[str]) -> Message:
    """Why a work is PM-relevant or not, from the rules of the ``pm`` topic that fired
    (English as data, translated on the work page)."""
    if pm_hits:
        return Message("PM-relevant because rule(s) %(rules)s fired", rules=", ".join(pm_hits))
    return Message(
        "not PM-relevant: no rule of the 'pm' topic matched its title, abstract or terms"
    )


_NOT_EU_CN = {
    (False, True): gettext_noop("not an EU–China collaboration: no affiliation in EU-27"),
    (True, False): gettext_noop("not an EU–China collaboration: no affiliation in China"),
    (False, False): gettext_noop("not an EU–China collaboration: no affiliation in EU-27 or China"),
}


def eu_cn_verdict(countries: Sequence[CountryEvidence]) -> tuple[bool, Message]:
    """Whether a work is an EU–China collaboration, and why."""
    eu = [c.country_code for c in countries if EU27 in c.regions]
    cn = [c.country_code for c in countries if CHINA in c.regions]
    if eu and cn:
        return True, Message(
            "EU–China collaboration: EU-27 %(eu)s and China %(cn)s",
            eu=", ".join(eu),
            cn=", ".join(cn),
        )
    return False, Message(_NOT_EU_CN[(bool(eu), bool(cn))])
