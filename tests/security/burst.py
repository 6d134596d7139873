"""A burst of expensive, uncacheable requests while a prober times the cheap pages.

Used by tests/security/test_burst.py (bounded) and benchmarks/bench_burst.py (ratios).
Each heavy family yields distinct URLs (filters no cache has seen); ``run_burst`` sends
them from many clients at once (in a process of their own) for a while and times the cheap
pages (login form, home, a Delphi expert's rating form), one every 100 ms, before (idle) and
during the burst, sampling the server process's memory (its Chromium children included) and
open files. The server is uvicorn in a thread of this process (``load.serve``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml
from tests.security.load import quantile

from permed_atlas.settings import Settings

YEARS = range(2000, 2026)
COUNTRIES = ("", "DE", "CN", "FR", "IT", "ES", "NL", "US", "GB", "JP")
WORDS = ("cancer", "genomic", "biomarker", "therapy", "cohort", "tumour", "precision", "risk")
INDICATORS = ("output", "countries", "institutions", "topic_trends")
DIAGNOSES = ("C50", "C18", "C34", "C61", "E11", "I21", "C00-D48", "J45")
INDICATOR_CODES = ("national-programmes-eu27", "pm-guidelines-cn", "dpyd-centres-eu27")


def _filters(i: int) -> dict[str, str | int]:
    """The ``i``-th distinct filter combination (year range and country)."""
    span = len(YEARS)
    first = YEARS[i % span]
    last = YEARS[min(span - 1, (i // span + i) % span)]
    first, last = min(first, last), max(first, last)
    country = COUNTRIES[(i // (span * span)) % len(COUNTRIES)]
    params: dict[str, str | int] = {"year_from": first, "year_to": last}
    if country:
        params["country"] = country
    return params


def _url(path: str, params: dict[str, str | int]) -> str:
    return f"{path}?{urlencode(params)}"


# Each family: the i-th distinct request of its kind.
FAMILIES: dict[str, Callable[[int], str]] = {
    "dashboard": lambda i: _url("/api/v1/landscape/dashboard", _filters(i)),
    "dashboard page": lambda i: _url("/landscape/dashboard", _filters(i)),
    "search": lambda i: _url(
        "/landscape/search", {**_filters(i), "q": WORDS[i % len(WORDS)], "sort": "citations"}
    ),
    "network": lambda i: _url(
        "/api/v1/landscape/network",
        {**_filters(i), "level": "institution", "max_nodes": 200 + i % 800},
    ),
    "exports": lambda i: [
        _url("/landscape/search.csv", _filters(i)),
        _url("/api/v1/landscape/search/export", {**_filters(i), "format": "parquet"}),
        _url("/api/v1/landscape/network/export", {**_filters(i), "format": "vosviewer"}),
        _url(
            f"/api/v1/landscape/dashboard/{INDICATORS[i % len(INDICATORS)]}",
            {**_filters(i), "format": "csv"},
        ),
    ][i % 4],
    "partners": lambda i: _url(
        "/api/v1/partners/find",
        {"kind": "text", "q": f"{WORDS[i % 8]} {WORDS[(i // 8) % 8]} {i}", "limit": 1 + i % 50},
    ),
    "charts": lambda i: (
        f"/roadmap/indicators/{INDICATOR_CODES[i % 3]}/chart.{('png', 'svg')[i // 3 % 2]}"
    ),
    "pdf": lambda i: _url(
        "/helpdesk/answer.pdf",
        {"q": f"Can we send {i} blood samples from Germany to China for genomic research?"},
    ),
    "hub page": lambda i: _url(
        "/federation/", {"run": 1, "diagnosis": DIAGNOSES[i % 8], "age": f"{i % 60}-{i % 60 + 30}"}
    ),
    "hub api": lambda i: _url(
        "/api/v1/federation/query",
        {"diagnosis": DIAGNOSES[i % 8], "age": f"{i % 60}-{i % 60 + 30}"},
    ),
}
FAMILIES["helpdesk page"] = lambda i: _url(
    "/helpdesk/", {"q": f"Can we send {i} blood samples from Germany to China for research?"}
)
FAMILIES["directory"] = lambda i: _url("/directory/", {"q": f"{WORDS[i % 8]} {i}"})
FAMILIES["transfer"] = lambda i: _url(
    "/transfer/assess",
    {"from": ("DE", "FR", "CN")[i % 3], "to": ("CN", "DE", "US")[i // 3 % 3], "data": "health"},
)
# Not gated, for comparison: pages about as cheap as the ones the prober times; a flood of
# them is a request rate, for the reverse proxy's per-client limits (docs/security.md).
UNGATED = ("helpdesk compare", "helpdesk entries", "login form")
FAMILIES["helpdesk compare"] = lambda i: (
    "/helpdesk/compare?"
    + urlencode(
        {
            "topic": "trial_authorisation",
            "country": [("DE", "FR", "IT", "ES", "CN")[j % 5] for j in (i, i + 1 + i // 5 % 4)],
        },
        doseq=True,
    )
)
FAMILIES["helpdesk entries"] = lambda i: _url(
    "/helpdesk/entries",
    {
        "country": ("DE", "FR", "CN", "IT")[i % 4],
        "topic": ("trial_authorisation", "data_protection")[i // 4 % 2],
    },
)
FAMILIES["login form"] = lambda i: _url("/login", {"next": f"/landscape/search?page={i}"})
MIXED = (
    "dashboard", "search", "network", "exports", "partners", "charts", "pdf", "hub page",
    "helpdesk page", "directory", "transfer",
)  # fmt: skip
FAMILIES["mixed"] = lambda i: FAMILIES[MIXED[i % len(MIXED)]](i // len(MIXED))


@dataclass
class BurstResult:
    """What the prober and the burst saw."""

    idle: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    cheap_errors: list[str] = field(default_factory=list)
    heavy: Counter[str] = field(default_factory=Counter)
    heavy_bad: list[str] = field(default_factory=list)
    heavy_latencies: list[float] = field(default_factory=list)
    peak_mib: float = 0.0
    base_mib: float = 0.0
    peak_fds: int = 0
    peak_children: int = 0
    wall_s: float = 0.0

    @property
    def ratio(self) -> float:
        return quantile(self.during, 0.95) / quantile(self.idle, 0.95)

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.heavy.items()))
        return (
            f"cheap p50 idle {quantile(self.idle, 0.5) * 1000:.0f} ms, "
            f"p95 idle {quantile(self.idle, 0.95) * 1000:.0f} ms, "
            f"p95 burst {quantile(self.during, 0.95) * 1000:.0f} ms, "
            f"max burst {max(self.during, default=float('nan')) * 1000:.0f} ms "
            f"(n={len(self.during)}), ratio {self.ratio:.1f}; cheap errors "
            f"{len(self.cheap_errors)}; heavy [{statuses}] bad {len(self.heavy_bad)}, "
            f"heavy p50 {quantile(self.heavy_latencies, 0.5) * 1000:.0f} ms; "
            f"memory (PSS) {self.base_mib:.0f} -> {self.peak_mib:.0f} MiB "
            f"(children {self.peak_children}), fds {self.peak_fds}, {self.wall_s:.1f} s"
        )


def _tree_pss_mib(*, leave_out: int | None = None) -> tuple[float, int]:
    """Memory of this process and all its descendants (Chromium), and how many descendants.

    Proportional set size: pages shared by Chromium's processes count once, not per process.
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree and pid != leave_out:
                tree.add(pid)
                frontier.append(pid)
    kib = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kib += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
    return kib / 1024, len(tree) - 1


