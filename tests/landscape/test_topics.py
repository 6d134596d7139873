from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.landscape.errors import TaggingRuleError
from permed_atlas.landscape.topics import PM_TOPIC, load_rules, normalise_class, rules_path_for

REQUIRED_TOPICS = {
    "oncology",
    "rare_diseases",
    "cardiovascular",
    "metabolic_diabetes",
    "infectious_diseases",
    "neurology_mental_health",
    "pharmacogenomics",
    "omics_genomics",
    "biomarkers_diagnostics",
    "ai_data",
    "tcm",
    "biobanks",
}


def test_bundled_rules_cover_every_topic_with_reasons() -> None:
    rules = load_rules()
    assert {topic.code for topic in rules.topics} == REQUIRED_TOPICS | {PM_TOPIC}
    fired_topics = {rule.topic for rule in rules.rules}
    assert fired_topics == REQUIRED_TOPICS | {PM_TOPIC}
    assert len({rule.id for rule in rules.rules}) == len(rules.rules)
    assert all(rule.why for rule in rules.rules)
    pm_kinds = {rule.kind for rule in rules.rules if rule.topic == PM_TOPIC}
    assert {"keyword", "mesh", "concept", "cpc"} <= pm_kinds
    assert rules.rule("pm-mesh-precision-medicine").pattern.startswith("^(Precision Medicine")


def test_class_codes_are_normalised() -> None:
    assert normalise_class("c12q 1/6886") == "C12Q1/6886"


RULE = "  - {id: r1, topic: pm, kind: keyword, pattern: 'x', why: 'because'}\n"
HEAD = "topics:\n  pm: {label: PM}\nrules:\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "  - {id: r1, topic: pm, kind: keyword, why: w}\n",
            "rule 'r1', field 'pattern': is missing",
        ),
        (
            HEAD + "  - {id: r1, topic: pm, kind: smell, pattern: x, why: w}\n",
            "rule 'r1', field 'kind': 'smell' is not one of",
        ),
        (HEAD + "  - {id: r1, topic: nope, kind: keyword, pattern: x, why: w}\n", "field 'topic'"),
        (
            HEAD + "  - {id: r1, topic: pm, kind: keyword, pattern: [x], why: w}\n",
            "rule 'r1', field 'pattern': must be text",
        ),
        ("topics:\n  pm: {label: [a]}\nrules:\n" + RULE, "field 'topics.pm.label': must be text"),
        (
            HEAD + "  - {id: r1, topic: pm, kind: keyword, pattern: '(', why: w}\n",
            "not a valid regex",
        ),
        (
            HEAD + "  - {id: r1, topic: pm, kind: cpc, pattern: 'hello', why: w}\n",
            "not a cpc prefix",
        ),
        (HEAD + "  - {id: r1, topic: pm, kind: keyword, pattern: x}\n", "field 'why'"),
        (HEAD + RULE + RULE, "rule 'r1', field 'id': is used twice"),
        (
            HEAD + "  - {topic: pm, kind: keyword, pattern: x, why: w}\n",
            r"field 'rules\[0\]\.id': is missing",
        ),
        ("topics:\n  onc: {label: O}\nrules:\n" + RULE, "reserved topic 'pm'"),
        ("rules: [\n", "cannot read"),
        (HEAD, "field 'rules'"),
    ],
)
def test_malformed_rule_file_names_file_rule_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "my-rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaggingRuleError, match=message) as info:
        load_rules(path)
    assert "my-rules.yaml" in str(info.value)


def test_user_rule_file_takes_precedence(tmp_path: Path) -> None:
    assert rules_path_for(tmp_path).name == "rules.yaml"
    assert "data" in rules_path_for(tmp_path).parts
    user = tmp_path / "topics" / "rules.yaml"
    user.parent.mkdir()
    user.write_text(HEAD + RULE, encoding="utf-8")
    assert rules_path_for(tmp_path) == user
    assert [rule.id for rule in load_rules(rules_path_for(tmp_path)).rules] == ["r1"]
