"""The target sits on its year's tick: "by 2030" (2030-12-31) is drawn on the tick labelled 2030."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from permed_atlas.roadmap.chart import render_chart, year_ticks
from permed_atlas.roadmap.status import assess

from .factories import make_indicator, make_observations

NS = {"svg": "http://www.w3.org/2000/svg"}


def _target_x(root: ET.Element) -> float:
    target = root.find(".//svg:path[@class='target']", NS)
    assert target is not None
    match = re.match(r"M([\d.]+),", target.get("d", ""))
    assert match
    return float(match.group(1))


def _ticks(root: ET.Element) -> dict[str, float]:
    labels = root.findall(".//svg:text[@class='year-label']", NS)
    return {label.text or "": float(label.get("x", "nan")) for label in labels}


@pytest.mark.parametrize(
    ("baseline", "target"),
    [
        (date(2023, 1, 1), date(2030, 12, 31)),
        (date(2024, 6, 30), date(2030, 12, 31)),
        (date(2020, 1, 1), date(2030, 1, 1)),
        (date(2023, 3, 1), date(2030, 6, 30)),
        (date(2001, 1, 1), date(2030, 12, 31)),  # thinned ticks keep the target's year
        (date(2023, 1, 1), date(2028, 2, 29)),
    ],
)
def test_target_is_drawn_on_the_tick_of_its_year(baseline: date, target: date) -> None:
    indicator = make_indicator(baseline=(20.0, baseline), target=(70.0, target))
    series = [(date(baseline.year + 1, 7, 1), 30.0), (date(baseline.year + 2, 7, 1), 35.0)]
    root = ET.fromstring(render_chart(assess(indicator, make_observations(indicator.code, series))))
    ticks = _ticks(root)
    assert str(target.year) in ticks, ticks
    assert _target_x(root) == pytest.approx(ticks[str(target.year)], abs=0.11)
    # the next year's tick is a year away, not beside the target
    if str(target.year + 1) in ticks:
        assert ticks[str(target.year + 1)] - ticks[str(target.year)] > 20


def test_year_ticks_are_a_year_apart_and_labelled_with_their_year() -> None:
    ticks = year_ticks(date(2022, 11, 1), date(2031, 2, 1), date(2030, 12, 31))
    assert ticks[-1] == date(2030, 12, 31)
    assert [t.year for t in ticks] == list(range(2022, 2031))
    assert all(t.month == 12 and t.day == 31 for t in ticks)


def test_chart_says_where_year_ticks_fall_when_not_on_1_january() -> None:
    indicator = make_indicator(target=(70.0, date(2030, 12, 31)))
    root = ET.fromstring(render_chart(assess(indicator, [])))
    note = root.find(".//svg:text[@class='tick-note']", NS)
    assert note is not None and "31 Dec" in (note.text or "")
