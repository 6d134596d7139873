"""Benchmark: one count query across 10 nodes of 1M samples each, with every figure printed.

Generates (once, cached in --workdir) N synthetic biobank tables of R samples as
Parquet, starts one ``permed node serve`` process per table (each with its query
log in a SQLite file, as a real node keeps it), then asks, round by round, with a
fresh question every time (so no node answers from a cache):

A. each node alone: one question sent straight to it while the others are idle;
   the slowest node's p95 is the baseline of the issue's ratio;
B. the hub (:class:`permed_atlas.federation.Hub`): a fan-out to all nodes at once,
   merged; the hub also records each node's round trip inside that same fan-out;
C. the same fan-out without the hub: the N questions sent concurrently straight
   to the nodes, the slowest answer per round.

Figures:

(a) all nodes on this host: B p95 / A p95 (the issue's ratio, target <= 1.5) and
    B / C. Here the N node processes and the hub share this machine's cores, so
    a fan-out costs at least N times one node's CPU divided by the core count;
    separate sites would not pay that.
(b) inside the fan-out: hub total / slowest node's round trip in the same query,
    the pure fan-out overhead (sending, waiting, merging), CPU sharing included
    on both sides. Also the CPU one fan-out and one single question use (hub or
    asker, nodes; from /proc), and the least wall time that CPU needs on this
    machine's cores.
(c) emulated WAN, in the same run: this kernel has no netem, so latency is emulated
    at the application layer: each node is started with ``--emulate-latency`` and
    waits a one-way delay drawn per request and another per reply (hub in the EU:
    EU nodes --wan-eu-ms, default 20-40 ms, Chinese nodes --wan-cn-ms, default
    150-250 ms, each way). Headline: hub p95 / slowest single node p95 (target
    <= 1.2), with the CPU per fan-out. Only the network is emulated: the nodes
    still share this machine's cores.

    .venv/bin/python benchmarks/bench_federation.py --nodes 10 --rows 1000000
    .venv/bin/python benchmarks/bench_federation.py --nodes 10 --rows 1000000 --no-cube
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import yaml

from permed_atlas.federation._synthetic import node_columns, write_synthetic_biobank
from permed_atlas.federation.auth import hash_request, issue_token
from permed_atlas.federation.hub import Hub
from permed_atlas.federation.models import CountQuery, NodeEndpoint
from permed_atlas.federation.query import parse_filter_text, query_from_json, query_to_json
from permed_atlas.federation.registry import HubConfig

BASES = (
    "ICD10:C50,sex:female",
    "ICD10:chapter:II,material:SERUM,age_at_collection>=40",
    "material:DNA,collection_year>=2010",
    "ICD10:C61,age_at_collection>=60,age_at_collection<=70",
    "ICD10:E11,material:PLASMA",
    "sex:male,age_at_collection<=40",
)
_serial = iter(range(10**9))


@dataclass(frozen=True)
class NodeSpec:
    node_id: str
    data: Path
    config: Path
    secret: str
    region: str


@dataclass
class Figures:
    alone: dict[str, list[float]]
    hub: list[float] = field(default_factory=list)
    together: list[float] = field(default_factory=list)
    slowest_inside: list[float] = field(default_factory=list)  # per fan-out, seconds
    # CPU seconds summed over all fan-outs (hub process, all node processes) and over
    # all single-node questions (asking process, the node asked).
    cpu: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("hub", "nodes", "alone_client", "alone_node"), 0.0)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_question(index: int) -> CountQuery:
    """Question ``index`` of the mix, made unique by a no-op year bound so no cache answers it."""
    filters: list[dict[str, str]] = list(parse_filter_text(BASES[index % len(BASES)]))
    filters.append({"id": "collection_year", "operator": "<=", "value": str(3000 + next(_serial))})
    return query_from_json({"query": {"filters": filters}})


def prepare(workdir: Path, nodes: int, rows: int) -> list[NodeSpec]:
    out = []
    for i in range(nodes):
        node_id = f"bench-{i:02d}"
        region, country = ("EU", "DE") if i % 2 == 0 else ("CN", "CN")
        data = workdir / f"{node_id}-{rows}.parquet"
        if not data.exists():
            start = time.perf_counter()
            write_synthetic_biobank(
                data,
                rows=rows,
                seed=100 + i,
                style="en",
                country=country,
                prefix=node_id,
                collections={"main": "DUO:0000042", "onc": "DUO:0000006"},
            )
            print(f"  generated {data.name} in {time.perf_counter() - start:.1f} s", flush=True)
        secret = secrets.token_urlsafe(32)
        config = workdir / f"{node_id}.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "node": {"id": node_id, "name": node_id, "region": region, "country": country},
                    "disclosure": {"k": 5, "rounding": 1, "daily_budget": 1_000_000},
                    "auth": {"trusted_issuers": {"bench-hub": {"secret": secret}}},
                    "columns": node_columns("en"),
                }
            ),
            encoding="utf-8",
        )
        out.append(NodeSpec(node_id, data, config, secret, region))
    return out


def start_nodes(
    specs: list[NodeSpec],
    *,
    workdir: Path,
    cube: bool,
    latency: dict[str, str] | None = None,
) -> tuple[list[subprocess.Popen[bytes]], list[NodeEndpoint]]:
    """One ``permed node serve`` per spec on loopback, with the region's emulated latency."""
    procs, endpoints = [], []
    for spec in specs:
        log = workdir / "logs" / f"{spec.node_id}.sqlite"
        for stale in log.parent.glob(f"{spec.node_id}.sqlite*"):
            stale.unlink()  # fresh budgets and histories for every run
        port = free_port()
        delay = ["--emulate-latency", latency[spec.region]] if latency else []
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "permed_atlas",
                    "node",
                    "serve",
                    "--data",
                    str(spec.data),
                    "--config",
                    str(spec.config),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--threads",
                    "1",
                    "--log",
                    str(log),
                    "--cube" if cube else "--no-cube",
                    *delay,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        )
        endpoints.append(
            NodeEndpoint(
                spec.node_id,
                spec.node_id,
                f"http://127.0.0.1:{port}",
                spec.region,
                "DE" if spec.region == "EU" else "CN",
                spec.secret,
                timeout_s=60,
            )
        )
    return procs, endpoints


