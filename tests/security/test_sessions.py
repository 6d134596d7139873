"""Finding 3: logins end on the server (logout, password change, role change, timeouts).

Before: logout only cleared the browser's cookie; a copy of it (plus its CSRF token)
kept writing as an editor for 14 days.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.security.pg import fresh_postgres_database

from permed_atlas.accounts import resolve_session, start_session
from permed_atlas.accounts.tables import UserSessionRow

PASSWORD = "correct-horse-battery"


def _replay(app, cookie: str, token: str) -> int:  # type: ignore[no-untyped-def]
    """An editor-only write sent with a stolen cookie and CSRF token; its status."""
    with TestClient(app, base_url="http://testserver") as thief:
        thief.cookies.set("permed_session", cookie)
        response = thief.post(
            "/api/v1/accounts/users",
            json={"email": "new@example.org", "password": "another-password", "role": "member"},
            headers={"X-CSRF-Token": token},
        )
        return response.status_code


def test_a_cookie_replayed_after_logout_writes_nothing(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin")
    token = login(client, "admin@example.org")
    cookie = client.cookies["permed_session"]
    # the replay works while the login lives (the test can fail)...
    with TestClient(app, base_url="http://testserver") as other:
        other.cookies.set("permed_session", cookie)
        assert other.get("/api/v1/auth/session").json()["user"]["email"] == "admin@example.org"
    client.post("/api/v1/auth/logout")
    # ...and not after logout
    assert _replay(app, cookie, token) in {401, 403}
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UserSessionRow)) == 0


def test_password_change_ends_every_login(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin")
    with TestClient(app, base_url="http://testserver") as laptop:
        login(laptop, "admin@example.org")
        laptop_cookie, laptop_token = (
            laptop.cookies["permed_session"],
            laptop.headers["X-CSRF-Token"],
        )
    login(client, "admin@example.org")
    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-brand-new-password"},
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    # the other device's login is gone; this one got a fresh login and still works
    assert _replay(app, laptop_cookie, laptop_token) in {401, 403}
    assert client.get("/api/v1/auth/session").json()["user"]["email"] == "admin@example.org"
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not-the-password", "new_password": "whatever-else-1"},
    )
    assert wrong.status_code == 401


def test_role_change_ends_the_users_logins(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin")
    editor = make_user("ed@example.org", "admin")
    with TestClient(app, base_url="http://testserver") as editor_client:
        login(editor_client, "ed@example.org")
        cookie, token = (
            editor_client.cookies["permed_session"],
            editor_client.headers["X-CSRF-Token"],
        )
    login(client, "admin@example.org")
    response = client.post(
        f"/accounts/users/{editor.id}/role", data={"role": "member"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _replay(app, cookie, token) in {401, 403}


def test_idle_and_absolute_timeouts(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    settings = app.state.settings
    user = make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    assert client.get("/api/v1/auth/session").json()["user"] is not None
    idle = timedelta(seconds=settings.session_idle_timeout + 5)
    with app.state.session_factory() as session:
        for row in session.scalars(select(UserSessionRow)):
            row.last_seen_at = row.last_seen_at - idle
        session.commit()
    assert client.get("/api/v1/auth/session").json()["user"] is None
    # absolute: an active login still ends when it is older than the absolute timeout
    with app.state.session_factory() as session:
        token = start_session(session, user_id=user.id)
        session.commit()
        row = session.scalar(select(UserSessionRow).order_by(UserSessionRow.id.desc()))
        assert row is not None
        limits = {
            "idle": settings.session_idle_timeout,
            "absolute": settings.session_absolute_timeout,
        }
        assert resolve_session(session, token, **limits) is not None
        later = row.created_at + timedelta(seconds=settings.session_absolute_timeout + 1)
        row.last_seen_at = later - timedelta(seconds=10)  # active ten seconds ago
        assert resolve_session(session, token, now=later, **limits) is None
        session.commit()
        assert resolve_session(session, token, **limits) is None  # and the row is gone


def test_the_cookie_holds_no_user_id_only_a_token(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    import base64
    import json

    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    payload = client.cookies["permed_session"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert "uid" not in data and len(data["sid"]) >= 40
    with app.state.session_factory() as session:
        stored = session.scalars(select(UserSessionRow.token_hash)).all()
    assert data["sid"] not in stored  # only the hash is kept


def test_the_password_page_changes_it_and_ends_other_logins(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    import re

    make_user("ed@example.org", "editor")
    with TestClient(app, base_url="http://testserver") as phone:
        login(phone, "ed@example.org")
        phone_cookie = phone.cookies["permed_session"]
    login(client, "ed@example.org")
    page = client.get("/password")
    assert page.status_code == 200 and 'name="new_password"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"current_password": "wrong-one", "new_password": "n3w-password!", "csrf_token": csrf[1]}
    assert client.post("/password", data=form).status_code == 401
    form["current_password"] = PASSWORD
    done = client.post("/password", data=form)
    assert done.status_code == 200 and 'data-testid="password-changed"' in done.text
    assert client.get("/api/v1/auth/session").json()["user"]["email"] == "ed@example.org"
    with TestClient(app, base_url="http://testserver") as phone_again:
        phone_again.cookies.set("permed_session", phone_cookie)
        assert phone_again.get("/api/v1/auth/session").json()["user"] is None
    # the new password works, the old one does not
    with TestClient(app, base_url="http://testserver") as fresh:
        token = fresh.get("/api/v1/auth/session").json()["csrf_token"]
        ok = fresh.post(
            "/api/v1/auth/login",
            json={"email": "ed@example.org", "password": "n3w-password!"},
            headers={"X-CSRF-Token": token},
        )
        assert ok.status_code == 200


@pytest.mark.postgres
def test_logins_end_on_postgres_too(settings, login) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.accounts import create_user
    from permed_atlas.web.app import create_app

    with fresh_postgres_database() as url:
        app = create_app(settings.model_copy(update={"database_url": url}))
        try:
            with app.state.session_factory() as session:
                create_user(session, email="admin@example.org", password=PASSWORD, role="admin")
                session.commit()
            with TestClient(app, base_url="http://testserver") as client:
                token = login(client, "admin@example.org")
                cookie = client.cookies["permed_session"]
                me = client.get("/api/v1/auth/session").json()["user"]
                assert me["email"] == "admin@example.org"
                client.post("/api/v1/auth/logout")
            assert _replay(app, cookie, token) in {401, 403}
        finally:
            app.state.engine.dispose()


def test_logging_in_over_a_live_login_ends_it(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    # Review round 2: a second login in the same browser (another account at a shared
    # computer, no logout) left the first login alive on the server for a copied cookie.
    make_user("admin@example.org", "admin")
    make_user("member@example.org", "member")
    token = login(client, "admin@example.org")
    cookie = client.cookies["permed_session"]
    login(client, "member@example.org")
    assert client.get("/api/v1/auth/session").json()["user"]["email"] == "member@example.org"
    assert _replay(app, cookie, token) in {401, 403}
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UserSessionRow)) == 1
