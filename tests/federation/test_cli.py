"""``permed node check`` and ``permed hub query`` against live nodes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from permed_atlas.cli import app

from .conftest import DEMO, Federation

runner = CliRunner()


def test_node_check_reports_collections() -> None:
    result = runner.invoke(
        app,
        [
            "node",
            "check",
            "--data",
            str(DEMO / "de-berlin.csv"),
            "--config",
            str(DEMO / "de-berlin.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "de-berlin: 3,000 samples" in result.output
    assert "Onkologie-2: consent DUO:0000006, DUO:0000046" in result.output
    assert "cell key perturbation table (D=3, V=2.0)" in result.output
    assert "i=4+: -3: 0.037, -2: 0.112, -1: 0.216, +0: 0.269" in result.output


def test_hub_query_json(federation: Federation, tmp_path: Path) -> None:
    registry = tmp_path / "nodes.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "hub": {"issuer": "permed-hub"},
                "nodes": [
                    {
                        "id": n.id,
                        "name": n.name,
                        "url": n.url,
                        "region": n.region,
                        "country": n.country,
                        "secret": n.secret,
                        "timeout_s": n.timeout_s,
                    }
                    for n in federation.hub_all.nodes
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "hub",
            "query",
            "--nodes",
            str(registry),
            "--diagnosis",
            "C61",
            "--age",
            "60-",
            "--requester",
            "cli-test",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_node = {n["id"]: n for n in data["nodes"]}
    assert by_node["de-berlin"]["status"] == "ok"
    assert by_node["cn-beijing"]["status"] == "timeout"
    store = federation.stores["de-berlin"]
    assert store.query_log(limit=1)[0].requester == "cli-test"
    table = runner.invoke(
        app,
        [
            "hub",
            "query",
            "--nodes",
            str(registry),
            "--diagnosis",
            "C61",
            "--requester",
            "cli-test-2",
        ],
    )
    assert table.exit_code == 0 and "total:" in table.output


def test_hub_query_with_a_bad_registry_fails_clearly(tmp_path: Path) -> None:
    registry = tmp_path / "nodes.yaml"
    registry.write_text("nodes:\n  - {id: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["hub", "query", "--nodes", str(registry)])
    assert result.exit_code != 0
    assert "nodes.yaml: node 'x', field 'url': is missing" in str(result.exception)
