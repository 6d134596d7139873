"""Properties every answer keeps, over generated scenarios: "allowed" only when nothing is left."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permed_atlas.transfer import Effect, Verdict, assess_transfer, load_rule_sets
from permed_atlas.transfer.fields import FIELDS

RULES = load_rule_sets()
COUNTRIES = ["DE", "FR", "NO", "EU/EEA", "CN", "HK", "US", "JP", "GE", "CH", "BR"]
IDENTIFIABILITY = [None, "identified", "pseudonymised", "anonymised", "aggregate"]
MEASURES = sorted({m for rs in RULES for rule in rs.rules for m in rule.satisfied_by})


def _optional(spec_name: str) -> st.SearchStrategy[Any]:
    spec = next(s for s in FIELDS if s.name == spec_name)
    if spec.kind == "yesno":
        return st.sampled_from([None, True, False])
    if spec.kind == "choice":
        return st.sampled_from([None, *spec.choices])
    if spec.kind == "count":
        return st.sampled_from([None, 0, 1, 499, 501, 9_999, 10_000, 99_999, 100_000, 1_000_000])
    return st.none()


OPTIONAL = [s.name for s in FIELDS if s.kind in {"yesno", "choice", "count"}]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    content = draw(st.lists(st.sampled_from(["health", "genetic", "samples"]), min_size=1,
                            max_size=3, unique=True))  # fmt: skip
    marker = draw(st.sampled_from(IDENTIFIABILITY))
    data = content + ([marker] if marker else [])
    scenario: dict[str, Any] = {
        "from": draw(st.sampled_from(COUNTRIES)),
        "to": draw(st.sampled_from(COUNTRIES)),
        "data": data,
        "measures": draw(st.lists(st.sampled_from(MEASURES), max_size=6, unique=True)),
    }
    for name in OPTIONAL:
        value = draw(_optional(name))
        if value is not None:
            scenario[name] = value
    # Keep most examples consistent: contradictions are refused before any verdict.
    if "aggregate" not in data:
        scenario.pop("small_cells", None)
    if scenario.get("consent") == "none":
        scenario.pop("separate_consent", None)
    if scenario.get("exporter_foreign_controlled"):
        scenario["foreign_party"] = True
    return scenario


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_allowed_only_when_covered_complete_and_every_duty_met(scenario: dict[str, Any]) -> None:
    from permed_atlas.transfer import ScenarioError

    try:
        result = assess_transfer(scenario, rule_sets=RULES)
    except ScenarioError:
        return  # contradictory input is refused naming the field (tested elsewhere)
    outside = {"US", "JP", "GE", "CH", "BR", "HK"}
    if scenario["from"] in outside and scenario["to"] in outside:
        assert result.verdict is Verdict.NOT_COVERED
    if result.verdict is Verdict.ALLOWED:
        assert result.complete and not result.steps
        assert not result.of_effect(Effect.PROHIBITION)
        facts = result.facts
        # China's genetic data abroad: never allowed without the HGR filing or approval.
        if facts["exporter_in_cn"] and not facts["importer_in_cn"] and facts["genetic"]:
            assert {"hgr_filing", "hgr_approval"} & set(scenario["measures"])
        # Health or genetic personal data out of the EEA without adequacy (a partial decision
        # counts for an importer within it only): a safeguard, or an occasional Art. 49
        # derogation, is in place.
        adequate = facts["importer_adequacy"] == "full" or (
            facts["importer_adequacy"] == "partial" and facts["importer_in_adequacy_scope"]
        )
        if facts.get("gdpr_chapter_v") and facts["special_category"] and not adequate:
            occasional = scenario.get("art49_derogation") and scenario.get("occasional_transfer")
            assert occasional or {"scc", "bcr", "art46_2a_instrument"} & set(scenario["measures"])
    for finding in result.findings:
        assert finding.references and all(r.article for r in finding.references)