def _monitor(result: BurstResult, stop: threading.Event, clients_pid: int | None) -> None:
    while not stop.wait(0.2):
        mib, children = _tree_pss_mib(leave_out=clients_pid)
        result.peak_mib = max(result.peak_mib, mib)
        result.peak_children = max(result.peak_children, children)
        result.peak_fds = max(result.peak_fds, len(os.listdir("/proc/self/fd")))


def _probe(
    base_url: str, cheap: Sequence[str], until: Callable[[], bool], *, every: float
) -> tuple[list[float], list[str]]:
    """Request the cheap pages in turn, one every ``every`` seconds, until ``until()``.

    Open loop, as visitors arrive: a page is requested on time even when the ones before
    are still waiting, so a stall shows in every request that arrives during it.
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    local = threading.local()
    clients: list[httpx.Client] = []

    def visit(url: str) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, timeout=60)
            with lock:
                clients.append(local.client)
        start = time.perf_counter()
        try:
            status = local.client.get(url).status_code
        except httpx.HTTPError as exc:
            with lock:
                errors.append(f"GET {url}: {type(exc).__name__} {exc}")
            return
        with lock:
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"GET {url}: {status}")

    try:
        with ThreadPoolExecutor(max_workers=100) as pool:
            tick = time.monotonic()
            i = 0
            while not until():
                pool.submit(visit, cheap[i % len(cheap)])
                i += 1
                tick += every
                time.sleep(max(0.0, tick - time.monotonic()))
    finally:
        for client in clients:
            client.close()
    return latencies, errors


def run_burst(
    base_url: str,
    family: str,
    cheap: Sequence[str],
    *,
    clients: int = 150,
    seconds: float = 8.0,
    idle_probes: int = 30,
    every: float = 0.1,
) -> BurstResult:
    """Time the cheap pages idle, then while ``clients`` send distinct requests of ``family``.

    The clients run in a process of their own (so their work does not take this process's
    CPU and GIL from the server); each sends ``FAMILIES[family](i)`` for fresh ``i`` one after
    another, not waiting for a Retry-After, until ``seconds`` have passed. The prober runs
    until the last answer. A heavy answer must be 2xx/4xx, or 503 with Retry-After; anything
    else (another 5xx, a dropped connection, a timeout) is listed in ``heavy_bad``.
    """
    result = BurstResult()
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for url in list(cheap) * 2:  # first visits open the corpus, fill caches
            http.get(url)
    time.sleep(1)  # the last burst's connections are closed
    result.base_mib = _tree_pss_mib()[0]
    idle_left = iter(range(idle_probes))
    result.idle, result.cheap_errors = _probe(
        base_url, cheap, lambda: next(idle_left, None) is None, every=every
    )
    context = multiprocessing.get_context("spawn")  # no fork of a process running threads
    answers = context.Queue()
    ready = context.Event()
    burst = context.Process(
        target=_send_burst, args=(base_url, family, clients, seconds, ready, answers)
    )
    burst.start()
    if not ready.wait(60):
        burst.kill()
        raise RuntimeError("the burst's client process did not start")
    stop = threading.Event()
    monitor = threading.Thread(target=_monitor, args=(result, stop, burst.pid), daemon=True)
    monitor.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        prober = pool.submit(_probe, base_url, cheap, lambda: not burst.is_alive(), every=every)
        sent = answers.get(timeout=seconds + 300)
        burst.join()
        result.during, errors = prober.result()
    result.wall_s = time.perf_counter() - start
    stop.set()
    monitor.join()
    result.cheap_errors += errors
    result.heavy.update(sent["statuses"])
    result.heavy_bad = sent["bad"]
    result.heavy_latencies = sent["latencies"]
    return result


def _send_burst(
    base_url: str, family: str, clients: int, seconds: float, ready: Any, answers: Any
) -> None:
    """In the clients' process: ``clients`` tasks sending requests of ``family``."""
    make_url = FAMILIES[family]
    statuses: Counter[str] = Counter()
    bad: list[str] = []
    latencies: list[float] = []
    numbers = iter(range(10**9))

    async def client(http: httpx.AsyncClient, deadline: float) -> None:
        while time.monotonic() < deadline:
            url = make_url(next(numbers))
            start = time.perf_counter()
            try:
                response = await http.get(url)
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                bad.append(f"{url}: {type(exc).__name__} {exc}")
                continue
            latencies.append(time.perf_counter() - start)
            status = response.status_code
            statuses[str(status)] += 1
            if status >= 500 and not (status == 503 and "retry-after" in response.headers):
                bad.append(f"{url}: {status} {response.text[:200]}")

    async def main() -> None:
        # One connection each, made before the start: a client's own TLS context takes
        # ~35 ms to build, which would spread 150 clients' start over 5 s.
        tls = ssl.create_default_context()
        https = [
            httpx.AsyncClient(base_url=base_url, timeout=120, verify=tls) for _ in range(clients)
        ]
        ready.set()
        deadline = time.monotonic() + seconds
        try:
            await asyncio.gather(*(client(http, deadline) for http in https))
        finally:
            for http in https:
                await http.aclose()

    asyncio.run(main())
    answers.put({"statuses": dict(statuses), "bad": bad, "latencies": latencies})


