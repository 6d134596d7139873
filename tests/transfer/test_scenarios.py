"""The scenario table: expected obligations written from the legal texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from permed_atlas.transfer import assess_transfer, load_rule_sets

TABLE = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))
CASES = TABLE["cases"]
RULES = load_rule_sets()


def test_the_table_has_at_least_thirty_cases_and_cites_articles() -> None:
    assert len(CASES) >= 30
    assert len({case["id"] for case in CASES}) == len(CASES)
    for case in CASES:
        assert "Art" in case["why"] or "Recital" in case["why"], case["id"]


def test_every_rule_named_in_the_table_exists() -> None:
    ids = {rule.id for rule_set in RULES for rule in rule_set.rules}
    for case in CASES:
        for rule_id in case.get("fires", []) + case.get("not_fires", []):
            assert rule_id in ids, f"{case['id']}: unknown rule {rule_id}"


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_scenario(case: dict) -> None:
    result = assess_transfer(case["scenario"], rule_sets=RULES)
    fired = {f.rule_id for f in result.findings}
    missing = set(case.get("fires", [])) - fired
    assert not missing, f"expected to fire: {sorted(missing)}; fired: {sorted(fired)}"
    wrong = set(case.get("not_fires", [])) & fired
    assert not wrong, f"must not fire: {sorted(wrong)}"
    assert result.verdict.value == case["verdict"], [
        (f.rule_id, f.effect.value, f.satisfied) for f in result.findings
    ]
    if "missing_contains" in case:
        assert any(case["missing_contains"] in m for m in result.missing)
    for finding in result.findings:
        assert finding.reference.article and finding.explanation and finding.date_checked
