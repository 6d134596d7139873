"""Admin pages and JSON for accounts: users, roles and the audit log."""

from __future__ import annotations

PASSWORD = "correct-horse-battery"


def test_admin_creates_a_user_by_form_and_it_is_audited(client, make_user, login) -> None:
    admin = make_user("boss@example.org", "admin", PASSWORD)
    token = login(client, "boss@example.org", PASSWORD)
    del client.headers["X-CSRF-Token"]
    page = client.get("/accounts/users")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    response = client.post(
        "/accounts/users",
        data={
            "email": "new@example.org",
            "password": "pw-pw-pw-pw",
            "role": "editor",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    users = client.get("/api/v1/accounts/users").json()
    assert [(u["email"], u["role"]) for u in users] == [
        ("boss@example.org", "admin"),
        ("new@example.org", "editor"),
    ]
    audit = client.get("/api/v1/accounts/audit").json()
    created = next(
        e
        for e in audit
        if e["action"] == "user.create" and e["detail"]["email"] == "new@example.org"
    )
    assert created["actor_id"] == admin.id
    assert "user.create" in client.get("/accounts/audit").text


def test_form_without_token_changes_nothing(client, make_user, login) -> None:
    make_user("boss@example.org", "admin", PASSWORD)
    login(client, "boss@example.org", PASSWORD)
    del client.headers["X-CSRF-Token"]
    response = client.post(
        "/accounts/users", data={"email": "x@example.org", "password": "pw-pw-pw-pw"}
    )
    assert response.status_code == 403
    emails = [u["email"] for u in client.get("/api/v1/accounts/users").json()]
    assert emails == ["boss@example.org"]


def test_role_change_and_bad_input(client, make_user, login) -> None:
    make_user("boss@example.org", "admin", PASSWORD)
    member = make_user("m@example.org", "member", PASSWORD)
    token = login(client, "boss@example.org", PASSWORD)
    response = client.post(
        f"/accounts/users/{member.id}/role",
        data={"role": "editor", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    roles = {u["email"]: u["role"] for u in client.get("/api/v1/accounts/users").json()}
    assert roles["m@example.org"] == "editor"
    bad = client.post(
        f"/accounts/users/{member.id}/role", data={"role": "god", "csrf_token": token}
    )
    assert bad.status_code == 422 and "role must be one of" in bad.text
    missing = client.post("/accounts/users/9999/role", data={"role": "member", "csrf_token": token})
    assert missing.status_code == 404
    duplicate = client.post(
        "/api/v1/accounts/users", json={"email": "M@example.org", "password": "pw-pw-pw-pw"}
    )
    assert duplicate.status_code == 422 and duplicate.json()["field"] == "email"


def test_json_user_creation(client, make_user, login) -> None:
    make_user("boss@example.org", "admin", PASSWORD)
    login(client, "boss@example.org", PASSWORD)
    response = client.post(
        "/api/v1/accounts/users",
        json={"email": "api@example.org", "password": "pw-pw-pw-pw", "role": "member"},
    )
    assert response.status_code == 201 and response.json()["email"] == "api@example.org"
    short = client.post("/api/v1/accounts/users", json={"email": "s@example.org", "password": "pw"})
    assert short.status_code == 422 and short.json()["field"] == "password"


def test_only_admins_see_accounts(client, make_user, login) -> None:
    assert client.get("/api/v1/accounts/users").status_code == 401
    assert client.get("/accounts/audit").status_code == 401
    make_user("ed@example.org", "editor", PASSWORD)
    login(client, "ed@example.org", PASSWORD)
    assert client.get("/api/v1/accounts/users").status_code == 403
    assert client.get("/accounts/users").status_code == 403
    assert (
        client.post(
            "/api/v1/accounts/users", json={"email": "x@example.org", "password": "pw-pw-pw-pw"}
        ).status_code
        == 403
    )


def test_the_last_admin_cannot_be_demoted(client, make_user, login) -> None:
    boss = make_user("boss@example.org", "admin", PASSWORD)
    token = login(client, "boss@example.org", PASSWORD)
    refused = client.post(
        f"/accounts/users/{boss.id}/role", data={"role": "editor", "csrf_token": token}
    )
    assert refused.status_code == 409 and "last admin" in refused.text
    # still an admin, still logged in, and the refused change left no audit entry
    roles = {u["email"]: u["role"] for u in client.get("/api/v1/accounts/users").json()}
    assert roles == {"boss@example.org": "admin"}
    audit = client.get("/api/v1/accounts/audit").json()
    assert not [e for e in audit if e["action"] == "user.set_role"]
    # with a second admin the first may step down (and that login ends with the role)
    make_user("deputy@example.org", "admin", PASSWORD)
    stepped = client.post(
        f"/accounts/users/{boss.id}/role",
        data={"role": "editor", "csrf_token": token},
        follow_redirects=False,
    )
    assert stepped.status_code == 303
    assert client.get("/api/v1/accounts/users").status_code == 401


def test_a_password_the_login_would_refuse_is_refused_when_set(client, make_user, login) -> None:
    make_user("boss@example.org", "admin", PASSWORD)
    login(client, "boss@example.org", PASSWORD)
    too_long = "x" * 1025
    response = client.post(
        "/api/v1/accounts/users", json={"email": "long@example.org", "password": too_long}
    )
    assert response.status_code == 422 and response.json()["field"] == "password"
    assert "at most 1024 characters" in response.json()["detail"]
    emails = [u["email"] for u in client.get("/api/v1/accounts/users").json()]
    assert emails == ["boss@example.org"]
    # the longest password taken is one the login accepts
    longest = "y" * 1024
    created = client.post(
        "/api/v1/accounts/users", json={"email": "long@example.org", "password": longest}
    )
    assert created.status_code == 201
    client.post("/api/v1/auth/logout")
    login(client, "long@example.org", longest)
