"""Study definitions, consensus rules and round plans from YAML-like data."""

from __future__ import annotations

import pytest

from permed_atlas.delphi.definition import parse_round_plan, parse_rule, parse_study_definition
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.files import data_path, load_study_file
from permed_atlas.delphi.models import ConsensusRule

MINIMAL = {
    "slug": "s1",
    "title": "Study",
    "surveys": [{"pillar": "P1", "items": [{"code": "I1", "statement": "Do it."}]}],
}


def test_minimal_definition_uses_default_rule_and_panel() -> None:
    draft = parse_study_definition(MINIMAL, path="s.yaml")
    assert draft.rule == ConsensusRule()
    assert draft.panels == ("Panel",)
    assert draft.surveys[0].items[0].code == "I1"


def test_a_lone_panel_name_is_one_panel() -> None:
    # A hand-written "panels: Experts" once became one panel per letter.
    draft = parse_study_definition({**MINIMAL, "panels": "Experts"}, path="s.yaml")
    assert draft.panels == ("Experts",)
    assert draft.surveys[0].panel == "Experts"


def test_bundled_demo_definition_is_valid() -> None:
    draft = load_study_file(data_path("demo_study.yaml"))
    assert len(draft.surveys) == 3
    assert sum(len(s.items) for s in draft.surveys) == 30


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"title": ""}, "title"),
        ({"surveys": []}, "surveys"),
        ({"surveys": [{"pillar": "P1", "items": []}]}, "surveys[0].items"),
        (
            {"surveys": [{"pillar": "P1", "items": [{"code": "I1"}]}]},
            "surveys[0].items[0].statement",
        ),
        (
            {
                "surveys": [
                    {
                        "pillar": "P1",
                        "items": [{"code": "I", "statement": "a"}, {"code": "I", "statement": "b"}],
                    }
                ]
            },
            "surveys[0].items[1].code",
        ),
        (
            {
                "surveys": [
                    {"pillar": "P1", "panel": "nope", "items": [{"code": "I", "statement": "a"}]}
                ]
            },
            "surveys[0].panel",
        ),
        ({"panels": True}, "panels"),
        ({"panels": {"a": 1}}, "panels"),
    ],
)
def test_bad_definitions_name_the_field(change: dict, where: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(StudyFileError) as caught:
        parse_study_definition({**MINIMAL, **change}, path="s.yaml")
    assert f"s.yaml: {where}:" in str(caught.value)


def test_rule_validation() -> None:
    assert parse_rule({"kind": "median_iqr", "iqr_max": 1.5}).iqr_max == 1.5
    for bad, field in (
        ({"agree_share": 70}, "agree_share"),
        ({"kind": "mean"}, "kind"),
        ({"colour": 1}, "colour"),
        ({"median_min": "high"}, "median_min"),
    ):
        with pytest.raises(StudyFileError, match=field):
            parse_rule(bad)


def test_round_plan() -> None:
    decisions, new_items = parse_round_plan(
        {
            "decisions": {
                "I2": {"drop": True, "reason": "duplicate"},
                "I3": {"statement": "Better."},
            },
            "new_items": [{"code": "I9", "statement": "New."}],
        },
        path="plan.yaml",
    )
    assert decisions["I2"].drop and decisions["I3"].statement == "Better."
    assert new_items[0].code == "I9"
    assert parse_round_plan(None, path="p") == ({}, ())
    with pytest.raises(StudyFileError, match="decisions.I2.reason"):
        parse_round_plan({"decisions": {"I2": {"drop": True}}}, path="plan.yaml")
