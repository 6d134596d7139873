"""The scenario table (tests/transfer/scenarios): verdicts and references from the legal texts.

Each case names the paragraph it rests on, the verdict, the references the answer must cite
(``references``), show still to do (``open``) or met (``met``), and must not cite (``absent``).
``test_agreement`` prints the agreement figure reported in the issue note:
``python -m pytest tests/transfer/test_scenario_table.py -q -s -k agreement``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from permed_atlas.transfer import Effect, Verdict, assess_transfer, load_rule_sets

TABLES = Path(__file__).parent / "scenarios"
ABBREVIATIONS: dict[str, str] = yaml.safe_load(
    (TABLES / "_abbreviations.yaml").read_text(encoding="utf-8")
)
RULES = load_rule_sets()


def _load() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(TABLES.glob("[!_]*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases.append({**case, "table": path.name})
    return cases


CASES = _load()


def _expand(reference: str) -> str:
    law, _, article = reference.partition(", ")
    return f"{ABBREVIATIONS.get(law, law)}, {article}"


def disagreements(case: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(verdict problems, reference problems) of one case against the assessor."""
    result = assess_transfer(case["scenario"], rule_sets=RULES)
    verdict = (
        []
        if result.verdict.value == case["verdict"]
        else [f"verdict {result.verdict.value!r}, table says {case['verdict']!r}"]
    )
    cited = {str(r) for f in result.findings for r in f.references}
    obligations = result.of_effect(Effect.OBLIGATION)
    met = {str(r) for f in obligations if f.satisfied for r in f.references}
    open_ = {str(r) for f in obligations if not f.satisfied for r in f.references}
    refs = []
    for ref in map(_expand, case.get("references", [])):
        if ref not in cited:
            refs.append(f"not cited: {ref}")
    for ref in map(_expand, case.get("open", [])):
        if ref not in open_:
            refs.append(f"not an open step: {ref}")
    for ref in map(_expand, case.get("met", [])):
        if ref not in met:
            refs.append(f"not shown as met: {ref}")
    for ref in map(_expand, case.get("absent", [])):
        if ref in cited:
            refs.append(f"cited but should not be: {ref}")
    for text in case.get("assumed", []):
        if not any(text in a for a in result.assumptions):
            refs.append(f"assumption not printed: {text}")
    return verdict, refs


def test_the_table_has_sixty_cases_each_resting_on_a_paragraph() -> None:
    assert len(CASES) >= 60
    assert len({case["id"] for case in CASES}) == len(CASES)
    verdicts = {v.value for v in Verdict}
    for case in CASES:
        assert case["verdict"] in verdicts, case["id"]
        assert "Art" in case["rests_on"] or "Recital" in case["rests_on"], case["id"]
        assert (
            case.get("references") or case.get("open") or case.get("met") or case.get("absent")
        ), case["id"]
    # every verdict is exercised, so none of them can silently stop being produced
    assert {case["verdict"] for case in CASES} == verdicts


def test_every_reference_in_the_table_is_one_the_rules_cite() -> None:
    # An "absent" reference that no rule cites would pass whatever the assessor does.
    known = {str(r) for rs in RULES for rule in rs.rules for r in rule.references}
    for case in CASES:
        for key in ("references", "open", "met", "absent"):
            for ref in case.get(key, []):
                assert _expand(ref) in known, f"{case['id']}: {key} {ref!r} is cited by no rule"


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(case: dict[str, Any]) -> None:
    verdict, refs = disagreements(case)
    assert not verdict and not refs, verdict + refs


def test_agreement() -> None:
    verdict_ok = refs_ok = 0
    for case in CASES:
        verdict, refs = disagreements(case)
        verdict_ok += not verdict
        refs_ok += not refs
    total = len(CASES)
    print(f"\nscenario table: verdict {verdict_ok}/{total}, references {refs_ok}/{total}")
    assert verdict_ok == refs_ok == total
