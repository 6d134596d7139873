"""The demo federation out of the box: real node processes on loopback, started and stopped."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import yaml

from permed_atlas.federation.demo_nodes import local_nodes, start_command, start_local_nodes
from permed_atlas.federation.hub import run_hub_query
from permed_atlas.federation.query import build_simple_query
from permed_atlas.federation.registry import load_hub_config, registry_path

from .conftest import DEMO, free_port, secret_of

EU_AND_CN = {"de-berlin": "de-berlin.csv", "cn-shanghai": "cn-shanghai.csv"}


def write_registry(folder: Path, ports: dict[str, int]) -> Path:
    """A nodes.yaml like the bundled one, with absolute data/config paths and the given ports."""
    nodes = [
        {
            "id": node_id,
            "name": node_id,
            "url": f"http://127.0.0.1:{port}",
            "region": "EU" if node_id.startswith("de") else "CN",
            "country": "DE" if node_id.startswith("de") else "CN",
            "secret": secret_of(node_id),
            "timeout_s": 20,
            "data": str(DEMO / EU_AND_CN[node_id]),
            "config": str(DEMO / f"{node_id}.yaml"),
        }
        for node_id, port in ports.items()
    ]
    path = folder / "nodes.yaml"
    path.write_text(
        yaml.safe_dump({"hub": {"issuer": "permed-hub"}, "nodes": nodes}), encoding="utf-8"
    )
    return path


def test_the_bundled_registry_names_an_eu_and_a_chinese_demo_node() -> None:
    bundled = registry_path(Path("/nonexistent"))
    found = local_nodes(bundled)
    regions = {n.region for n in found.values()}
    assert {"EU", "CN"} <= regions
    for node in found.values():
        assert node.data.is_file() and node.config.is_file()
        assert start_command(node).startswith("permed node serve --data ")


def test_only_loopback_nodes_with_data_and_config_are_local(tmp_path: Path) -> None:
    path = tmp_path / "nodes.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "nodes": [
                    {
                        "id": "remote",
                        "url": "https://beacon.example.org",
                        "region": "EU",
                        "secret": "s",
                        "data": "x.csv",
                        "config": "x.yaml",
                    },
                    {"id": "no-data", "url": "http://127.0.0.1:9", "region": "EU", "secret": "s"},
                    {
                        "id": "here",
                        "url": "http://localhost:8799",
                        "region": "EU",
                        "secret": "s",
                        "data": "x.csv",
                        "config": "x.yaml",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    found = local_nodes(path)
    assert list(found) == ["here"]
    assert found["here"].data == tmp_path / "x.csv" and found["here"].port == 8799


def test_demo_nodes_start_answer_the_hub_and_stop(tmp_path: Path) -> None:
    ports = {node_id: free_port() for node_id in EU_AND_CN}
    registry = write_registry(tmp_path, ports)
    lines: list[str] = []
    federation = start_local_nodes(
        list(local_nodes(registry).values()), log_dir=tmp_path / "logs", say=lines.append
    )
    try:
        assert all(status.startswith("running at") for status in federation.status.values()), (
            federation.status
        )
        assert len(lines) == 2
        for port in ports.values():
            assert httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=5).status_code == 200
        question = build_simple_query(
            diagnosis=["C50"], sex=["female"], material=[], age=None, year=None, entity="biosamples"
        )
        result = run_hub_query(load_hub_config(registry), question, requester="demo-test")
        assert {o.status for o in result.outcomes} == {"ok"}, result.outcomes
        assert set(result.regions) == {"EU", "CN"} and result.total.lower > 0
        # Asked again, a running node is reused, not started twice.
        again = start_local_nodes(
            list(local_nodes(registry).values()), log_dir=tmp_path / "logs", say=lines.append
        )
        assert again.processes == {}
        assert all(s.startswith("already running") for s in again.status.values())
    finally:
        federation.stop()
    for proc in federation.processes.values():
        assert proc.poll() is not None
    for port in ports.values():
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=2)


def test_a_port_held_by_another_program_is_reported_not_fought_over(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = int(squatter.getsockname()[1])
        registry = write_registry(tmp_path, {"de-berlin": port})
        federation = start_local_nodes(
            list(local_nodes(registry).values()),
            log_dir=tmp_path / "logs",
            wait_s=5,
            say=lambda _: None,
        )
    assert federation.processes == {}
    assert "used by another program" in federation.status["de-berlin"]