@contextmanager
def silent_nodes(count: int) -> Iterator[list[str]]:
    """``count`` biobank nodes that accept connections and never answer (a stuck site)."""
    listeners = []
    held: list[socket.socket] = []
    closing = threading.Event()

    def accept(listener: socket.socket) -> None:
        listener.settimeout(0.2)
        while not closing.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    for _ in range(count):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)
        listeners.append(listener)
        threading.Thread(target=accept, args=(listener,), daemon=True).start()
    try:
        yield [f"http://127.0.0.1:{s.getsockname()[1]}" for s in listeners]
    finally:
        closing.set()
        time.sleep(0.3)
        for sock in held + listeners:
            sock.close()


def write_registry(data_dir: Path, urls: Sequence[str], *, timeout_s: float) -> None:
    """A hub registry (``federation/nodes.yaml``) naming nodes at ``urls``."""
    folder = data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    nodes = [
        {
            "id": f"node-{i}",
            "name": f"Node {i}",
            "url": url,
            "region": "EU",
            "country": "DE",
            "secret": f"secret-of-node-{i}-0123456789abcdef",
            "timeout_s": timeout_s,
        }
        for i, url in enumerate(urls)
    ]
    (folder / "nodes.yaml").write_text(
        yaml.safe_dump({"hub": {"issuer": "permed-hub"}, "nodes": nodes}), encoding="utf-8"
    )


def build_demo_corpus(settings: Settings) -> None:
    """The bundled demo corpus (2,500 works, 300 patents) with partner profiles, published.

    About 6 s; copy ``settings.corpus_path`` and its snapshots folder to reuse it.
    """
    from permed_atlas.demo import bundled_demo_files
    from permed_atlas.landscape import open_corpus, publish_snapshot, run_ingest
    from permed_atlas.partners import ensure_profiles

    settings.ensure_data_dir()
    for source, path in bundled_demo_files().items():
        run_ingest([path], source=source, settings=settings)  # type: ignore[arg-type]
    with open_corpus(settings.corpus_path) as corpus:
        ensure_profiles(corpus)
        # the app reads published snapshots: publish one holding the profiles
        publish_snapshot(corpus, settings.corpus_path)
