"""Every state-changing route of the assembled app, found from the app itself: each refuses
a logged-in request without the CSRF token, and each needs a role unless it is listed here
as public (with the reason). A route added tomorrow is checked the day it is added.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.security.routes_of_app import api_routes

from permed_atlas.capabilities import CAPABILITIES

SAFE = {"GET", "HEAD", "OPTIONS"}

PUBLIC_WRITES = {
    # they check the CSRF token themselves; logging in needs no account
    "/login",
    "/api/v1/auth/login",
    "/logout",
    "/api/v1/auth/logout",
    "/password",
    "/api/v1/auth/password",
    # the personal link's token is the expert's credential (experts have no account)
    "/delphi/respond/{token}",
    "/api/v1/delphi/respond/{token}",
    # computations on the posted body that store nothing
    "/api/v1/transfer/assess",
    "/api/v1/transfer/duo-match",
    "/api/v1/directory/funding-match",
}
MEMBER_WRITES = {
    # any member may ask for access; a node's answer is checked against the nodes the member
    # manages (tests/federation)
    "/federation/requests",
    "/federation/requests/{request_id}/answer",
}


def _writes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = sorted(
        (method, context.path)
        for context, _ in api_routes(app)
        for method in (context.methods or set()) - SAFE
    )
    assert len(found) >= 45  # the whole app is walked, not a part of it
    return found


def _sample(path: str) -> str:
    # the role and CSRF checks run before the route looks anything up: any valid value does
    return re.sub(r"{([^}:]+)[^}]*}", lambda m: "1" if m.group(1).endswith("_id") else "x", path)


def test_every_route_is_found_under_the_path_a_request_uses(app) -> None:  # type: ignore[no-untyped-def]
    # a router included into another (Delphi's manage and coordinate pages) keeps only its
    # own path on the route: a walk over that would request paths nobody serves
    names = [c.name for c in CAPABILITIES if c.routes and c.name != "accounts"]
    for context, _ in api_routes(app):
        module = context.endpoint.__module__
        capability = module.split(".")[1] if module.startswith("permed_atlas.") else ""
        if capability in names:
            assert context.path.startswith((f"/{capability}", f"/api/v1/{capability}")), (
                context.path,
                module,
            )
    paths = {context.path for context, _ in api_routes(app)}
    assert "/delphi/rounds/{round_id}/open" in paths
    assert "/delphi/studies/{study_id}/publish" in paths


def test_the_lists_of_public_writes_name_real_routes(app) -> None:  # type: ignore[no-untyped-def]
    paths = {path for _, path in _writes(app)}
    assert paths >= PUBLIC_WRITES | MEMBER_WRITES


def test_a_logged_in_write_without_the_csrf_token_is_refused_on_every_route(
    app, client: TestClient, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    login(client, "boss@example.org")  # the highest role: only the token can refuse
    del client.headers["X-CSRF-Token"]
    for method, path in _writes(app):
        for body in ({"data": {"x": "1"}}, {"json": {"x": "1"}}):
            response = client.request(method, _sample(path), follow_redirects=False, **body)
            assert response.status_code == 403, (method, path, body, response.status_code)
            assert "CSRF" in response.text, (method, path, response.text[:200])
            wrong = client.request(
                method,
                _sample(path),
                headers={"X-CSRF-Token": "forged-token-of-another-session-0123456789"},
                follow_redirects=False,
                **body,
            )
            assert wrong.status_code == 403 and "CSRF" in wrong.text, (method, path)


@pytest.mark.parametrize("role", [None, "member"])
def test_every_write_needs_its_role(
    app, client: TestClient, make_user, login, role: str | None
) -> None:  # type: ignore[no-untyped-def]
    if role is not None:
        make_user("someone@example.org", role)
        login(client, "someone@example.org")  # and the CSRF token: only the role can refuse
    allowed = PUBLIC_WRITES | (MEMBER_WRITES if role else set())
    checked = 0
    for method, path in _writes(app):
        if path in allowed:
            continue
        response = client.request(method, _sample(path), data={"x": "1"}, follow_redirects=False)
        expected = 403 if role else 401
        assert response.status_code == expected, (role, method, path, response.status_code)
        checked += 1
    assert checked >= 30
