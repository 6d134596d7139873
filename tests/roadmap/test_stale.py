"""A status projected from a figure years old is marked stale wherever it is shown."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.i18n import use_language
from permed_atlas.roadmap import load_demo_observations
from permed_atlas.roadmap.chart import render_chart
from permed_atlas.roadmap.exports import assessment_dict, assessment_row
from permed_atlas.roadmap.scorecard import count_statuses
from permed_atlas.roadmap.status import assess

from .factories import make_indicator, make_observations

NS = {"svg": "http://www.w3.org/2000/svg"}
OLD = [(date(2023, 12, 31), 40.0), (date(2024, 6, 30), 45.0)]  # then nothing


def test_a_status_from_points_over_two_years_old_is_stale() -> None:
    indicator = make_indicator()
    observations = make_observations(indicator.code, OLD)
    # On track in 2026 on the strength of mid-2024's figure: nothing said how old it was.
    late = assess(indicator, observations, today=date(2026, 12, 8))
    assert late.status == "on track" and late.stale
    assert not assess(indicator, observations, today=date(2026, 6, 1)).stale
    assert not assess(indicator, observations).stale  # no day given, nothing claimed
    assert not assess(indicator, [], today=date(2030, 1, 1)).stale  # no status to date
    measured = make_observations(indicator.code, [(indicator.target_date, 71.0)])
    assert not assess(indicator, measured, today=date(2034, 1, 1)).stale
    assert assessment_dict(late)["stale"] is True
    assert assessment_row(late)["latest_date"] == "2024-06-30"
    fresh = assess(indicator, observations, today=date(2025, 1, 1))
    counts = count_statuses([late, fresh])
    assert counts.stale == 1 and counts.as_dict()["stale"] == 1


def test_the_chart_of_a_stale_status_gives_its_newest_date() -> None:
    indicator = make_indicator()
    late = assess(indicator, make_observations(indicator.code, OLD), today=date(2026, 12, 8))
    # A saved PNG or SVG carries only the drawing: the age must be in it, beside the status.
    root = ET.fromstring(render_chart(late))
    mark = root.find(".//svg:text[@class='stale']", NS)
    assert mark is not None and "stale" in (mark.text or "")
    assert "2024-06-30" in render_chart(late)
    with use_language("zh"):
        assert "过时：最新数据点" in render_chart(late)
    fresh = assess(indicator, make_observations(indicator.code, OLD), today=date(2025, 1, 1))
    assert 'class="stale"' not in render_chart(fresh)


def test_pages_json_and_scorecard_say_stale(client: TestClient, engine: Engine) -> None:
    """dpyd-demo-nanjing's newest demo figure is from 2024-06-30: stale from mid-2026 on."""
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()
    code = "dpyd-demo-nanjing"
    assert client.get(f"/api/v1/roadmap/indicators/{code}").json()["stale"] is True
    page = client.get(f"/roadmap/indicators/{code}").text
    assert 'data-testid="stale"' in page and "2024-06-30" in page
    assert 'data-testid="stale"' in client.get("/roadmap/ic2permed").text
    card = client.get("/api/v1/roadmap/roadmaps/ic2permed/scorecard").json()
    assert any(row["regions"]["CN"]["stale"] for row in card["rows"])
    assert 'data-count="stale"' in client.get("/roadmap/ic2permed/scorecard").text
    rows = csv.DictReader(io.StringIO(client.get("/roadmap/ic2permed/scorecard.csv").text))
    assert any(int(row["CN_stale"]) for row in rows)
