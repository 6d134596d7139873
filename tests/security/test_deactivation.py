"""Taking an account away: a stolen laptop, or someone who left the project.

Before: ``permed user`` could only add and list; an admin had no way to stop an account,
so a stolen editor's or admin's cookie kept working until its timeout and the password
kept logging in. Now ``permed user deactivate`` (or the admin page) stops the account:
its logins end on the next request and the login refuses it exactly like a wrong password.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from permed_atlas.accounts import list_audit, list_users
from permed_atlas.accounts.tables import UserSessionRow
from permed_atlas.cli import app as cli_app

PASSWORD = "correct-horse-battery"


@pytest.fixture
def permed(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Run ``permed ...`` on the web app's own data directory, as an administrator would."""
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))

    def _run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli_app, list(args))

    return _run


def _browser(app):  # type: ignore[no-untyped-def]
    return TestClient(app, base_url="http://testserver")


def _create_user(client, name: str):  # type: ignore[no-untyped-def]
    """An admin-only write, with whatever cookie and CSRF token the client holds."""
    return client.post(
        "/api/v1/accounts/users",
        json={"email": f"{name}@example.org", "password": "another-password", "role": "admin"},
    )


def _login_json(app, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    with _browser(app) as fresh:
        token = fresh.get("/api/v1/auth/session").json()["csrf_token"]
        return fresh.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": token},
        )


