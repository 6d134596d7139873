"""Finding 1: no database call on the event loop, in any route of the assembled app.

An ``async def`` route that queries the database stalls every other request for as
long as the query (or the pool timeout) takes. Two checks: a static walk of every
route's endpoint and dependencies that refuses an ``async def`` naming the database,
and a run of every route under a detector that records SQL executed on the loop.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import event
from tests.security.routes_of_app import api_routes, calls_of

from permed_atlas.web.deps import SessionDep

# Names that mean "this code reads or writes a database" (or renders a page, which
# looks up the logged-in user in the database).
BLOCKING_NAMES = frozenset(
    {
        "session",
        "session_factory",
        "SessionDep",
        "CorpusDep",
        "corpus",
        "cursor",
        "current_user_of",
        "render",
        "render_page",
        "store",
        "engine",
    }
)
# Calls whose arguments run in a worker thread, so naming the database inside them is fine.
OFF_LOOP_CALLS = frozenset({"run_in_threadpool", "run_sync", "to_thread"})


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def blocking_names_in(function: Callable[..., Any]) -> set[str]:
    """The database names an async function uses on the event loop (not via a thread)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and _call_name(node) in OFF_LOOP_CALLS:
            return
        if isinstance(node, ast.Name) and node.id in BLOCKING_NAMES:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in BLOCKING_NAMES:
            # request.session is the signed cookie's dict, not a database session
            is_cookie = isinstance(node.value, ast.Name) and node.value.id == "request"
            if not is_cookie:
                found.add(node.attr)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            annotation = ast.unparse(node.annotation)
            found.update(re.findall(r"SessionDep|CorpusDep|Session\b", annotation))
        for child in ast.iter_child_nodes(node):
            visit(child)

    definition = tree.body[0]
    for child in ast.iter_child_nodes(definition):
        visit(child)
    return found


def async_routes_doing_sync_io(app: FastAPI) -> list[str]:
    """Every ``async def`` endpoint or dependency of ``app`` that names the database."""
    offenders = []
    for route, router_calls in api_routes(app):
        for call in [*calls_of(route), *router_calls]:
            if not inspect.iscoroutinefunction(call):
                continue
            names = blocking_names_in(call)
            if names:
                offenders.append(
                    f"{sorted(route.methods)} {route.path}: async {call.__qualname__} uses "
                    f"{', '.join(sorted(names))} on the event loop"
                )
    return sorted(set(offenders))


def test_no_async_route_of_the_app_touches_the_database(app: FastAPI) -> None:
    assert len(api_routes(app)) > 100  # the whole app is walked, not a part of it
    assert async_routes_doing_sync_io(app) == []


def test_the_check_catches_an_async_route_that_queries() -> None:
    demo = FastAPI()

    @demo.post("/bad/{token}")
    async def bad(token: str, session: SessionDep) -> str:
        return str(session.get(object, token))

    @demo.get("/fine")
    async def fine() -> str:
        return "ok"

    offenders = async_routes_doing_sync_io(demo)
    assert len(offenders) == 1 and "/bad/{token}" in offenders[0]


def _sample_path(route: APIRoute) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        param = next((p for p in route.dependant.path_params if p.name == name), None)
        annotation = getattr(param, "type_", str) if param else str
        return "1" if annotation is int else "x"

    return re.sub(r"{([^}]+)}", value, route.path)


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False  # a worker thread: fine
    return True


def test_every_route_runs_its_sql_off_the_event_loop(  # type: ignore[no-untyped-def]
    app: FastAPI, web_corpus, client, make_user, login, monkeypatch
):
    """Call every route (as an admin, with a CSRF token) and record SQL or corpus use on
    the loop."""
    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    on_loop: list[str] = []

    def detect(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if _on_loop():
            on_loop.append(statement.split("\n")[0][:80])

    corpus = app.state.corpus
    open_cursor = corpus.cursor

    cursors: list[None] = []

    def watched_cursor():  # type: ignore[no-untyped-def]
        cursors.append(None)
        if _on_loop():
            on_loop.append("a DuckDB corpus cursor")
        yield from open_cursor()

    monkeypatch.setattr(corpus, "cursor", watched_cursor)
    event.listen(app.state.engine, "before_cursor_execute", detect)
    called = 0
    try:
        for route, _ in api_routes(app):
            if route.path.endswith(".pdf"):
                continue
            path = _sample_path(route)
            for method in sorted(route.methods - {"HEAD"}):
                before = len(on_loop)
                client.request(method, path, data={} if method != "GET" else None)
                called += 1
                assert len(on_loop) == before, f"{method} {path} ran SQL on the loop: {on_loop}"
    finally:
        event.remove(app.state.engine, "before_cursor_execute", detect)
    assert called > 100
    assert len(cursors) > 10  # the landscape routes really read the corpus under the watch
