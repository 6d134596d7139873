"""Real-HTTP load on the Delphi pages: experts using the HTML form while API readers poll.

Used by tests/security/test_load.py (bounded) and benchmarks/bench_web_load.py (p95).
The server is uvicorn on a free loopback port, in a thread of this process.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI
from tests.delphi.factories import OpenStudy, make_open_study
from tests.serving import serve_in_thread

from permed_atlas.delphi.store import list_ratings

_REVISION = re.compile(r'name="revision" value="(\d+)"')


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@contextmanager
def serve(app: FastAPI, *, log_level: str = "warning") -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 until the block ends; yields its base URL.

    ``log_level="info"`` writes uvicorn's access log, as ``permed serve`` does.
    """
    server, thread, port = serve_in_thread(app, log_level=log_level)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def build_study(app: FastAPI, *, experts: int, items: int = 6, slug: str = "load") -> OpenStudy:
    with app.state.session_factory() as session:
        built = make_open_study(session, n_experts=experts, n_items=items, slug=slug)
        session.commit()
    return built


def expected_rating(expert_index: int, position: int) -> int:
    return (expert_index + position) % 5 + 1


@dataclass
class LoadResult:
    """What the run saw: latencies per kind, errors, and what the database kept."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    answered: int = 0
    sent: int = 0
    ratings_expected: int = 0
    ratings_stored_right: int = 0
    wall_s: float = 0.0

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def p95(self, kind: str) -> float:
        return quantile(self.latencies.get(kind, []), 0.95)

    def median(self, kind: str) -> float:
        values = self.latencies.get(kind, [])
        return statistics.median(values) if values else float("nan")

    @property
    def lost(self) -> int:
        return self.ratings_expected - self.ratings_stored_right


def run_load(
    app: FastAPI, base_url: str, study: OpenStudy, *, readers: int, reads_each: int
) -> LoadResult:
    """Every expert opens the form, saves it and sees the confirmation; readers poll the API.

    One more client posts the form with an invalid token (the request that used to
    hold the event loop). Everyone starts at one barrier.
    """
    experts = len(study.experts)
    result = LoadResult()
    lock = threading.Lock()
    barrier = threading.Barrier(experts + readers + 1)
    # One client per thread, as each expert has a browser of their own: a pool shared by 91
    # threads once read a socket another thread had just closed (EBADF), a client-side race
    # that said nothing about the server.
    local = threading.local()
    clients: list[httpx.Client] = []

    def http() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, timeout=60)
            with lock:
                clients.append(local.client)
        return local.client

    def timed(kind: str, method: str, url: str, ok: int, **kwargs: object) -> httpx.Response | None:
        with lock:
            result.sent += 1
        start = time.perf_counter()
        try:
            response = http().request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            with lock:
                result.errors.append(f"{method} {url}: {type(exc).__name__} {exc}")
            return None
        elapsed = time.perf_counter() - start
        with lock:
            result.answered += 1
            result.record(kind, elapsed)
            if response.status_code != ok:
                result.errors.append(f"{method} {url}: {response.status_code}")
        return response

    def expert(index: int) -> None:
        token = study.tokens[study.experts[index].id]
        barrier.wait()
        page = timed("form GET", "GET", f"/delphi/respond/{token}", 200)
        match = _REVISION.search(page.text) if page is not None else None
        data = {
            f"rating_{item.id}": str(expected_rating(index, p))
            for p, item in enumerate(study.items)
        }
        data[f"comment_{study.items[0].id}"] = f"expert {index} thinks so"
        data["revision"] = match.group(1) if match else "0"
        saved = timed("form POST", "POST", f"/delphi/respond/{token}", 303, data=data)
        if saved is not None and saved.status_code == 303:
            timed("form GET", "GET", saved.headers["location"], 200)

    def reader(_: int) -> None:
        barrier.wait()
        for _ in range(reads_each):
            timed("API GET", "GET", f"/api/v1/delphi/studies/{study.study.id}", 200)

    def intruder(_: int) -> None:
        barrier.wait()
        timed("bad token POST", "POST", "/delphi/respond/not-a-token", 404, data={"rating_1": "5"})

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=experts + readers + 1) as pool:
            futures = [pool.submit(expert, i) for i in range(experts)]
            futures += [pool.submit(reader, i) for i in range(readers)]
            futures.append(pool.submit(intruder, 0))
            for future in futures:
                future.result()
    finally:
        for client in clients:
            client.close()
    result.wall_s = time.perf_counter() - start
    with app.state.session_factory() as session:
        stored = {(r.expert_id, r.item_id): r.value for r in list_ratings(session, study.round.id)}
    result.ratings_expected = experts * len(study.items)
    result.ratings_stored_right = sum(
        1
        for i, e in enumerate(study.experts)
        for p, item in enumerate(study.items)
        if stored.get((e.id, item.id)) == expected_rating(i, p)
    )
    return result