def stop_nodes(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(
    endpoints: list[NodeEndpoint], procs: list[subprocess.Popen[bytes]], limit_s: float = 900
) -> None:
    deadline = time.monotonic() + limit_s
    pending = {e.id: e for e in endpoints}
    while pending:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"a node exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        for node_id, endpoint in list(pending.items()):
            try:  # /api/info is public
                ok = httpx.get(f"{endpoint.url}/api/info", timeout=2).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                del pending[node_id]
        if time.monotonic() > deadline:
            raise RuntimeError(f"nodes not ready: {sorted(pending)}")
        time.sleep(0.5)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def direct(client: httpx.AsyncClient, endpoint: NodeEndpoint, question: CountQuery) -> float:
    # Signed before the clock starts, as the hub's token for one request (good once).
    body = orjson.dumps(query_to_json(question))
    token = issue_token(
        endpoint.secret,
        issuer="bench-hub",
        requester="bench-direct",
        audience=endpoint.id,
        now=int(time.time()),
        request=hash_request("POST", "/api/biosamples", body=body),
    )
    start = time.perf_counter()
    response = await client.post(
        f"{endpoint.url}/api/biosamples",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.id}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed


def cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def measure(endpoints: list[NodeEndpoint], pids: list[int], rounds: int) -> Figures:
    # One client per node, as the hub has: a fair comparison of the same HTTP work.
    clients = {e.id: httpx.AsyncClient(timeout=120) for e in endpoints}
    figures = Figures(alone={e.id: [] for e in endpoints})
    try:
        for endpoint in endpoints:  # warm up connections
            for i in range(3):
                await direct(clients[endpoint.id], endpoint, fresh_question(i))
        # The three measurements are interleaved round by round, so that whatever else
        # runs on the machine weighs on all three alike.
        async with Hub(HubConfig("bench-hub", tuple(endpoints))) as hub:
            await hub.query(fresh_question(0), requester="bench-hub-user")
            for i in range(rounds):
                cpu_hub, cpu_nodes = time.process_time(), cpu_of(pids)
                start = time.perf_counter()
                result = await hub.query(fresh_question(i), requester="bench-hub-user")
                figures.hub.append(time.perf_counter() - start)
                figures.cpu["hub"] += time.process_time() - cpu_hub
                figures.cpu["nodes"] += cpu_of(pids) - cpu_nodes
                if not result.complete:
                    bad = [(o.node_id, o.status, o.reason) for o in result.missing]
                    raise RuntimeError(f"incomplete fan-out: {bad}")
                figures.slowest_inside.append(max(o.elapsed_ms for o in result.outcomes) / 1000)
                question = fresh_question(i)
                start = time.perf_counter()
                await asyncio.gather(*(direct(clients[e.id], e, question) for e in endpoints))
                figures.together.append(time.perf_counter() - start)
                for endpoint, pid in zip(endpoints, pids, strict=True):
                    cpu_client, cpu_node = time.process_time(), cpu_of([pid])
                    figures.alone[endpoint.id].append(
                        await direct(clients[endpoint.id], endpoint, fresh_question(i))
                    )
                    figures.cpu["alone_client"] += time.process_time() - cpu_client
                    figures.cpu["alone_node"] += cpu_of([pid]) - cpu_node
    finally:
        for client in clients.values():
            await client.aclose()
    return figures


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report(title: str, figures: Figures, *, target: float = 1.5) -> None:
    """Print every figure of one setting, each with what it means."""
    alone = figures.alone
    print(f"\n{title}")
    print("   A. each node alone (ms)           p50      p95")
    for node_id, times in alone.items():
        print(f"      {node_id:<28}{ms(pct(times, 0.5))} {ms(pct(times, 0.95))}")
    slowest_id = max(alone, key=lambda n: pct(alone[n], 0.95))
    slowest = pct(alone[slowest_id], 0.95)
    hub, together, inside = figures.hub, figures.together, figures.slowest_inside
    print(f"   B. hub fan-out (ms)               {ms(pct(hub, 0.5))} {ms(pct(hub, 0.95))}")
    print(f"      slowest node inside it (ms)    {ms(pct(inside, 0.5))} {ms(pct(inside, 0.95))}")
    print(
        f"   C. direct concurrent (ms)         {ms(pct(together, 0.5))} {ms(pct(together, 0.95))}"
    )
    per_query = [h / s for h, s in zip(hub, inside, strict=True)]
    print(
        f"   headline  B p95 / slowest single node p95 = {pct(hub, 0.95) / slowest:.2f} "
        f"(target <= {target:g}; slowest node alone: {slowest_id}, {slowest * 1000:.1f} ms)"
    )
    print("             the issue's ratio: one fan-out against one node asked on its own")
    print(
        f"   B/C       hub p95 / direct concurrent p95 = {pct(hub, 0.95) / pct(together, 0.95):.2f}"
        "  what the hub adds over the nodes answering the same question together"
    )
    print(
        f"   inside    hub total / slowest node in the same fan-out: p50 "
        f"{pct(per_query, 0.5):.2f}, p95 {pct(per_query, 0.95):.2f};  p95/p95 "
        f"{pct(hub, 0.95) / pct(inside, 0.95):.2f}  the pure fan-out overhead"
    )
    slowest_p50 = max(pct(times, 0.5) for times in alone.values())
    print(f"   p50       hub p50 / slowest single node p50 = {pct(hub, 0.5) / slowest_p50:.2f}")
    rounds, asked = len(hub), sum(len(times) for times in alone.values())
    fan_cpu = (figures.cpu["hub"] + figures.cpu["nodes"]) / rounds
    one_cpu = (figures.cpu["alone_client"] + figures.cpu["alone_node"]) / asked
    cores = len(os.sched_getaffinity(0))
    print(
        f"   CPU       one fan-out uses {fan_cpu * 1000:.1f} ms of CPU (hub "
        f"{figures.cpu['hub'] / rounds * 1000:.1f}, nodes "
        f"{figures.cpu['nodes'] / rounds * 1000:.1f}); one single-node question "
        f"{one_cpu * 1000:.1f} ms (asker {figures.cpu['alone_client'] / asked * 1000:.1f}, "
        f"node {figures.cpu['alone_node'] / asked * 1000:.1f})"
    )
    print(
        f"             so on {cores} cores one fan-out takes at least "
        f"{fan_cpu / cores * 1000:.1f} ms of wall time (CPU / cores), "
        f"{fan_cpu / cores / slowest_p50:.1f} x the slowest single node's p50"
    )


def run_setting(
    specs: list[NodeSpec],
    args: argparse.Namespace,
    rounds: int,
    latency: dict[str, str] | None = None,
) -> Figures:
    start = time.perf_counter()
    procs, endpoints = start_nodes(specs, workdir=args.workdir, cube=args.cube, latency=latency)
    try:
        wait_ready(endpoints, procs)
        print(
            f"  {len(specs)} nodes loaded and serving in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        return asyncio.run(measure(endpoints, [p.pid for p in procs], rounds))
    finally:
        stop_nodes(procs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument(
        "--cube",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="nodes answer from their count cube (--no-cube: table scans)",
    )
    parser.add_argument(
        "--wan",
        choices=("on", "off"),
        default="on",
        help="(c) emulated WAN latency in the same run (on) or not (off)",
    )
    parser.add_argument(
        "--wan-eu-ms",
        default="20-40",
        help="one-way delay hub <-> EU node, ms: N or LOW-HIGH (each way)",
    )
    parser.add_argument(
        "--wan-cn-ms",
        default="150-250",
        help="one-way delay hub (EU) <-> Chinese node, ms: N or LOW-HIGH",
    )
    parser.add_argument("--wan-rounds", type=int, default=30)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "permed-bench-federation"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    print(
        f"federation benchmark: {args.nodes} nodes x {args.rows:,} samples, "
        f"{args.rounds} questions per measurement, count cube {'on' if args.cube else 'off'}; "
        f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    specs = prepare(args.workdir, args.nodes, args.rows)
    local = run_setting(specs, args, args.rounds)
    report(
        f"(a)+(b) all {args.nodes} nodes and the hub on this host ({cores} cores shared; loopback)",
        local,
    )
    print(f"   load average at the end: {os.getloadavg()[0]:.1f}")
    if args.wan == "off":
        print("\n(c) emulated WAN: off (--wan off)")
        return
    latency = {"EU": args.wan_eu_ms, "CN": args.wan_cn_ms}
    wan = run_setting(specs, args, args.wan_rounds, latency=latency)
    report(
        f"(c) EMULATED WAN (application-layer delay, no netem here; hub in the EU; one-way "
        f"{args.wan_eu_ms} ms to EU nodes, {args.wan_cn_ms} ms to Chinese nodes, drawn per "
        f"request and per reply; the nodes still share this host's {cores} cores)",
        wan,
        target=1.2,
    )
    print(f"   load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
