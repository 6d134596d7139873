"""Review round 2: one person, one account, however the address is typed.

Before: an email was only ``strip().lower()``-ed. A full-width address (what a Chinese
input method types), a decomposed ``ä``, ``ß`` beside ``ss``, a zero-width space or a
Cyrillic ``а`` each made a second account that reads as the first, and the person typing
the full-width form of their own address could not log in.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from permed_atlas.accounts.tables import UserRow

TWINS = [
    ("ada@example.org", "ＡＤＡ@ＥＸＡＭＰＬＥ.ＯＲＧ"),  # full width
    ("ada@example.org", "ada＠example.org"),  # full-width at sign
    ("ada@ex\u00e4mple.org", "ada@exa\u0308mple.org"),  # composed, decomposed
    ("strasse@example.de", "STRAẞE@example.de"),  # capital sharp s
]
LOOKALIKES = [
    "ad\u200ba@example.org",  # zero-width space
    "ada@example\u00ad.org",  # soft hyphen
    "\u202eada@example.org",  # right-to-left override
    "\u0430da@example.org",  # Cyrillic а
    "ada@ex\u0430mple.org",
    "\u03bfps@example.org",  # Greek ο
]


def _create(client: TestClient, email: str) -> int:
    body = {"email": email, "password": "another-password", "role": "member"}
    return client.post("/api/v1/accounts/users", json=body).status_code


@pytest.fixture
def admin(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    return client


@pytest.mark.parametrize(("first", "twin"), TWINS)
def test_an_address_typed_another_way_is_the_same_account(admin, app, first, twin) -> None:  # type: ignore[no-untyped-def]
    assert _create(admin, first) == 201
    assert _create(admin, twin) == 422
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UserRow)) == 2


@pytest.mark.parametrize("email", LOOKALIKES)
def test_an_address_that_passes_for_another_is_refused(admin, email: str) -> None:  # type: ignore[no-untyped-def]
    response = admin.post(
        "/api/v1/accounts/users",
        json={"email": email, "password": "another-password", "role": "member"},
    )
    assert response.status_code == 422 and response.json()["field"] == "email"


def test_addresses_in_one_other_script_are_welcome(admin) -> None:  # type: ignore[no-untyped-def]
    for email in ("张三@example.cn", "иван@пример.рф", "zhang张@example.cn"):
        assert _create(admin, email) == 201, email


def test_the_full_width_form_of_an_address_logs_in(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ada@example.org", "member")
    with TestClient(app, base_url="http://testserver") as browser:
        token = browser.get("/api/v1/auth/session").json()["csrf_token"]
        response = browser.post(
            "/api/v1/auth/login",
            json={"email": "ＡＤＡ＠example.org", "password": "correct-horse-battery"},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200
        assert response.json()["user"]["email"] == "ada@example.org"


def test_the_migration_folds_stored_addresses_unless_taken(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config

    from permed_atlas.db import MIGRATIONS_DIR, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    command.upgrade(config, "accounts_0002_add_user_session")
    stored = ["ada@exa\u0308mple.org", "ｂｏｂ@example.org", "bob@example.org", "eve@example.org"]
    with engine.begin() as c:
        for email in stored:
            c.exec_driver_sql(
                "INSERT INTO users (email, password_hash, role, is_active, created_at) "
                "VALUES (?, 'x', 'member', 1, '2026-01-01')",
                (email,),
            )
    command.upgrade(config, "heads")
    with engine.begin() as c:
        emails = [row[0] for row in c.exec_driver_sql("SELECT email FROM users ORDER BY id")]
    # the full-width bob stays as it was: bob@example.org is someone's already
    assert emails == ["ada@ex\u00e4mple.org", "ｂｏｂ@example.org", *stored[2:]]
    engine.dispose()
