"""DUO matching compared case by case with the Broad's DUOS (data/duos_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from permed_atlas.transfer import DataUseRequest, load_duo_ontology, match_data_use

CASES_FILE = Path(__file__).parent / "data" / "duos_cases.yaml"
DOC = Path(__file__).resolve().parents[2] / "docs" / "duo.md"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
DUOS_TO_OURS = {"approve": "allowed", "deny": "not_allowed", "abstain": "needs_review"}


@pytest.fixture(scope="module")
def duo():
    return load_duo_ontology()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_gives_the_recorded_outcome(duo, case: dict[str, Any]) -> None:
    match = match_data_use(case["consent"], DataUseRequest(**case["request"]), ontology=duo)
    assert match.outcome == case["ours"], match.reasons
    agrees = DUOS_TO_OURS[case["duos"]] == case["ours"]
    # A disagreement is deliberate only when docs/duo.md explains it.
    assert agrees == ("difference" not in case), case["id"]
    assert len(case["source"]) == 2 and case["source"][0].startswith("src/")


def test_enough_cases_and_every_difference_documented() -> None:
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)
    doc = DOC.read_text(encoding="utf-8")
    for case in CASES:
        if "difference" in case:
            assert f"{{#{case['difference']}}}" in doc, case["difference"]
            assert case["id"] in doc, f"docs/duo.md does not list case {case['id']}"


def test_agreement_figure_is_the_documented_one() -> None:
    agree = sum(DUOS_TO_OURS[c["duos"]] == c["ours"] for c in CASES)
    assert f"agree on {agree} of {len(CASES)}" in DOC.read_text(encoding="utf-8")
