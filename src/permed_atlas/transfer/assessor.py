"""Assess a transfer scenario: facts from the scenario, rules from the files, one verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from permed_atlas.countries import EU_EEA, describe_country, localized_country_name
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.transfer.engine import run_rules, scenario_facts
from permed_atlas.transfer.models import Assessment, RuleSet, Scenario
from permed_atlas.transfer.regions import Jurisdictions, default_region_sets, load_jurisdictions
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.scenario import parse_scenario


def known_measures(rule_sets: Sequence[RuleSet]) -> list[str]:
    """Every measure name some rule accepts as discharging an obligation.

    :param rule_sets: loaded rule files.
    """
    return sorted({m for rs in rule_sets for rule in rs.rules for m in rule.satisfied_by})


def regions_of_countries(jurisdictions: Jurisdictions) -> dict[str, list[str]]:
    """Country -> codes of the legal jurisdictions and landscape region sets containing it.

    :param jurisdictions: from :func:`load_jurisdictions`.
    """
    out: dict[str, set[str]] = {}
    for code, members in {**default_region_sets(), **jurisdictions.sets}.items():
        for country in members:
            out.setdefault(country, set()).add(code)
    return {country: sorted(codes) for country, codes in out.items()}


def assess_transfer(
    scenario: Scenario | Mapping[str, Any],
    *,
    rule_sets: Sequence[RuleSet] | None = None,
    rule_dirs: Iterable[Path] = (),
    jurisdictions: Jurisdictions | None = None,
) -> Assessment:
    """List the obligations a planned transfer triggers, what is missing, and a verdict.

    :param scenario: a Scenario, or a mapping of its fields (validated here).
    :param rule_sets: rules already loaded; read from the bundled files and ``rule_dirs`` when None.
    :param rule_dirs: further folders of rule files (amendments, additions).
    :param jurisdictions: the legal country sets and adequacy decisions; bundled when None.

    Example::

        assess_transfer({"from": "DE", "to": "CN", "data": ["genetic"], "purpose": "research"})
    """
    sets = list(rule_sets) if rule_sets is not None else load_rule_sets(rule_dirs)
    if not isinstance(scenario, Scenario):
        scenario = parse_scenario(scenario, known_measures=known_measures(sets))
    places = jurisdictions or load_jurisdictions()
    regions_of = regions_of_countries(places)
    facts, assumptions = scenario_facts(
        scenario,
        regions_of=regions_of,
        adequacy={country: a.scope for country, a in places.adequacy.items()},
    )
    covered, outside, exporter_covered = _coverage(scenario, sets, regions_of)
    # Messages: English in the API and the CLI, translated on the page.
    parties: tuple[str, ...] = (
        Message("from %(country)s", country=PartyCountry(scenario.exporter_country)),
        Message("to %(country)s", country=PartyCountry(scenario.importer_country)),
    )
    if scenario.subjects_country:
        parties += (
            Message(
                "data subjects in %(country)s",
                country=PartyCountry(scenario.subjects_country),
            ),
        )
    return run_rules(
        sets, facts, scenario=scenario, assumptions=assumptions, covered=covered,
        not_covered=outside, parties=parties, exporter_covered=exporter_covered,
    )  # fmt: skip


def _coverage(
    scenario: Scenario, sets: Sequence[RuleSet], regions_of: Mapping[str, Sequence[str]]
) -> tuple[bool, list[str], bool]:
    """Whether some party is in a jurisdiction the rules cover, the parties that are not, and
    whether the exporter is.

    Rule files say what they cover (``covers:``); files that say nothing (a deployment's own
    policy) cover no jurisdiction of their own.
    """
    covers = {code for rs in sets for code in rs.covers}
    if not covers:
        return True, [], True
    inside = {role: bool(covers & set(regions_of.get(code, ())))
              for role, code in (("exporter", scenario.exporter_country),
                                 ("importer", scenario.importer_country))}  # fmt: skip
    outside: list[str] = [
        Message(_OUTSIDE[role], country=PartyCountry(code))
        for role, code in (("exporter", scenario.exporter_country),
                           ("importer", scenario.importer_country))
        if not inside[role]
    ]  # fmt: skip
    return any(inside.values()), outside, inside["exporter"]


_OUTSIDE = {
    "exporter": gettext_noop(
        "the law of %(country)s (exporter) is not in the rule set: check it separately"
    ),
    "importer": gettext_noop(
        "the law of %(country)s (importer) is not in the rule set: check it separately"
    ),
}


@dataclass(frozen=True, slots=True)
class PartyCountry:
    """A party's country in a composed text: "China (CN)", or "中国 (CN)" on a Chinese page."""

    code: str

    def __str__(self) -> str:
        return describe_country(self.code)

    def translated(self) -> str:
        name = str(localized_country_name(self.code))
        return name if self.code == EU_EEA else f"{name} ({self.code})"
