"""A projection from two points is marked uncertain wherever a status is shown."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from permed_atlas.db import session_factory
from permed_atlas.roadmap import load_demo_observations
from permed_atlas.roadmap.chart import render_chart
from permed_atlas.roadmap.exports import assessment_dict
from permed_atlas.roadmap.scorecard import count_statuses
from permed_atlas.roadmap.status import assess

from .factories import make_indicator, make_observations

NS = {"svg": "http://www.w3.org/2000/svg"}
TWO = [(date(2024, 12, 31), 40.0)]  # with the baseline: two points
THREE = [(date(2024, 12, 31), 40.0), (date(2025, 12, 31), 52.0)]


def test_two_points_are_uncertain_three_are_not() -> None:
    indicator = make_indicator()
    two = assess(indicator, make_observations(indicator.code, TWO))
    three = assess(indicator, make_observations(indicator.code, THREE))
    assert two.projection is not None and two.uncertain and two.n_points == 2
    assert "based on 2 points only" in two.basis and "uncertain" in two.basis
    assert not three.uncertain and three.basis == "based on 3 points"
    assert not assess(indicator, []).uncertain  # no projection at all: insufficient data
    as_json = assessment_dict(two)
    assert as_json["uncertain"] is True and as_json["points"] == 2
    assert "uncertain" in as_json["basis"]
    assert assessment_dict(three)["uncertain"] is False
    counts = count_statuses([two, three])
    assert counts.uncertain == 1 and counts.as_dict()["uncertain"] == 1


def test_chart_marks_a_two_point_trend_uncertain_and_draws_no_band() -> None:
    indicator = make_indicator()
    svg = render_chart(assess(indicator, make_observations(indicator.code, TWO)))
    root = ET.fromstring(svg)
    assert root.find(".//svg:polygon[@class='band']", NS) is None
    line = root.find(".//svg:line[@class='projection']", NS)
    assert line is not None and line.get("stroke-dasharray")
    mark = root.find(".//svg:text[@class='uncertain']", NS)
    assert mark is not None and "2 points" in (mark.text or "")
    desc = root.find(".//svg:desc", NS)
    assert desc is not None and "uncertain" in (desc.text or "")
    three = render_chart(assess(indicator, make_observations(indicator.code, THREE)))
    assert 'class="uncertain"' not in three


def _two_point_indicator(engine: Engine) -> str:
    """The demo data: dpyd-demo-nanjing has one observation, so two points with its baseline."""
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()
    return "dpyd-demo-nanjing"


def test_page_json_and_scorecard_say_uncertain(client: TestClient, engine: Engine) -> None:
    code = _two_point_indicator(engine)
    data = client.get(f"/api/v1/roadmap/indicators/{code}").json()
    assert data["points"] == 2 and data["uncertain"] is True
    assert "based on 2 points" in data["basis"]
    page = client.get(f"/roadmap/indicators/{code}").text
    assert 'data-testid="uncertain"' in page and "based on 2 points only" in page
    roadmap = client.get("/roadmap/ic2permed").text
    assert 'data-testid="uncertain"' in roadmap
    card = client.get("/api/v1/roadmap/roadmaps/ic2permed/scorecard").json()
    assert any(row["regions"]["CN"]["uncertain"] for row in card["rows"])
    assert "uncertain" in client.get("/roadmap/ic2permed/scorecard").text


def test_cli_status_shows_uncertain(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.cli import app

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["roadmap", "load", "--demo"]).exit_code == 0
    result = runner.invoke(app, ["roadmap", "status", "-i", "dpyd-demo-nanjing", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["points"] == 2 and rows[0]["uncertain"] is True
    wide = {"COLUMNS": "250"}
    table = runner.invoke(app, ["roadmap", "status", "-i", "dpyd-demo-nanjing"], env=wide)
    assert "(uncertain: 2 points)" in table.stdout
    table = runner.invoke(app, ["roadmap", "status", "-i", "dpyd-demo-milan"], env=wide)
    assert "uncertain" not in table.stdout
    milan = runner.invoke(app, ["roadmap", "status", "-i", "dpyd-demo-milan", "-f", "json"])
    assert json.loads(milan.stdout)[0]["uncertain"] is False
    scorecard = runner.invoke(app, ["roadmap", "scorecard", "ic2permed", "-f", "csv"]).stdout
    card = list(csv.DictReader(io.StringIO(scorecard)))
    assert any(int(row["CN_uncertain"]) for row in card)
    assert all(int(row["all_uncertain"]) >= int(row["CN_uncertain"]) for row in card)
