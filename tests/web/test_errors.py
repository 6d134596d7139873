"""Domain errors become 4xx pages or JSON; nothing leaks a traceback."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from permed_atlas.errors import (
    InvalidInputError,
    NotFoundError,
    PermedError,
    PermissionDeniedError,
)
from permed_atlas.web.errors import status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError("no such study"), 404),
        (InvalidInputError("bad year", field="year"), 422),
        (PermissionDeniedError("not yours"), 403),
        (PermedError("something else"), 400),
    ],
)
def test_status_for_domain_errors(error, status) -> None:
    assert status_for(error) == status


@pytest.fixture
def raising_client(app):  # type: ignore[no-untyped-def]
    router = APIRouter()

    @router.get("/boom/{what}")
    @router.get("/api/v1/boom/{what}")
    def boom(what: str) -> None:
        raise {
            "missing": NotFoundError("no study 7"),
            "invalid": InvalidInputError("year must be a number", field="year"),
            "denied": PermissionDeniedError("only the owner may do this"),
            "other": PermedError("cannot do that now"),
            "bug": RuntimeError("secret internal detail /srv/permed/app.py line 12"),
        }[what]

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("what", "status", "text"),
    [
        ("missing", 404, "no study 7"),
        ("invalid", 422, "year must be a number"),
        ("denied", 403, "only the owner may do this"),
        ("other", 400, "cannot do that now"),
    ],
)
def test_domain_errors_as_json_and_html(raising_client, what, status, text) -> None:
    api = raising_client.get(f"/api/v1/boom/{what}")
    assert api.status_code == status
    assert api.json()["detail"] == text
    if what == "invalid":
        assert api.json()["field"] == "year"
    page = raising_client.get(f"/boom/{what}")
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert text in page.text and "<html" in page.text


def test_unexpected_errors_are_500_without_a_leak(raising_client) -> None:
    for path in ("/boom/bug", "/api/v1/boom/bug"):
        response = raising_client.get(path)
        assert response.status_code == 500
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text
        assert "unexpected error" in response.text


def test_unknown_pages_are_404_pages_and_json(client) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "Not found" in page.text
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found", "field": None}


def test_validation_errors_name_the_field(client) -> None:
    response = client.get("/api/v1/landscape/search?page_size=100000")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "page_size" and body["detail"][0]["loc"] == ["query", "page_size"]
    # A page answers the same mistake inline, in words, and still shows its results.
    page = client.get("/landscape/search?page_size=100000")
    assert page.status_code == 200 and 'data-testid="form-problems"' in page.text
    assert 'data-field="page_size"' in page.text and "at most 100" in page.text


def test_pages_needing_a_role_say_so(client, make_user, login) -> None:
    assert client.get("/accounts/users").status_code == 401
    assert "Log in" in client.get("/accounts/users").text
    make_user("m@example.org", "member")
    login(client, "m@example.org")
    response = client.get("/api/v1/accounts/users")
    assert response.status_code == 403 and response.json()["detail"] == "this needs the admin role"
