"""Parsing roadmap files and observation rows; units."""

from __future__ import annotations

from datetime import date

import pytest

from permed_atlas.roadmap.errors import InvalidRoadmapError
from permed_atlas.roadmap.models import ObservationInput
from permed_atlas.roadmap.observation_rows import check_observation, read_observation_rows
from permed_atlas.roadmap.spec import parse_indicators, parse_roadmap, units_match

from .factories import make_indicator

DOC = {
    "slug": "t",
    "title": "T",
    "source": {"title": "s"},
    "pillars": [
        {
            "code": "A",
            "title": "a",
            "priorities": [
                {"code": "A.1", "title": "b", "actions": [{"code": "A.1.a", "title": "c"}]}
            ],
        }
    ],
}


def test_units() -> None:
    assert units_match("% of oncology centres", "%")
    assert units_match("% of patients", "Percent")
    assert units_match("programmes", " Programmes ")
    assert not units_match("programmes", "%")
    assert not units_match("%", "% of patients")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"source": None}, "source"),
        ({"pillars": []}, "pillars"),
        (
            {"pillars": [{"code": "A", "title": "x"}, {"code": "A", "title": "y"}]},
            "pillars[1].code",
        ),
        ({"title": ""}, "title"),
        ({"title": ["not", "text"]}, "title"),
        ({"source": "a text"}, "source"),
        ({"pillars": {"A": "x"}}, "pillars"),
        ({"pillars": [{"code": "A"}]}, "pillars[0].title"),
        ({"pillars": [{"code": "A", "title": "x", "priorities": [7]}]}, "pillars[0].priorities[0]"),
    ],
)
def test_roadmap_errors_name_the_field(change: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidRoadmapError) as caught:
        parse_roadmap({**DOC, **change}, where="f.yaml")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"f.yaml: field {field!r}")


def test_indicator_families_expand_and_are_checked() -> None:
    roadmap = parse_roadmap(DOC, where="f.yaml")
    family = {
        "name": "n",
        "definition": "d",
        "unit": "%",
        "direction": "increase",
        "target": {"value": 70, "date": "2030-12-31"},
        "actions": ["A.1.a"],
        "scopes": [
            {"code": "x-eu", "region": "EU27", "baseline": {"value": 20, "date": "2023-01-01"}},
            {
                "code": "x-cn",
                "region": "CN",
                "country": "cn",
                "baseline": {"value": 10, "date": "2023-01-01"},
                "target": {"value": 60, "date": "2029-12-31"},
            },
        ],
    }
    eu, cn = parse_indicators([family], roadmap=roadmap, where="f.yaml")
    assert (eu.code, eu.target_value, eu.scope.region) == ("x-eu", 70, "EU27")
    assert (cn.target_value, cn.target_date, cn.scope.country) == (60, date(2029, 12, 31), "CN")
    bad = {**family, "actions": ["Z"]}
    with pytest.raises(InvalidRoadmapError, match=r"indicators\[0\]\.scopes\[0\]\.actions\[0\]"):
        parse_indicators([bad], roadmap=roadmap, where="f.yaml")
    late = {**family, "target": {"value": 70, "date": "2022-01-01"}}
    with pytest.raises(InvalidRoadmapError, match="must come after the baseline"):
        parse_indicators([late], roadmap=roadmap, where="f.yaml")
    sideways = {**family, "direction": "sideways"}
    with pytest.raises(
        InvalidRoadmapError, match=r"field 'indicators\[0\]\.scopes\[0\]\.direction'"
    ):
        parse_indicators([sideways], roadmap=roadmap, where="f.yaml")
    over = {**family, "target": {"value": 170, "date": "2030-01-01"}}
    with pytest.raises(InvalidRoadmapError, match="not a percentage"):
        parse_indicators([over], roadmap=roadmap, where="f.yaml")


def test_rows_and_checks() -> None:
    rows, problems = read_observation_rows(
        "indicator,date,value,unit,source\r\na,2024-01-01,1.5,%,s\r\n\r\nb,2024-13-01,1,%,s\r\n",
        where="f.csv",
    )
    assert [(r.indicator, r.value, r.line) for r in rows] == [("a", 1.5, 2)]
    assert problems == [(4, "date", "'2024-13-01' is not a date (YYYY-MM-DD)")]
    indicator = make_indicator()
    early = ObservationInput("x", date(2020, 1, 1), 5, "kg", "")
    fields = [field for field, _ in check_observation(indicator, early, today=date(2026, 1, 1))]
    assert fields == ["unit", "date", "source"]


