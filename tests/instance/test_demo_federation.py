"""`permed demo` starts the demo federation's nodes with the app: the hub page answers at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml
from tests.serving import free_port

from permed_atlas.federation.mapping import bundled_data_dir


def _registry_on_free_ports(data_dir: Path) -> list[int]:
    """The bundled demo registry, moved to free loopback ports (other tests may hold 8701-8704)."""
    demo = bundled_data_dir()
    registry = yaml.safe_load((demo / "nodes.yaml").read_text(encoding="utf-8"))
    ports = []
    for node in registry["nodes"]:
        ports.append(free_port())
        node["url"] = f"http://127.0.0.1:{ports[-1]}"
        node["data"], node["config"] = str(demo / node["data"]), str(demo / node["config"])
    folder = data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text(yaml.safe_dump(registry), encoding="utf-8")
    return ports


def test_permed_demo_serves_the_app_with_its_eu_and_chinese_nodes(tmp_path: Path) -> None:
    data_dir = tmp_path / "permed-data"
    node_ports = _registry_on_free_ports(data_dir)
    app_port = free_port()
    env = {
        **os.environ,
        "PERMED_DATA_DIR": str(data_dir),
        "PERMED_PORT": str(app_port),
        "PERMED_SECRET_KEY": "demo-test-secret-key-0123456789abcdef",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "permed_atlas", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{app_port}"
    try:
        deadline = time.monotonic() + 600  # the demo corpus is ingested first
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/federation/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "permed demo did not serve in time"
            time.sleep(1)
        landing = httpx.get(f"{url}/federation/", timeout=30).text
        assert 'data-testid="offline-nodes"' not in landing
        data = httpx.get(
            f"{url}/api/v1/federation/query",
            params={"diagnosis": "C50", "sex": "female"},
            timeout=60,
        ).json()
        statuses = {n["id"]: n["status"] for n in data["nodes"]}
        assert statuses == dict.fromkeys(
            ("de-berlin", "fr-lyon", "cn-shanghai", "cn-beijing"), "ok"
        ), data["nodes"]
        assert {"EU", "CN"} <= set(data["regions"]) and data["total"]["lower"] > 0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output = proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0].decode()
    assert "demo node cn-shanghai" in output and "running at" in output
    assert "to edit, create an admin first: permed user add" in output
    # Stopping the app stops the nodes it started.
    for port in node_ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
