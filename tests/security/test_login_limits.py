"""Finding 4: login limits that hold under concurrency, rotated X-Forwarded-For and spraying.

Before: 30 concurrent wrong passwords had 19 checked against a limit of 5; a new
X-Forwarded-For per request reset the limit; one password against many emails was
never limited.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.security.load import serve
from tests.security.pg import fresh_postgres_database

from permed_atlas.accounts import MAX_EMAILS_PER_CLIENT, MAX_FAILED_LOGINS, authenticate
from permed_atlas.accounts.tables import AuditLogRow
from permed_atlas.web.security import forwarded_client, parse_networks

CONCURRENT = 30


def _login(http, email: str, password: str, token: str, **headers: str) -> int:  # type: ignore[no-untyped-def]
    return http.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token, **headers},
    ).status_code


def test_thirty_concurrent_wrong_passwords_check_at_most_the_limit(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    _thirty_at_once(app)


@pytest.mark.postgres
def test_thirty_concurrent_wrong_passwords_on_postgres(settings) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.accounts import create_user
    from permed_atlas.web.app import create_app

    with fresh_postgres_database() as url:
        app = create_app(settings.model_copy(update={"database_url": url}))
        try:
            with app.state.session_factory() as session:
                create_user(session, email="ed@example.org", password="correct-horse-battery")
                session.commit()
            _thirty_at_once(app)
        finally:
            app.state.engine.dispose()


def _thirty_at_once(app) -> None:  # type: ignore[no-untyped-def]
    with serve(app) as base_url:
        clients = [httpx.Client(base_url=base_url, timeout=60) for _ in range(CONCURRENT)]
        tokens = [c.get("/api/v1/auth/session").json()["csrf_token"] for c in clients]

        def attempt(i: int) -> int:
            # each with its own rotated X-Forwarded-For, which must change nothing
            return _login(
                clients[i], "ed@example.org", f"wrong-{i}", tokens[i],
                **{"X-Forwarded-For": f"203.0.113.{i}"},
            )  # fmt: skip

        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            statuses = list(pool.map(attempt, range(CONCURRENT)))
        # Under contention an attempt may be refused early (never late): top up one by
        # one; exactly the limit of wrong passwords is ever checked in the window.
        more = [_login(clients[0], "ed@example.org", "again", tokens[0]) for _ in range(6)]
        # the right password is refused too while the limit holds
        right = _login(clients[0], "ed@example.org", "correct-horse-battery", tokens[0])
        for c in clients:
            c.close()
    assert statuses.count(401) <= MAX_FAILED_LOGINS, statuses
    assert statuses.count(429) >= CONCURRENT - MAX_FAILED_LOGINS
    assert statuses.count(401) + more.count(401) == MAX_FAILED_LOGINS, (statuses, more)
    assert set(statuses) <= {401, 429}
    assert right == 429


def test_rotated_forwarded_for_from_an_untrusted_peer_is_ignored(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    statuses = [
        _login(client, "ed@example.org", "bad", token, **{"X-Forwarded-For": f"198.51.100.{i}"})
        for i in range(MAX_FAILED_LOGINS + 2)
    ]
    assert statuses == [401] * MAX_FAILED_LOGINS + [429, 429]


def test_password_spraying_from_one_address_is_limited(client, make_user) -> None:  # type: ignore[no-untyped-def]
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    for i in range(MAX_EMAILS_PER_CLIENT + 3):
        make_user(f"user{i}@example.org", "member")
    statuses = [
        _login(client, f"user{i}@example.org", "Summer2026!", token)
        for i in range(MAX_EMAILS_PER_CLIENT + 3)
    ]
    assert statuses[:MAX_EMAILS_PER_CLIENT] == [401] * MAX_EMAILS_PER_CLIENT
    assert statuses[MAX_EMAILS_PER_CLIENT:] == [429] * 3
    # another address is not punished for it
    with TestClient(client.app, base_url="http://testserver", client=("192.0.2.7", 5)) as other:
        other_token = other.get("/api/v1/auth/session").json()["csrf_token"]
        assert _login(other, "user0@example.org", "correct-horse-battery", other_token) == 200


def test_password_spraying_from_one_ipv6_subnet_is_limited(client, make_user) -> None:  # type: ignore[no-untyped-def]
    # An IPv6 subscriber holds a whole /64: a fresh address for every guess must not
    # give a fresh allowance.
    for i in range(MAX_EMAILS_PER_CLIENT + 2):
        make_user(f"user{i}@example.org", "member")
    statuses = []
    for i in range(MAX_EMAILS_PER_CLIENT + 2):
        address = f"2001:db8:1:2::{i + 1:x}"
        with TestClient(client.app, base_url="http://testserver", client=(address, 5)) as one:
            token = one.get("/api/v1/auth/session").json()["csrf_token"]
            statuses.append(_login(one, f"user{i}@example.org", "Summer2026!", token))
    assert statuses == [401] * MAX_EMAILS_PER_CLIENT + [429, 429]
    # the next /64 is another client
    with TestClient(
        client.app, base_url="http://testserver", client=("2001:db8:1:3::1", 5)
    ) as other:
        token = other.get("/api/v1/auth/session").json()["csrf_token"]
        assert _login(other, "user0@example.org", "correct-horse-battery", token) == 200


def test_forwarded_for_is_believed_only_from_configured_proxies(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.web.app import create_app

    proxied = create_app(settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]}))
    try:
        from permed_atlas.accounts import create_user

        with proxied.state.session_factory() as session:
            create_user(session, email="ed@example.org", password="correct-horse-battery")
            session.commit()
        with TestClient(proxied, base_url="http://testserver", client=("10.1.2.3", 9)) as proxy:
            token = proxy.get("/api/v1/auth/session").json()["csrf_token"]
            # behind the proxy, two real clients: one locks itself out, the other is fine
            for _ in range(MAX_FAILED_LOGINS):
                assert (
                    _login(
                        proxy, "ed@example.org", "bad", token, **{"X-Forwarded-For": "198.51.100.1"}
                    )
                    == 401
                )  # noqa: E501
            assert (
                _login(proxy, "ed@example.org", "bad", token, **{"X-Forwarded-For": "198.51.100.1"})
                == 429
            )  # noqa: E501
            assert (
                _login(proxy, "ed@example.org", "correct-horse-battery", token,
                       **{"X-Forwarded-For": "198.51.100.2"})
                == 200
            )  # fmt: skip
        with proxied.state.session_factory() as session:
            logins = session.scalar(select(func.count()).where(AuditLogRow.action == "user.login"))
        assert logins == 1
    finally:
        proxied.state.engine.dispose()


def test_forwarded_client_takes_the_right_most_untrusted_hop() -> None:
    proxies = parse_networks(["10.0.0.0/8", "192.168.1.1"])
    # a client-forged left part is ignored: only what our proxies appended counts
    assert forwarded_client("10.0.0.5", "1.1.1.1, 203.0.113.9", proxies) == "203.0.113.9"
    assert forwarded_client("10.0.0.5", "203.0.113.9, 192.168.1.1", proxies) == "203.0.113.9"
    assert forwarded_client("203.0.113.50", "1.1.1.1", proxies) == "203.0.113.50"
    assert forwarded_client("10.0.0.5", "not-an-ip", proxies) == "10.0.0.5"
    assert re.fullmatch(r"[\d.]+", forwarded_client("10.0.0.5", "", proxies))


def test_guessing_the_current_password_of_a_logged_in_session_is_limited(
    app, client, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    # a stolen session could otherwise guess the password on the change form without end
    make_user("ed@example.org", "editor", "correct-horse-battery")
    login(client, "ed@example.org", "correct-horse-battery")
    guesses = [
        client.post(
            "/api/v1/auth/password",
            json={"current_password": f"guess-{n}", "new_password": "n3w-password!"},
        )
        for n in range(MAX_FAILED_LOGINS + 1)
    ]
    assert [g.status_code for g in guesses] == [401] * MAX_FAILED_LOGINS + [429]
    assert int(guesses[-1].headers["Retry-After"]) > 0
    # the page shares the count, and the right password is refused too until the window ends
    csrf = client.headers["X-CSRF-Token"]
    page = client.post(
        "/password",
        data={
            "current_password": "correct-horse-battery",
            "new_password": "n3w-password!",
            "csrf_token": csrf,
        },
    )
    assert page.status_code == 429 and "Retry-After" in page.headers
    # nothing changed, and the login shares the count: this address is refused there too
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    assert _login(client, "ed@example.org", "correct-horse-battery", token) == 429
    with app.state.session_factory() as session:
        user = authenticate(
            session, email="ed@example.org", password="correct-horse-battery", client="elsewhere"
        )
        assert user.email == "ed@example.org"
