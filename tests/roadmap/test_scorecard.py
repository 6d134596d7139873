"""Roll-ups per action, priority, pillar and region."""

from __future__ import annotations

from datetime import date

from permed_atlas.roadmap.models import Action, Pillar, Priority, Roadmap, Source
from permed_atlas.roadmap.scorecard import StatusCounts, build_scorecard, order_regions
from permed_atlas.roadmap.status import assess

from .factories import make_indicator, make_observations

ROADMAP = Roadmap(
    slug="test",
    title="Test roadmap",
    description="",
    source=Source(title="test"),
    pillars=(
        Pillar(
            code="A",
            title="Pillar A",
            priorities=(
                Priority(
                    code="A.1",
                    title="Priority A.1",
                    actions=(Action("A.1.a", "first", ""), Action("A.1.b", "second", "")),
                ),
            ),
        ),
        Pillar(code="B", title="Pillar B", priorities=(Priority("B.1", "Priority B.1", ()),)),
    ),
)

ON = [(date(2024, 1, 1), 40.0), (date(2025, 1, 1), 50.0), (date(2026, 1, 1), 60.0)]
OFF = [(date(2024, 1, 1), 20.5), (date(2025, 1, 1), 21.0), (date(2026, 1, 1), 20.8)]


def _assessment(code: str, region: str, series, actions=("A.1.a",)):  # type: ignore[no-untyped-def]
    indicator = make_indicator(code=code, region=region, actions=actions)
    return assess(indicator, make_observations(code, series))


def test_counts_and_group_status_follow_the_rule() -> None:
    assert StatusCounts().status == "insufficient data"
    assert StatusCounts(on_track=3, at_risk=1).status == "on track"  # 3.5/4 = 0.875
    assert StatusCounts(on_track=1, at_risk=1).status == "on track"  # 0.75
    assert StatusCounts(on_track=1, off_track=1).status == "at risk"  # 0.5
    assert StatusCounts(on_track=1, off_track=2).status == "off track"  # 0.33
    assert StatusCounts(insufficient=4).status == "insufficient data"
    assert StatusCounts(on_track=1, insufficient=5).as_dict()["total"] == 6


def test_regions_side_by_side_eu_and_china_first() -> None:
    assert order_regions(["ICPERMED", "CN", "EU27", "AU"]) == ("EU27", "CN", "AU", "ICPERMED")
    assessments = [
        _assessment("eu-on", "EU27", ON),
        _assessment("eu-off", "EU27", OFF, actions=("A.1.b",)),
        _assessment("cn-off", "CN", OFF),
        _assessment("cn-none", "CN", [], actions=("A.1.a", "A.1.b")),
    ]
    card = build_scorecard(ROADMAP, assessments)
    assert card.regions == ("EU27", "CN")
    first = card.row("A.1.a")
    assert first.region("EU27") == StatusCounts(on_track=1)
    assert first.region("CN") == StatusCounts(off_track=1, insufficient=1)
    assert first.region("EU27").status == "on track"
    assert first.region("CN").status == "off track"
    second = card.row("A.1.b")
    assert second.region("EU27").status == "off track"
    # an indicator linked to two actions counts once in their priority and pillar
    priority = card.row("A.1")
    assert priority.region("CN") == StatusCounts(off_track=1, insufficient=1)
    assert priority.overall.total == 4
    assert priority.region("EU27").status == "at risk"  # one on, one off -> 0.5
    assert card.row("A").overall == priority.overall
    assert card.row("B").overall.status == "insufficient data"
    assert card.row("test").level == "roadmap"
    assert [row.level for row in card.rows] == [
        "roadmap",
        "pillar",
        "priority",
        "action",
        "action",
        "pillar",
        "priority",
    ]


def test_explicit_regions_add_empty_columns() -> None:
    card = build_scorecard(ROADMAP, [_assessment("eu-on", "EU27", ON)], regions=["EU27", "AFR"])
    assert card.regions == ("EU27", "AFR")
    assert card.row("A.1.a").region("AFR").status == "insufficient data"
