"""50 experts saving at once on SQLite lose nothing: in-process threads and real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, select
from tests.delphi.factories import make_open_study
from tests.serving import serve_in_thread

from permed_atlas.db import session_factory
from permed_atlas.delphi.errors import DuplicateSubmissionError
from permed_atlas.delphi.service import submit_ratings
from permed_atlas.delphi.store import list_ratings
from permed_atlas.delphi.tables import InvitationRow, ResponseRow

N_EXPERTS = 50


def _build(engine: Engine, n_items: int = 6):  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        built = make_open_study(session, n_experts=N_EXPERTS, n_items=n_items)
        session.commit()
    return built


def _expected(index: int, position: int) -> int:
    return (index + position) % 5 + 1


def test_fifty_experts_saving_at_once_in_threads(engine: Engine) -> None:
    s = _build(engine)
    barrier = threading.Barrier(N_EXPERTS)
    factory = session_factory(engine)

    def save(index: int) -> None:
        token = s.tokens[s.experts[index].id]
        ratings = {item.id: _expected(index, p) for p, item in enumerate(s.items)}
        barrier.wait()
        with factory() as session:
            submit_ratings(session, token, ratings=ratings, revision=0)
            session.commit()

    with ThreadPoolExecutor(max_workers=N_EXPERTS) as pool:
        for future in [pool.submit(save, i) for i in range(N_EXPERTS)]:
            future.result()
    with factory() as session:
        stored = {(r.expert_id, r.item_id): r.value for r in list_ratings(session, s.round.id)}
        revisions = set(session.scalars(select(InvitationRow.revision)))
    assert len(stored) == N_EXPERTS * len(s.items)
    for index, expert in enumerate(s.experts):
        for p, item in enumerate(s.items):
            assert stored[(expert.id, item.id)] == _expected(index, p)
    assert revisions == {1}


def test_one_expert_in_many_windows_at_once(engine: Engine) -> None:
    s = _build(engine, n_items=3)
    token = s.tokens[s.experts[0].id]
    factory = session_factory(engine)
    barrier = threading.Barrier(10)

    def save(window: int) -> str:
        barrier.wait()
        with factory() as session:
            try:
                submit_ratings(
                    session,
                    token,
                    ratings={i.id: window % 5 + 1 for i in s.items},
                    comments={s.items[0].id: f"from window {window}"},
                    revision=0,
                )
            except DuplicateSubmissionError:
                session.rollback()
                return "conflict"
            session.commit()
            return "saved"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(save, range(10)))
    # the form was opened once: exactly one save wins, the others are told to reload
    assert outcomes.count("saved") == 1 and outcomes.count("conflict") == 9
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 3
        assert len({r.value for r in list_ratings(session, s.round.id)}) == 1


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    uv, thread, port = serve_in_thread(app, log_level="warning")
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


def test_fifty_experts_over_real_http(server: str, engine: Engine) -> None:
    s = _build(engine)
    barrier = threading.Barrier(N_EXPERTS)
    # one client shared by the threads (httpx clients are thread-safe); building 50 of
    # them at once costs seconds of TLS set-up that has nothing to do with the server
    limits = httpx.Limits(max_connections=N_EXPERTS, max_keepalive_connections=N_EXPERTS)
    http = httpx.Client(base_url=server, timeout=60, limits=limits)

    def post(index: int) -> int:
        token = s.tokens[s.experts[index].id]
        data = {f"rating_{item.id}": str(_expected(index, p)) for p, item in enumerate(s.items)}
        data["revision"] = "0"
        barrier.wait()
        return http.post(f"/delphi/respond/{token}", data=data).status_code

    with http, ThreadPoolExecutor(max_workers=N_EXPERTS) as pool:
        statuses = list(pool.map(post, range(N_EXPERTS)))
    assert statuses == [303] * N_EXPERTS
    with session_factory(engine)() as session:
        stored = {(r.expert_id, r.item_id): r.value for r in list_ratings(session, s.round.id)}
    assert len(stored) == N_EXPERTS * len(s.items)
    assert all(
        stored[(e.id, item.id)] == _expected(i, p)
        for i, e in enumerate(s.experts)
        for p, item in enumerate(s.items)
    )
