"""Login, logout, sessions, CSRF and login rate limiting over real HTTP (TestClient)."""

from __future__ import annotations

import re

from permed_atlas.accounts import MAX_FAILED_LOGINS

PASSWORD = "correct-horse-battery"


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF field"
    return match.group(1)


def test_login_form_logs_in_and_shows_the_user(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    page = client.get("/login?next=/landscape/search")
    assert page.status_code == 200
    token = _form_token(page.text)
    response = client.post(
        "/login",
        data={
            "email": "ed@example.org",
            "password": PASSWORD,
            "next": "/accounts/x",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/accounts/x"
    home = client.get("/")
    assert "ed@example.org (editor)" in home.text
    session = client.get("/api/v1/auth/session").json()
    assert session["user"] == {"id": 1, "email": "ed@example.org", "role": "editor"}
    # A fresh token after login: the pre-login one must not be reused (session fixation).
    assert session["csrf_token"] != token


def test_session_cookie_is_httponly_samesite_and_signed(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "ed@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    cookie = response.headers["set-cookie"]
    assert "permed_session=" in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
    # A tampered cookie is ignored (signature check), not trusted.
    value = client.cookies.get("permed_session")
    # Clear first: httpx2 (Starlette's test client when installed) keeps the server's
    # domain-scoped cookie beside a new host-less one instead of replacing it.
    client.cookies.clear()
    client.cookies.set("permed_session", value[:-4] + "AAAA")
    assert client.get("/api/v1/auth/session").json()["user"] is None


def test_production_cookies_are_secure(tmp_path, engine) -> None:
    from fastapi.testclient import TestClient

    from permed_atlas.settings import Settings
    from permed_atlas.web.app import create_app

    settings = Settings(data_dir=tmp_path / "prod", environment="production", secret_key="p" * 40)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        response = client.get("/api/v1/auth/session")
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_is_401_without_saying_which_part_was_wrong(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    token = _form_token(client.get("/login").text)
    response = client.post(
        "/login", data={"email": "ed@example.org", "password": "nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "wrong email or password" in response.text
    assert client.get("/api/v1/auth/session").json()["user"] is None


def test_login_is_rate_limited_with_429(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    for _ in range(MAX_FAILED_LOGINS):
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "ed@example.org", "password": "bad"},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "ed@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "too many failed logins" in response.json()["detail"]
    # The HTML form says so too.
    html = client.post(
        "/login", data={"email": "ed@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert html.status_code == 429 and "too many failed logins" in html.text


def test_login_without_csrf_token_is_refused(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    client.get("/login")
    response = client.post("/login", data={"email": "ed@example.org", "password": PASSWORD})
    assert response.status_code == 403 and "CSRF" in response.text
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "ed@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": "forged"},
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("missing or invalid CSRF token")


def test_logout_needs_the_token_and_ends_the_session(client, make_user, login) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    token = login(client, "ed@example.org", PASSWORD)
    del client.headers["X-CSRF-Token"]
    assert client.post("/logout", follow_redirects=False).status_code == 403
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/v1/auth/session").json()["user"] is None


def test_json_logout(client, make_user, login) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    login(client, "ed@example.org", PASSWORD)
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 200 and response.json()["user"] is None


def test_login_never_redirects_off_site(client, make_user) -> None:
    make_user("ed@example.org", "editor", PASSWORD)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        token = _form_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "email": "ed@example.org",
                "password": PASSWORD,
                "next": target,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        client.cookies.clear()


def test_logged_in_writes_anywhere_need_the_csrf_token(client, make_user, login) -> None:
    make_user("boss@example.org", "admin", PASSWORD)
    login(client, "boss@example.org", PASSWORD)
    del client.headers["X-CSRF-Token"]
    response = client.post(
        "/api/v1/accounts/users", json={"email": "new@example.org", "password": "pw-pw-pw-pw"}
    )
    assert response.status_code == 403


def test_deleted_user_session_is_dropped(app, client, make_user, login) -> None:
    from sqlalchemy import delete

    from permed_atlas.accounts.tables import UserRow

    make_user("ed@example.org", "editor", PASSWORD)
    login(client, "ed@example.org", PASSWORD)
    with app.state.session_factory() as session:
        session.execute(delete(UserRow))
        session.commit()
    assert client.get("/api/v1/auth/session").json()["user"] is None
