"""Accounts store on a real migrated SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from permed_atlas.accounts import (
    LOGIN_WINDOW,
    MAX_FAILED_LOGINS,
    DuplicateUserError,
    InvalidCredentialsError,
    LastAdminError,
    LoginRateLimitedError,
    UnknownRoleError,
    UserNotFoundError,
    activate_user,
    authenticate,
    count_admins,
    count_users,
    create_user,
    deactivate_user,
    find_user,
    get_user,
    get_user_by_email,
    list_audit,
    list_users,
    record_audit,
    resolve_session,
    role_at_least,
    set_role,
    start_session,
)
from permed_atlas.accounts.tables import UserRow
from permed_atlas.errors import InvalidInputError, NotFoundError


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_create_user_stores_an_argon2_hash_and_audits(session) -> None:
    user = create_user(session, email=" Ada@Example.ORG ", password="long-enough-pw", role="admin")
    session.commit()
    assert user.email == "ada@example.org" and user.role == "admin" and user.is_admin
    row = session.scalar(select(UserRow).where(UserRow.id == user.id))
    assert row.password_hash.startswith("$argon2id$")
    assert "long-enough-pw" not in row.password_hash
    entries = list_audit(session)
    assert entries[0].action == "user.create" and entries[0].target == f"user:{user.id}"
    assert entries[0].detail == {"email": "ada@example.org", "role": "admin"}
    assert count_users(session) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"email": "not-an-email", "password": "long-enough-pw"}, InvalidInputError, "email"),
        ({"email": "a@b.org", "password": "short"}, InvalidInputError, "password"),
        (
            {"email": "a@b.org", "password": "long-enough-pw", "role": "root"},
            UnknownRoleError,
            "role",
        ),
    ],
)
def test_create_user_refuses_bad_input(session, kwargs, error, field) -> None:
    with pytest.raises(error) as info:
        create_user(session, **kwargs)
    assert info.value.field == field


def test_duplicate_email_is_refused_case_insensitively(session) -> None:
    create_user(session, email="x@example.org", password="long-enough-pw")
    with pytest.raises(DuplicateUserError, match="exists already"):
        create_user(session, email="X@EXAMPLE.org", password="other-password")


def test_authenticate_accepts_the_right_password_only(session) -> None:
    user = create_user(session, email="ed@example.org", password="right-password", role="editor")
    assert (
        authenticate(session, email="ED@example.org", password="right-password", client="1.2.3.4")
        == user
    )
    with pytest.raises(InvalidCredentialsError):
        authenticate(session, email="ed@example.org", password="wrong-password", client="1.2.3.4")
    with pytest.raises(InvalidCredentialsError):
        authenticate(
            session, email="nobody@example.org", password="right-password", client="1.2.3.4"
        )
    assert [e.action for e in list_audit(session, action="user.login")] == ["user.login"]


def test_login_is_rate_limited_per_email_and_client(session) -> None:
    create_user(session, email="ed@example.org", password="right-password")
    start = _now()
    for attempt in range(MAX_FAILED_LOGINS):
        with pytest.raises(InvalidCredentialsError):
            authenticate(
                session,
                email="ed@example.org",
                password="nope",
                client="9.9.9.9",
                now=start + timedelta(seconds=attempt),
            )
    # Even the right password is refused while the limit holds...
    with pytest.raises(LoginRateLimitedError) as info:
        authenticate(
            session,
            email="ed@example.org",
            password="right-password",
            client="9.9.9.9",
            now=start + timedelta(seconds=10),
        )
    assert 0 < info.value.retry_after <= LOGIN_WINDOW.total_seconds()
    # ...but not from another address, and not once the window has passed.
    assert authenticate(
        session,
        email="ed@example.org",
        password="right-password",
        client="8.8.8.8",
        now=start + timedelta(seconds=11),
    )
    later = start + LOGIN_WINDOW + timedelta(seconds=10)
    assert authenticate(
        session, email="ed@example.org", password="right-password", client="9.9.9.9", now=later
    )


def test_set_role_and_lookups(session) -> None:
    user = create_user(session, email="m@example.org", password="long-enough-pw")
    admin = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
    changed = set_role(session, user.id, role="editor", actor_id=admin.id)
    assert changed.role == "editor" and get_user(session, user.id).role == "editor"
    assert [u.email for u in list_users(session)] == ["a@example.org", "m@example.org"]
    assert find_user(session, 999) is None
    with pytest.raises(NotFoundError):
        get_user(session, 999)
    with pytest.raises(UnknownRoleError):
        set_role(session, user.id, role="owner", actor_id=admin.id)
    entry = list_audit(session, action="user.set_role")[0]
    assert entry.actor_id == admin.id and entry.detail == {"from": "member", "to": "editor"}


def test_two_admins_demoting_each_other_leave_one_admin(session) -> None:
    first = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
    second = create_user(session, email="b@example.org", password="long-enough-pw", role="admin")
    set_role(session, second.id, role="member", actor_id=first.id)
    with pytest.raises(LastAdminError, match="a@example.org is the last admin"):
        set_role(session, first.id, role="editor", actor_id=second.id)
    session.commit()
    assert {u.email: u.role for u in list_users(session)} == {
        "a@example.org": "admin",
        "b@example.org": "member",
    }
    # keeping the last admin an admin is no demotion
    assert set_role(session, first.id, role="admin", actor_id=first.id).role == "admin"


def test_deactivation_ends_logins_refuses_login_and_is_undone(session) -> None:
    admin = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
    ed = create_user(session, email="ed@example.org", password="long-enough-pw", role="editor")
    token = start_session(session, user_id=ed.id)
    stopped = deactivate_user(session, ed.id, actor_id=admin.id)
    session.commit()
    assert not stopped.is_active and find_user(session, ed.id) is None
    assert resolve_session(session, token, idle=3600, absolute=3600) is None
    with pytest.raises(InvalidCredentialsError, match="wrong email or password"):
        authenticate(session, email="ed@example.org", password="long-enough-pw", client="1.2.3.4")
    session.commit()
    assert get_user_by_email(session, " ED@example.org").is_active is False
    assert activate_user(session, ed.id, actor_id=admin.id).is_active
    assert authenticate(
        session, email="ed@example.org", password="long-enough-pw", client="5.6.7.8"
    )
    actions = [(e.action, e.detail) for e in list_audit(session) if e.target == f"user:{ed.id}"]
    assert ("user.deactivate", {"was_active": True, "sessions_ended": 1}) in actions
    assert ("user.activate", {"was_active": False}) in actions


def test_the_last_active_admin_cannot_be_deactivated(session) -> None:
    first = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
    second = create_user(session, email="b@example.org", password="long-enough-pw", role="admin")
    deactivate_user(session, second.id, actor_id=first.id)
    assert count_admins(session) == 1
    with pytest.raises(LastAdminError, match="a@example.org is the last admin"):
        deactivate_user(session, first.id, actor_id=first.id)
    # an inactive admin may be deactivated again (nothing changes) and demoted
    assert not deactivate_user(session, second.id, actor_id=first.id).is_active
    assert set_role(session, second.id, role="member", actor_id=first.id).role == "member"
    with pytest.raises(UserNotFoundError, match="no account for ghost@example.org"):
        get_user_by_email(session, "Ghost@example.org")
    with pytest.raises(NotFoundError):
        deactivate_user(session, 999, actor_id=None)


def test_record_audit_keeps_detail_and_refuses_empty_action(session) -> None:
    record_audit(
        session, actor_id=None, action="delphi.round.open", target="study:1", detail={"round": 2}
    )
    session.commit()
    entry = list_audit(session, limit=1)[0]
    assert (entry.action, entry.target, entry.detail, entry.actor_id) == (
        "delphi.round.open",
        "study:1",
        {"round": 2},
        None,
    )
    with pytest.raises(InvalidInputError):
        record_audit(session, actor_id=None, action="", target="x")


def test_roles_are_ordered() -> None:
    assert role_at_least("admin", "editor") and role_at_least("editor", "member")
    assert not role_at_least("member", "editor") and not role_at_least("guest", "member")


def test_hashes_made_with_other_parameters_still_verify_and_need_rehash() -> None:
    from argon2 import PasswordHasher

    from permed_atlas.accounts.passwords import hash_password, needs_rehash, verify_password

    strong = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash("pw-pw-pw-pw")
    assert verify_password("pw-pw-pw-pw", strong) and needs_rehash(strong)
    assert not verify_password("other", strong) and not verify_password("pw-pw-pw-pw", None)
    assert not needs_rehash(hash_password("pw-pw-pw-pw"))


@pytest.mark.postgres
def test_admins_demoting_each_other_at_once_on_postgres_leave_one() -> None:
    import threading

    from tests.security.pg import fresh_postgres_database

    from permed_atlas.db import make_engine, session_factory, upgrade_database

    with fresh_postgres_database() as url:
        engine = make_engine(url)
        upgrade_database(engine)
        factory = session_factory(engine)
        with factory() as session:
            a = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
            b = create_user(session, email="b@example.org", password="long-enough-pw", role="admin")
            session.commit()
        outcome: list[str] = []
        with factory() as first:
            set_role(first, b.id, role="member", actor_id=a.id)  # holds the admins' row locks

            def second_demotes_first() -> None:
                with factory() as second:
                    try:
                        set_role(second, a.id, role="member", actor_id=b.id)
                        second.commit()
                        outcome.append("demoted")
                    except LastAdminError:
                        outcome.append("refused")

            thread = threading.Thread(target=second_demotes_first)
            thread.start()
            thread.join(timeout=1)
            assert thread.is_alive()  # waits for the first change instead of counting stale rows
            first.commit()
            thread.join(timeout=15)
        assert outcome == ["refused"]
        with factory() as session:
            assert {u.email: u.role for u in list_users(session)} == {
                "a@example.org": "admin",
                "b@example.org": "member",
            }
        engine.dispose()
