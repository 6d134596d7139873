"""The demo federation out of the box: start the registry's demo nodes, say which are offline.

A registry entry with ``data:`` and ``config:`` (the bundled nodes.yaml has them)
is a node this machine can run itself. ``permed demo`` starts each such node on
its loopback port as a ``permed node serve`` process and stops it on exit; the
hub page uses :func:`start_command` to tell a user how to start a node it finds
offline, and :func:`probe_nodes` to find out which are.
"""

from __future__ import annotations

import asyncio
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from permed_atlas.datafiles import read_yaml
from permed_atlas.federation.errors import NodesConfigError
from permed_atlas.federation.models import NodeEndpoint

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class LocalNode:
    """A registry node this machine can start: its table, its config, where it listens."""

    id: str
    name: str
    region: str
    data: Path
    config: Path
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self, *, log: Path | None = None) -> list[str]:
        """The ``permed node serve`` command line that runs this node."""
        line = [
            "permed",
            "node",
            "serve",
            "--data",
            str(self.data),
            "--config",
            str(self.config),
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        return [*line, "--log", str(log)] if log else line


def local_nodes(registry: Path) -> dict[str, LocalNode]:
    """The nodes of a nodes.yaml that name their ``data`` and ``config`` and listen on loopback.

    :param registry: the nodes.yaml; relative ``data``/``config`` paths are read from its folder.
    :raises NodesConfigError: when the file cannot be read.
    """
    error = partial(NodesConfigError, path=str(registry))
    raw = read_yaml(registry, error=error, what=" nodes registry") or {}
    found: dict[str, LocalNode] = {}
    for item in raw.get("nodes") or ():
        if not isinstance(item, dict) or not (item.get("data") and item.get("config")):
            continue
        url = urlsplit(str(item.get("url", "")))
        if url.hostname not in LOOPBACK or not url.port:
            continue
        folder = registry.parent
        found[str(item["id"])] = LocalNode(
            id=str(item["id"]),
            name=str(item.get("name", item["id"])),
            region=str(item.get("region", "")),
            data=(folder / str(item["data"])).resolve(),
            config=(folder / str(item["config"])).resolve(),
            host=url.hostname,
            port=url.port,
        )
    return found


def start_command(node: LocalNode) -> str:
    """The command a user types to start ``node`` (shown on the hub page)."""
    return shlex.join(node.command())


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _answers(node: LocalNode) -> bool:
    try:
        return httpx.get(f"{node.url}/api/info", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class DemoFederation:
    """The node processes ``permed demo`` started (only those; stopped by :meth:`stop`)."""

    processes: dict[str, subprocess.Popen[bytes]]
    status: dict[str, str]

    def stop(self) -> None:
        """Stop the node processes this federation started, each by its own id."""
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_local_nodes(
    nodes: Sequence[LocalNode],
    *,
    log_dir: Path,
    wait_s: float = 90.0,
    say: Callable[[str], None] = print,
) -> DemoFederation:
    """Start every node not already running and wait (bounded) until each answers.

    :param nodes: the nodes to run.
    :param log_dir: where each node keeps its query log and its stderr.
    :param wait_s: how long to wait for all of them to answer.
    :param say: where progress lines go.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    status: dict[str, str] = {}
    for node in nodes:
        if _answers(node):
            status[node.id] = f"already running at {node.url}"
            continue
        if not _port_is_free(node.host, node.port):
            status[node.id] = f"not started: port {node.port} is used by another program"
            continue
        command = [
            sys.executable,
            "-m",
            "permed_atlas",
            *node.command(log=log_dir / f"{node.id}.sqlite")[1:],
        ]
        with (log_dir / f"{node.id}.stderr.log").open("ab") as errors:
            processes[node.id] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    deadline = time.monotonic() + wait_s
    pending = dict(processes)
    while pending and time.monotonic() < deadline:
        for node_id, proc in list(pending.items()):
            node = next(n for n in nodes if n.id == node_id)
            if proc.poll() is not None:
                status[node_id] = (
                    f"exited with code {proc.returncode}; see {log_dir / (node_id + '.stderr.log')}"
                )
                del pending[node_id]
            elif _answers(node):
                status[node_id] = f"running at {node.url}"
                del pending[node_id]
        time.sleep(0.2)
    for node_id in pending:
        status[node_id] = f"started but not answering after {wait_s:g} s"
    for node in nodes:
        say(f"demo node {node.id} ({node.name}): {status[node.id]}")
    return DemoFederation(processes, status)


async def probe_nodes(nodes: Sequence[NodeEndpoint], *, timeout_s: float = 1.0) -> set[str]:
    """The ids of the nodes whose public ``/api/info`` does not answer within ``timeout_s``.

    :param nodes: the registry's nodes.
    :param timeout_s: per node; all are asked at once.
    """

    async def down(client: httpx.AsyncClient, node: NodeEndpoint) -> bool:
        try:
            response = await client.get(f"{node.url}/api/info", timeout=timeout_s)
        except httpx.HTTPError:
            return True
        return response.status_code >= 500

    from permed_atlas.federation.hub import tls_context

    # The hub's TLS context, made once per process: building one per page view costs
    # a third of a second on a busy machine.
    async with httpx.AsyncClient(verify=tls_context()) as client:
        flags = await asyncio.gather(*(down(client, n) for n in nodes))
    return {n.id for n, flag in zip(nodes, flags, strict=True) if flag}
