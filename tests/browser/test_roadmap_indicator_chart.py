"""An anonymous visitor reads an indicator: its 2030 target on the 2030 tick, a two-point
projection marked uncertain, and no editor's email anywhere."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.roadmap import add_observation, load_demo_observations
from permed_atlas.roadmap.models import ObservationInput

pytestmark = pytest.mark.browser

EMAIL = "jane.editor@example.org"


def _centre_x(locator) -> float:  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    assert box is not None
    return float(box["x"] + box["width"] / 2)


def test_anonymous_visitor_reads_the_indicator_chart(  # type: ignore[no-untyped-def]
    engine: Engine, live_server: str, page, screenshot
) -> None:
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        # an editor's row stored with the email, as rows were before names were masked
        add_observation(
            session,
            ObservationInput("dpyd-demo-berlin", date(2026, 6, 30), 55.0, None, "audit"),
            actor_id=None,
            entered_by=EMAIL,
            today=date(2026, 11, 23),
        )
        session.commit()

    page.goto(f"{live_server}/roadmap/indicators/dpyd-demo-nanjing")
    chart = page.locator("[data-testid=chart] svg")
    target = chart.locator("path.target")
    label = chart.locator("text.year-label", has_text="2030")
    assert label.count() == 1
    assert abs(_centre_x(target) - _centre_x(label)) < 2  # the target on the 2030 tick
    year_2029 = chart.locator("text.year-label", has_text="2029")
    assert _centre_x(label) - _centre_x(year_2029) > 30  # ticks a year apart, not crowded
    # two points: the status says it is uncertain, the trend is dashed, no band is drawn
    assert page.locator("h1 [data-testid=uncertain]").inner_text() == "uncertain (2 points)"
    assert "based on 2 points only" in page.locator("[data-testid=status-reason]").inner_text()
    assert chart.locator("line.projection").get_attribute("stroke-dasharray")
    assert chart.locator("polygon.band").count() == 0
    assert "uncertain" in (chart.locator("text.uncertain").text_content() or "")
    page.locator("[data-testid=chart]").screenshot(
        path=str(screenshot("page").with_name("indicator-chart-nanjing.png"))
    )

    page.goto(f"{live_server}/roadmap/indicators/dpyd-demo-berlin")
    assert EMAIL not in page.content()
    cells = page.locator("[data-testid=entered-by]").all_inner_texts()
    assert "editor" in cells and not any("@" in cell for cell in cells)
    page.goto(f"{live_server}/api/v1/roadmap/indicators/dpyd-demo-berlin")
    assert EMAIL not in page.content()