def test_build_indicator_trims_and_refuses_a_target_before_the_baseline() -> None:
    # the form and the API both build a new indicator here
    from permed_atlas.roadmap.spec import build_indicator

    fields = {
        "code": " x ",
        "name": "X ",
        "definition": "d",
        "unit": "%",
        "direction": "increase",
        "baseline_value": 1.0,
        "baseline_date": date(2023, 1, 1),
        "target_value": 2.0,
        "target_date": date(2030, 1, 1),
        "region": "EU27",
        "country": "",
        "centre": None,
        "actions": [" A.1.a ", ""],
        "data_source": "",
    }
    built = build_indicator("t", **fields)
    assert (built.code, built.name, built.action_codes) == ("x", "X", ("A.1.a",))
    assert built.scope.level == "region"
    with pytest.raises(InvalidRoadmapError, match="must come after the baseline") as caught:
        build_indicator("t", **{**fields, "target_date": date(2022, 1, 1)})
    assert caught.value.field == "target_date"


def test_a_file_refuses_a_target_on_the_wrong_side_of_the_baseline() -> None:
    # "increase" to a target below the baseline would be "on track" while falling
    roadmap = parse_roadmap(DOC, where="f.yaml")
    entry = {
        "code": "x",
        "name": "n",
        "definition": "d",
        "unit": "sites",
        "direction": "increase",
        "region": "EU27",
        "baseline": {"value": 40, "date": "2023-01-01"},
        "target": {"value": 10, "date": "2030-12-31"},
        "actions": ["A.1.a"],
    }
    with pytest.raises(InvalidRoadmapError) as caught:
        parse_indicators([entry], roadmap=roadmap, where="f.yaml")
    assert caught.value.field == "indicators[0].target.value"
    assert str(caught.value) == (
        "f.yaml: field 'indicators[0].target.value': "
        "10 is below the baseline 40, but the direction is increase"
    )
    falling = {**entry, "direction": "decrease", "target": {"value": 90, "date": "2030-12-31"}}
    with pytest.raises(InvalidRoadmapError, match="90 is above the baseline 40"):
        parse_indicators([falling], roadmap=roadmap, where="f.yaml")
    # keeping a level already reached is a target too
    (kept,) = parse_indicators(
        [{**entry, "target": {"value": 40, "date": "2030-12-31"}}], roadmap=roadmap, where="f.yaml"
    )
    assert kept.target_value == kept.baseline_value == 40


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"baseline_value": 150.0}, "baseline_value", "150 is not a percentage (0-100)"),
        ({"target_value": -5.0}, "target_value", "-5 is not a percentage (0-100)"),
        ({"target_value": float("nan")}, "target_value", "nan is not a finite number"),
        ({"baseline_value": float("inf")}, "baseline_value", "inf is not a finite number"),
        ({"code": "a b/c"}, "code", "'a b/c' is not a valid code"),
        ({"code": "x" * 81}, "code", "is not a valid code"),
        ({"target_value": 0.5}, "target_value", "0.5 is below the baseline 1"),
        (
            {"direction": "decrease", "target_value": 2.0},
            "target_value",
            "2 is above the baseline 1, but the direction is decrease",
        ),
    ],
)
def test_build_indicator_refuses_what_a_file_refuses(
    change: dict,  # type: ignore[type-arg]
    field: str,
    problem: str,
) -> None:
    # the form and the API build here; before, a 150 % baseline, a code with a slash (no
    # page could be reached) and a target the wrong way round were stored, NaN crashed
    from permed_atlas.roadmap.spec import build_indicator

    fields = {
        "code": "x",
        "name": "X",
        "definition": "d",
        "unit": "%",
        "direction": "increase",
        "baseline_value": 1.0,
        "baseline_date": date(2023, 1, 1),
        "target_value": 2.0,
        "target_date": date(2030, 1, 1),
        "region": "EU27",
        "country": None,
        "centre": None,
        "actions": [],
        "data_source": "",
    }
    with pytest.raises(InvalidRoadmapError) as caught:
        build_indicator("t", **{**fields, **change})
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ") and problem in str(caught.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pillar": []}, "pillar"),
        ({"pillars": [{"code": "A", "title": "a", "prioritys": []}]}, "pillars[0].prioritys"),
        (
            {
                "pillars": [
                    {
                        "code": "A",
                        "title": "a",
                        "priorities": [
                            {
                                "code": "A.1",
                                "title": "b",
                                "actions": [
                                    {"code": "A.1.a", "title": "c", "actions": [{"code": "X"}]}
                                ],
                            }
                        ],
                    }
                ]
            },
            "pillars[0].priorities[0].actions[0].actions",
        ),
    ],
)
def test_a_tree_key_the_reader_does_not_know_is_refused_not_dropped(
    change: dict,  # type: ignore[type-arg]
    field: str,
) -> None:
    # a nested level (sub-actions) or a misspelt key used to vanish without a word
    with pytest.raises(InvalidRoadmapError) as caught:
        parse_roadmap({**DOC, **change}, where="f.yaml")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"f.yaml: field {field!r}: unknown field; known fields:")
