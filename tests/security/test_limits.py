"""Finding 2: limits on request bodies, free text and path ids.

Before: one personal link saved ten 10 MB comments (database 6 -> 106 MB, every
later form view 100 MB), and ids beyond 64 bits answered 500 on seven routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, String, func, insert, select
from tests.delphi.factories import make_open_study
from tests.security.routes_of_app import api_routes

from permed_atlas.db import Base, column_limit
from permed_atlas.delphi.tables import ResponseRow
from permed_atlas.errors import InvalidInputError
from permed_atlas.limits import COLUMN_MAX_LENGTH, COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH
from permed_atlas.web.app import create_app
from permed_atlas.web.deps import MAX_ID

HUGE_IDS = ["99999999999999999999", str(MAX_ID + 1), "-1", "0"]


@pytest.fixture
def small_body_app(settings, _migrated_platform_template) -> Iterator:  # type: ignore[no-untyped-def]
    import shutil

    settings.ensure_data_dir()
    shutil.copyfile(_migrated_platform_template, settings.data_dir / "platform.sqlite")
    application = create_app(settings.model_copy(update={"max_body_bytes": 64 * 1024}))
    yield application
    application.state.engine.dispose()


def _study(app):  # type: ignore[no-untyped-def]
    with app.state.session_factory() as session:
        built = make_open_study(session, n_experts=2, n_items=2)
        session.commit()
    return built


def test_a_body_over_the_limit_gets_413_by_content_length(small_body_app) -> None:  # type: ignore[no-untyped-def]
    built = _study(small_body_app)
    token = built.tokens[built.experts[0].id]
    item = built.items[0].id
    with TestClient(small_body_app) as client:
        data = {f"rating_{item}": "4", f"comment_{item}": "x" * 100_000, "revision": "0"}
        response = client.post(f"/delphi/respond/{token}", data=data)
        assert response.status_code == 413
    with small_body_app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 0


def test_a_streamed_body_without_length_is_counted(small_body_app) -> None:  # type: ignore[no-untyped-def]
    built = _study(small_body_app)
    token = built.tokens[built.experts[0].id]

    def chunks() -> Iterator[bytes]:
        yield b"revision=0&comment_1="
        for _ in range(200):  # 200 x 1 KiB: no Content-Length, chunked
            yield b"y" * 1024

    with TestClient(small_body_app) as client:
        response = client.post(
            f"/delphi/respond/{token}",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.status_code == 413
        # a JSON API body too
        response = client.post(
            "/api/v1/auth/login",
            content=(b"x" * 1024 for _ in range(100)),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413


def test_a_comment_over_its_limit_is_refused_naming_it_and_stores_nothing(app, client) -> None:  # type: ignore[no-untyped-def]
    built = _study(app)
    token = built.tokens[built.experts[0].id]
    item = built.items[0].id
    data = {f"rating_{item}": "4", f"comment_{item}": "z" * (COMMENT_MAX_LENGTH + 1)}
    data["revision"] = "0"
    response = client.post(f"/delphi/respond/{token}", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert f"at most {COMMENT_MAX_LENGTH:,}" in response.text
    assert "z" * 100 in response.text  # the form keeps what was typed
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 0
    data[f"comment_{item}"] = "z" * COMMENT_MAX_LENGTH
    response = client.post(f"/delphi/respond/{token}", data=data, follow_redirects=False)
    assert response.status_code == 303


def test_every_text_column_has_a_limit_that_every_write_enforces(session) -> None:  # type: ignore[no-untyped-def]
    unlimited = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | JSON) and column_limit(table, column) is None:
                unlimited.append(f"{table.name}.{column.name}")
    assert unlimited == [k for k, v in COLUMN_MAX_LENGTH.items() if v is None]
    # ORM flush and Core insert alike
    from permed_atlas.accounts.tables import AuditLogRow

    session.add(AuditLogRow(at=None, actor_id=None, action="x", target="t" * (TEXT_MAX_LENGTH + 1)))
    with pytest.raises(InvalidInputError, match=r"audit_log\.target"):
        session.flush()
    session.rollback()
    with pytest.raises(InvalidInputError, match=r"audit_log\.action"):
        session.execute(insert(AuditLogRow).values(action="a" * 101, target="t"))
    session.rollback()


def test_the_limits_are_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert f"{COMMENT_MAX_LENGTH:,}" in text and f"{TEXT_MAX_LENGTH:,}" in text
    for column in COLUMN_MAX_LENGTH:
        assert f"`{column}`" in text


def _int_path_routes(app):  # type: ignore[no-untyped-def]
    for route, _ in api_routes(app):
        ints = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        if ints:
            yield route, ints


def test_every_integer_path_id_is_bounded_to_64_bits(app) -> None:  # type: ignore[no-untyped-def]
    routes = list(_int_path_routes(app))
    assert len(routes) >= 25
    for route, _ in routes:
        for param in route.dependant.path_params:
            if param.field_info.annotation is not int:
                continue
            bounds = {type(m).__name__: m for m in param.field_info.metadata}
            assert "Le" in bounds and bounds["Le"].le <= MAX_ID, (route.path, param.name)


def _fill(template: str, ints: list[str], huge: str) -> str:
    return re.sub(r"{([^}:]+)[^}]*}", lambda m: huge if m.group(1) in ints else "x", template)


def test_huge_path_ids_get_404_or_422_on_every_route(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")  # past the role checks, to the id itself
    checked = 0
    for route, ints in _int_path_routes(app):
        for huge in HUGE_IDS:
            path = _fill(route.path, ints, huge)
            for method in sorted(route.methods - {"HEAD"}):
                response = client.request(method, path, data={} if method != "GET" else None)
                assert response.status_code in {404, 422}, (method, path, response.status_code)
                checked += 1
    assert checked >= 100


def _nul_login_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.accounts.tables import LoginAttemptRow

    with TestClient(app, base_url="http://testserver") as client:
        token = client.get("/api/v1/auth/session").json()["csrf_token"]
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "admin@example.org\x00", "password": "whatever-it-is"},
            headers={"X-CSRF-Token": token},
        )
    assert response.status_code == 422, response.text
    assert "login_attempt.email: contains a NUL character" in response.json()["detail"]
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttemptRow)) == 0


def test_a_nul_character_in_any_text_is_refused_naming_the_column(app, client) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL refuses a NUL in text with a DataError (a 500 before); SQLite stored it
    _nul_login_is_refused(app)
    built = _study(app)
    token = built.tokens[built.experts[0].id]
    item = built.items[0].id
    data = {f"rating_{item}": "4", f"comment_{item}": "fine\x00", "revision": "0"}
    response = client.post(f"/delphi/respond/{token}", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert "delphi_response.comment: contains a NUL character" in response.text
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 0


@pytest.mark.postgres
def test_a_nul_character_gets_422_on_postgres_too(settings) -> None:  # type: ignore[no-untyped-def]
    from tests.security.pg import fresh_postgres_database

    with fresh_postgres_database() as url:
        app = create_app(settings.model_copy(update={"database_url": url}))
        try:
            _nul_login_is_refused(app)
        finally:
            app.state.engine.dispose()