def _emails(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.state.session_factory() as session:
        return [u.email for u in list_users(session)]


def test_a_stolen_laptops_login_ends_at_its_next_request(app, make_user, login, permed) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    ann = make_user("ann@example.org", "admin")
    with _browser(app) as laptop:  # the thief holds the cookie and the page's CSRF token
        login(laptop, "ann@example.org")
        # the stolen login works before (the test can fail)...
        assert _create_user(laptop, "before").status_code == 201
        result = permed("user", "deactivate", "ANN@example.org")
        assert result.exit_code == 0, result.output
        assert "deactivated ann@example.org" in result.output
        # ...and not at the very next request: no write, not even logged in
        assert _create_user(laptop, "after").status_code in {401, 403}
        assert laptop.get("/api/v1/auth/session").json()["user"] is None
        assert laptop.get("/accounts/users", follow_redirects=False).status_code in {303, 401}
    assert "after@example.org" not in _emails(app)
    with app.state.session_factory() as session:
        count = select(func.count()).where(UserSessionRow.user_id == ann.id)
        assert session.scalar(count) == 0
        entry = list_audit(session, action="user.deactivate")[0]
    assert entry.target == f"user:{ann.id}" and entry.actor_id is None
    assert entry.detail == {"was_active": True, "sessions_ended": 1}


def test_a_deactivated_account_is_refused_like_a_wrong_password(app, make_user, permed) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    make_user("ed@example.org", "editor")
    assert _login_json(app, "ed@example.org").status_code == 200
    assert permed("user", "deactivate", "ed@example.org").exit_code == 0
    refused = _login_json(app, "ed@example.org")
    wrong = _login_json(app, "boss@example.org", "not-the-password")
    nobody = _login_json(app, "nobody@example.org")
    assert refused.status_code == wrong.status_code == nobody.status_code == 401
    assert refused.json() == wrong.json() == nobody.json()  # nothing says the account exists
    # the HTML form too: the same page as for a wrong password
    pages = []
    for email, password in (("ed@example.org", PASSWORD), ("boss@example.org", "wrong-pass")):
        with _browser(app) as browser:
            form = browser.get("/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert csrf is not None
            page = browser.post(
                "/login", data={"email": email, "password": password, "csrf_token": csrf[1]}
            )
            pages.append((page.status_code, re.sub(r'value="[^"]*"', "", page.text)))
            assert browser.get("/api/v1/auth/session").json()["user"] is None
    assert pages[0][0] == 401 and pages[0] == pages[1]


def test_reactivation_allows_a_new_login_but_not_the_old_cookie(
    app, make_user, login, permed
) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    make_user("ann@example.org", "admin")
    with _browser(app) as laptop:
        login(laptop, "ann@example.org")
        assert permed("user", "deactivate", "ann@example.org").exit_code == 0
        result = permed("user", "activate", "ann@example.org")
        assert result.exit_code == 0 and "activated ann@example.org" in result.output
        # the stolen cookie stays dead; only a login with the password works again
        assert _create_user(laptop, "thief").status_code in {401, 403}
    assert _login_json(app, "ann@example.org").status_code == 200
    assert "thief@example.org" not in _emails(app)


def test_the_last_active_admin_cannot_be_deactivated(app, client, make_user, login, permed) -> None:  # type: ignore[no-untyped-def]
    boss = make_user("boss@example.org", "admin")
    other = make_user("other@example.org", "admin")
    assert permed("user", "deactivate", "other@example.org").exit_code == 0
    # an inactive admin does not count: boss is now the last one
    refused = permed("user", "deactivate", "boss@example.org")
    assert refused.exit_code != 0
    assert "boss@example.org is the last admin" in str(refused.exception)
    login(client, "boss@example.org")  # still works
    page = client.post(f"/accounts/users/{boss.id}/deactivate", follow_redirects=False)
    assert page.status_code == 409
    api = client.post(f"/api/v1/accounts/users/{boss.id}/deactivate")
    assert api.status_code == 409
    assert client.get("/api/v1/auth/session").json()["user"]["email"] == "boss@example.org"
    # once the other admin is back, boss may go
    assert client.post(f"/api/v1/accounts/users/{other.id}/activate").json()["is_active"]
    assert permed("user", "deactivate", "boss@example.org").exit_code == 0


def test_a_dry_run_changes_nothing(app, make_user, login, permed) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    make_user("ann@example.org", "admin")
    with _browser(app) as laptop:
        login(laptop, "ann@example.org")
        result = permed("user", "deactivate", "ann@example.org", "--dry-run")
        assert result.exit_code == 0 and "would deactivate ann@example.org" in result.output
        assert laptop.get("/api/v1/auth/session").json()["user"]["email"] == "ann@example.org"
        assert _create_user(laptop, "still").status_code == 201
    assert _login_json(app, "ann@example.org").status_code == 200
    with app.state.session_factory() as session:
        assert list_audit(session, action="user.deactivate") == []
        assert all(u.is_active for u in list_users(session))


def test_an_unknown_user_is_named_in_the_error(app, make_user, permed) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    for command in ("deactivate", "activate"):
        result = permed("user", command, "ghost@example.org")
        assert result.exit_code != 0
        assert "no account for ghost@example.org" in str(result.exception)


def test_the_admin_page_deactivates_with_its_csrf_token_only(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("boss@example.org", "admin")
    ed = make_user("ed@example.org", "editor")
    with _browser(app) as laptop:
        login(laptop, "ed@example.org")
        token = login(client, "boss@example.org")
        del client.headers["X-CSRF-Token"]
        page = client.get("/accounts/users")
        assert f'action="/accounts/users/{ed.id}/deactivate"' in page.text
        # a forged form (no token) from another site changes nothing
        forged = client.post(f"/accounts/users/{ed.id}/deactivate", follow_redirects=False)
        assert forged.status_code == 403
        assert laptop.get("/api/v1/auth/session").json()["user"]["email"] == "ed@example.org"
        done = client.post(
            f"/accounts/users/{ed.id}/deactivate",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert laptop.get("/api/v1/auth/session").json()["user"] is None
        listed = {u["email"]: u["is_active"] for u in client.get("/api/v1/accounts/users").json()}
        assert listed == {"boss@example.org": True, "ed@example.org": False}
        assert f'action="/accounts/users/{ed.id}/activate"' in client.get("/accounts/users").text
    with _browser(app) as member:  # a write needs the admin role
        make_user("m@example.org", "member")
        login(member, "m@example.org")
        assert member.post(f"/api/v1/accounts/users/{ed.id}/activate").status_code == 403
