"""Emulated wide-area latency: a node on loopback answers as from another region."""

from __future__ import annotations

import time

import httpx
import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app as cli_app
from permed_atlas.federation.latency import EmulatedLatency, parse_latency
from permed_atlas.federation.node_app import create_node_app

from .conftest import DEMO, ServerThread, demo_store


def test_a_node_with_latency_answers_after_a_request_and_a_reply_delay() -> None:
    store = demo_store("cn-shanghai")
    fast = ServerThread(create_node_app(store)).start()
    slow = ServerThread(create_node_app(store, latency=EmulatedLatency(150, 250))).start()
    try:
        with httpx.Client(timeout=10) as client:
            for server in (fast, slow):
                client.get(f"{server.url}/api/info")  # connect once
            times = {}
            for name, server in (("fast", fast), ("slow", slow)):
                samples = []
                for _ in range(5):
                    start = time.perf_counter()
                    assert client.get(f"{server.url}/api/info").status_code == 200
                    samples.append(time.perf_counter() - start)
                times[name] = samples
        # Two one-way draws of 150-250 ms each: every round trip takes 0.3-0.5 s more.
        assert min(times["slow"]) >= 0.3
        assert max(times["slow"]) - min(times["fast"]) < 0.5 + 1.0  # generous: busy machine
        assert len({round(t, 3) for t in times["slow"]}) > 1  # drawn, not fixed
    finally:
        fast.stop()
        slow.stop()
        store.close()


@pytest.mark.parametrize(
    ("text", "low", "high"), [("20-40", 20, 40), ("150", 150, 150), (" 1.5 - 2 ", 1.5, 2)]
)
def test_latency_text(text: str, low: float, high: float) -> None:
    latency = parse_latency(text)
    assert (latency.low_ms, latency.high_ms) == (low, high)
    assert all(low / 1000 <= latency.draw_s() <= high / 1000 for _ in range(50))


@pytest.mark.parametrize("text", ["fast", "40-20", "-5", "20-"])
def test_bad_latency_is_refused_naming_the_option(text: str) -> None:
    result = CliRunner().invoke(
        cli_app,
        [
            "node",
            "serve",
            "--data",
            str(DEMO / "de-berlin.csv"),
            "--config",
            str(DEMO / "de-berlin.yaml"),
            "--emulate-latency",
            text,
        ],
    )
    assert result.exit_code != 0
    assert "--emulate-latency" in result.output
