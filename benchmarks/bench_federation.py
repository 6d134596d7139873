"""Benchmark: one count query across 10 nodes of 1M samples each, on loopback.

Generates (once, cached in --workdir) N synthetic biobank tables of R samples as
Parquet, starts one ``permed node serve`` process per table (DuckDB with one
answering thread each), then measures, with a fresh question every time (so no
node answers from its cache):

A. each node alone: one question sent straight to it while the others are idle,
   p50/p95 per node; the slowest node's p95 is the baseline;
B. the hub (:class:`permed_atlas.federation.Hub`): sequential fan-outs to all
   nodes at once, merged; p50/p95;
C. the same fan-out without the hub: the N questions sent concurrently straight
   to the nodes (asyncio.gather), the slowest answer per round; p50/p95.

It prints B/A (the brief's ratio; target <= 1.5) and B/C (what the hub itself
adds on top of the nodes answering together). On one machine the nodes share
its cores, so A -> C is the cost of N CPU-bound nodes on 2 cores, which separate
sites would not pay; B/C isolates the fan-out overhead.

    .venv/bin/python benchmarks/bench_federation.py --nodes 10 --rows 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from permed_atlas.federation._synthetic import write_synthetic_biobank
from permed_atlas.federation.auth import issue_token
from permed_atlas.federation.hub import Hub, HubConfig
from permed_atlas.federation.models import NodeEndpoint
from permed_atlas.federation.query import query_from_json, query_to_json

BASES = (
    "ICD10:C50,sex:female",
    "ICD10:chapter:II,material:SERUM,age_at_collection>=40",
    "material:DNA,collection_year>=2010",
    "ICD10:C61,age_at_collection>=60,age_at_collection<=70",
    "ICD10:E11,material:PLASMA",
    "sex:male,age_at_collection<=40",
)
COLUMNS = {"sample_id": "sample_id", "donor_id": "donor_id", "collection": "collection",
           "sample_type": "sample_type", "material": "material", "diagnosis": "icd10",
           "sex": "sex", "age_at_collection": "age_at_collection",
           "collection_year": "collection_year", "storage": "storage",
           "consent": "duo_codes", "country": "country"}
_serial = iter(range(10**9))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_question(index: int):  # type: ignore[no-untyped-def]
    """Question ``index`` of the mix, made unique by a no-op year bound so no cache answers it."""
    from permed_atlas.federation.query import parse_filter_text

    filters = parse_filter_text(BASES[index % len(BASES)])
    filters.append({"id": "collection_year", "operator": "<=",
                    "value": str(3000 + next(_serial))})
    return query_from_json({"query": {"filters": filters}})


def prepare(workdir: Path, nodes: int, rows: int) -> list[tuple[str, Path, Path, str, str]]:
    out = []
    for i in range(nodes):
        node_id = f"bench-{i:02d}"
        region, country = ("EU", "DE") if i % 2 == 0 else ("CN", "CN")
        data = workdir / f"{node_id}-{rows}.parquet"
        if not data.exists():
            start = time.perf_counter()
            write_synthetic_biobank(data, rows=rows, seed=100 + i, style="en", country=country,
                                    prefix=node_id, collections={"main": "DUO:0000042",
                                                                 "onc": "DUO:0000006"})
            print(f"  generated {data.name} in {time.perf_counter() - start:.1f} s", flush=True)
        secret = secrets.token_urlsafe(32)
        config = workdir / f"{node_id}.yaml"
        config.write_text(yaml.safe_dump({
            "node": {"id": node_id, "name": node_id, "region": region, "country": country},
            "disclosure": {"k": 5, "rounding": 1, "daily_budget": 1_000_000},
            "auth": {"trusted_issuers": {"bench-hub": {"secret": secret}}},
            "columns": COLUMNS,
        }), encoding="utf-8")
        out.append((node_id, data, config, secret, region))
    return out


def start_nodes(specs: list[tuple[str, Path, Path, str, str]]) -> tuple[
        list[subprocess.Popen[bytes]], list[NodeEndpoint]]:
    procs, endpoints = [], []
    for node_id, data, config, secret, region in specs:
        port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "permed_atlas", "node", "serve", "--data", str(data),
             "--config", str(config), "--port", str(port), "--threads", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True))
        endpoints.append(NodeEndpoint(node_id, node_id, f"http://127.0.0.1:{port}", region,
                                      "DE" if region == "EU" else "CN", secret, timeout_s=60))
    return procs, endpoints


def wait_ready(endpoints: list[NodeEndpoint], procs: list[subprocess.Popen[bytes]],
               limit_s: float = 900) -> None:
    deadline = time.monotonic() + limit_s
    pending = {e.id: e for e in endpoints}
    while pending:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"a node exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        for node_id, endpoint in list(pending.items()):
            try:
                token = issue_token(endpoint.secret, issuer="bench-hub", requester="bench",
                                    audience=node_id, now=int(time.time()))
                ok = httpx.get(f"{endpoint.url}/api/info", timeout=2,
                               headers={"Authorization": f"Bearer {token}"}).status_code == 200
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


async def direct(client: httpx.AsyncClient, endpoint: NodeEndpoint, question: object) -> float:
    token = issue_token(endpoint.secret, issuer="bench-hub", requester="bench-direct",
                        audience=endpoint.id, now=int(time.time()))
    start = time.perf_counter()
    response = await client.post(f"{endpoint.url}/api/biosamples",
                                 json=query_to_json(question),  # type: ignore[arg-type]
                                 headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.id}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed


async def measure(endpoints: list[NodeEndpoint], rounds: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        for endpoint in endpoints:  # warm up connections and DuckDB
            for i in range(3):
                await direct(client, endpoint, fresh_question(i))
        alone: dict[str, list[float]] = {e.id: [] for e in endpoints}
        together: list[float] = []
        hub_times: list[float] = []
        # The three measurements are interleaved round by round, so that whatever else
        # runs on the machine weighs on all three alike.
        async with Hub(HubConfig("bench-hub", tuple(endpoints)), client=client) as hub:
            for i in range(rounds):
                start = time.perf_counter()
                result = await hub.query(fresh_question(i), requester="bench-hub-user")
                hub_times.append(time.perf_counter() - start)
                if not result.complete:
                    bad = [(o.node_id, o.status, o.reason) for o in result.missing]
                    raise RuntimeError(f"incomplete fan-out: {bad}")
                question = fresh_question(i)
                start = time.perf_counter()
                await asyncio.gather(*(direct(client, e, question) for e in endpoints))
                together.append(time.perf_counter() - start)
                for endpoint in endpoints:
                    alone[endpoint.id].append(
                        await direct(client, endpoint, fresh_question(i)))
    return {"alone": alone, "together": together, "hub": hub_times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "permed-bench-federation")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"federation benchmark: {args.nodes} nodes x {args.rows:,} samples, "
          f"{args.rounds} questions per measurement, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    specs = prepare(args.workdir, args.nodes, args.rows)
    start = time.perf_counter()
    procs, endpoints = start_nodes(specs)
    try:
        wait_ready(endpoints, procs)
        print(f"  {args.nodes} nodes loaded and serving in {time.perf_counter() - start:.1f} s",
              flush=True)
        figures = asyncio.run(measure(endpoints, args.rounds))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    alone = figures["alone"]
    assert isinstance(alone, dict)
    print("\nA. each node alone (ms)      p50      p95")
    for node_id, times in alone.items():
        print(f"   {node_id:<22} {pct(times, .5) * 1000:8.1f} {pct(times, .95) * 1000:8.1f}")
    slowest_id = max(alone, key=lambda n: pct(alone[n], .95))
    slowest = pct(alone[slowest_id], .95)
    together, hub_times = figures["together"], figures["hub"]
    assert isinstance(together, list) and isinstance(hub_times, list)
    print(f"B. hub fan-out (ms)          {pct(hub_times, .5) * 1000:8.1f} "
          f"{pct(hub_times, .95) * 1000:8.1f}   mean {statistics.mean(hub_times) * 1000:.1f}")
    print(f"C. direct concurrent (ms)    {pct(together, .5) * 1000:8.1f} "
          f"{pct(together, .95) * 1000:8.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"\nslowest single node p95: {slowest * 1000:.1f} ms ({slowest_id})")
    print(f"hub p95 / slowest single node p95 (B/A): {pct(hub_times, .95) / slowest:.2f} "
          "(target <= 1.5)")
    print(f"hub p95 / direct concurrent p95 (B/C):   "
          f"{pct(hub_times, .95) / pct(together, .95):.2f}")
    slowest_p50 = max(pct(times, .5) for times in alone.values())
    print(f"hub p50 / slowest single node p50:        {pct(hub_times, .5) / slowest_p50:.2f}")


if __name__ == "__main__":
    main()
