"""Real node servers on loopback for the federation tests (uvicorn in threads)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI, Request
from tests.serving import free_port

from permed_atlas.federation.mapping import bundled_data_dir, load_node_config
from permed_atlas.federation.models import NodeEndpoint
from permed_atlas.federation.node_app import create_node_app
from permed_atlas.federation.node_store import NodeStore, open_node_store
from permed_atlas.federation.registry import HubConfig

DEMO = bundled_data_dir()
DEMO_NODES = {
    "de-berlin": "de-berlin.csv",
    "fr-lyon": "fr-lyon.parquet",
    "cn-shanghai": "cn-shanghai.csv",
    "cn-beijing": "cn-beijing.csv",
}
# Generous limits for the answering nodes (the test machine may be busy) and a short one
# for the slow node, which answers far beyond it.
NODE_TIMEOUT_S = 15.0
SLOW_TIMEOUT_S = 1.0
SLOW_DELAY_S = 6.0


class ServerThread:
    """A uvicorn server for one app on a free loopback port, in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="error", lifespan="off", loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("node server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def demo_store(node_id: str, **overrides: object) -> NodeStore:
    """A bundled demo node's store, in memory."""
    config = load_node_config(DEMO / f"{node_id}.yaml", overrides=dict(overrides))
    return open_node_store(config, data=DEMO / DEMO_NODES[node_id], threads=1)


def secret_of(node_id: str) -> str:
    return load_node_config(DEMO / f"{node_id}.yaml").trusted_issuers["permed-hub"]


def slow_app(app: FastAPI, delay_s: float) -> FastAPI:
    """The node's app, answering every request only after ``delay_s`` (a slow site)."""

    @app.middleware("http")
    async def delay(request: Request, call_next):  # type: ignore[no-untyped-def]
        await asyncio.sleep(delay_s)
        return await call_next(request)

    return app


@dataclass
class Federation:
    """Three answering nodes, one slow node and one down node, and hub registries for them.

    ``hub`` has every node but the slow one (so its queries do not wait for it);
    ``hub_all`` has all five.
    """

    servers: dict[str, ServerThread]
    stores: dict[str, NodeStore]
    hub: HubConfig
    hub_all: HubConfig


@pytest.fixture(scope="session")
def federation() -> Iterator[Federation]:
    stores = {node_id: demo_store(node_id) for node_id in DEMO_NODES}
    servers: dict[str, ServerThread] = {}
    for node_id, store in stores.items():
        app = create_node_app(store)
        if node_id == "cn-beijing":
            app = slow_app(app, SLOW_DELAY_S)
        servers[node_id] = ServerThread(app).start()
    down_port = free_port()  # nothing listens here: the node is down
    endpoints = [
        NodeEndpoint(
            node_id,
            store.config.identity.name,
            servers[node_id].url,
            store.config.identity.region,
            store.config.identity.country,
            secret_of(node_id),
            timeout_s=SLOW_TIMEOUT_S if node_id == "cn-beijing" else NODE_TIMEOUT_S,
            managers=(f"manager@{node_id}.example.org",),
        )
        for node_id, store in stores.items()
    ]
    endpoints.append(
        NodeEndpoint(
            "eu-down",
            "Down Biobank",
            f"http://127.0.0.1:{down_port}",
            "EU",
            "IT",
            "unused-secret-0123456789",
            timeout_s=NODE_TIMEOUT_S,
        )
    )
    without_slow = tuple(e for e in endpoints if e.id != "cn-beijing")
    yield Federation(
        servers,
        stores,
        HubConfig("permed-hub", without_slow),
        HubConfig("permed-hub", tuple(endpoints)),
    )
    for server in servers.values():
        server.stop()
    for store in stores.values():
        store.close()
