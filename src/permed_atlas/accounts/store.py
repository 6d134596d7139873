"""Accounts store: users, login with rate limiting, and the audit log.

Every function takes a Session; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.accounts.errors import (
    DuplicateUserError,
    InvalidCredentialsError,
    LastAdminError,
    UnknownRoleError,
    UserNotFoundError,
)
from permed_atlas.accounts.models import ROLES, AuditEntry, User
from permed_atlas.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from permed_atlas.accounts.sessions import end_user_sessions
from permed_atlas.accounts.tables import AuditLogRow, UserRow
from permed_atlas.db import model_from_row
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, code_with_label, joined
from permed_atlas.textinput import email_key, email_lookalike_problem


def _now() -> datetime:
    # Naive UTC: SQLite drops the offset, so comparing aware and naive values would break.
    return datetime.now(UTC).replace(tzinfo=None)


def _user(row: UserRow) -> User:
    return model_from_row(User, row)


def _user_row(session: Session, user_id: int, *, fresh: bool = False) -> UserRow:
    # fresh: read the database again, not the copy the session loaded earlier
    row = session.get(UserRow, user_id, populate_existing=fresh)
    if row is None:
        raise UserNotFoundError(
            Message("no user with id %(user_id)s", user_id=user_id),
        )
    return row


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UnknownRoleError(
            Message(
                "role must be one of %(options)s, not %(role)s",
                options=joined([code_with_label(r, r) for r in ROLES], ", "),
                role=repr(role),
            ),
            field="role",
        )


def _check_password(password: str, *, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            Message(
                "the password must have at least %(min_password_length)s characters",
                min_password_length=MIN_PASSWORD_LENGTH,
            ),
            field=field,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(
            Message(
                "the password must have at most %(max_password_length)s characters",
                max_password_length=MAX_PASSWORD_LENGTH,
            ),
            field=field,
        )


def _audited(
    session: Session, row: UserRow, action: str, *, actor_id: int | None, detail: dict[str, Any]
) -> User:
    """Record a change of the account ``row`` in the audit log, and return the account."""
    record_audit(session, actor_id=actor_id, action=action, target=f"user:{row.id}", detail=detail)
    return _user(row)


def normalise_email(email: str) -> str:
    """The email in its one compared form (:func:`email_key`), checked for a plausible shape
    and refused when it would pass for another address.

    :param email: the email as typed.
    """
    value = email_key(email)
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 320 or any(c.isspace() for c in value):
        raise InvalidInputError(
            Message("not an email address: %(email)s", email=repr(email)),
            field="email",
        )
    if email_lookalike_problem(value):
        raise InvalidInputError(
            Message(
                "%(email)s has invisible characters or mixes alphabets whose letters look "
                "alike (Latin, Cyrillic, Greek); type the address as it is written",
                email=repr(email),
            ),
            field="email",
        )
    return value


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str = "member",
    actor_id: int | None = None,
) -> User:
    """Create an account and record it in the audit log.

    :param session: the platform database session.
    :param email: the login email (stored lower case).
    :param password: the plain password, at least 8 characters; only its hash is kept.
    :param role: admin, editor or member.
    :param actor_id: who creates it (None for the CLI).
    """
    address = normalise_email(email)
    _check_role(role)
    _check_password(password, field="password")
    if session.scalar(select(UserRow.id).where(UserRow.email == address)) is not None:
        raise DuplicateUserError(
            Message("an account for %(address)s exists already", address=address),
            field="email",
        )
    row = UserRow(
        email=address,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
        created_at=_now(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise DuplicateUserError(
            Message("an account for %(address)s exists already", address=address),
            field="email",
        ) from exc
    return _audited(
        session, row, "user.create", actor_id=actor_id, detail={"email": address, "role": role}
    )


def get_user(session: Session, user_id: int) -> User:
    """The account with this id.

    :param session: the platform database session.
    :param user_id: the account's id.
    """
    return _user(_user_row(session, user_id))


def find_user(session: Session, user_id: int) -> User | None:
    """The active account with this id, or None (for session cookies naming a deleted user).

    :param session: the platform database session.
    :param user_id: the account's id.
    """
    row = session.get(UserRow, user_id)
    if row is None or not row.is_active:
        return None
    return _user(row)


def get_user_by_email(session: Session, email: str) -> User:
    """The account (active or not) whose login is ``email``.

    :param session: the platform database session.
    :param email: the login email, in any case.
    """
    address = email_key(email)
    row = session.scalar(select(UserRow).where(UserRow.email == address))
    if row is None:
        raise UserNotFoundError(
            Message("no account for %(email)s", email=address or repr(email)),
        )
    return _user(row)


def list_users(session: Session) -> list[User]:
    """Every account, by email.

    :param session: the platform database session.
    """
    return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.email))]


def set_role(session: Session, user_id: int, *, role: str, actor_id: int | None) -> User:
    """Change an account's role and record it.

    :param session: the platform database session.
    :param user_id: the account to change.
    :param role: admin, editor or member.
    :param actor_id: who changes it.
    """
    _check_role(role)
    row = _user_row(session, user_id) if role == "admin" else _keep_an_admin(session, user_id)
    old = row.role
    row.role = role
    if old != role:
        # a login keeps the rights it was granted with no longer than the role lasts
        end_user_sessions(session, user_id)
    return _audited(
        session, row, "user.set_role", actor_id=actor_id, detail={"from": old, "to": role}
    )


def deactivate_user(session: Session, user_id: int, *, actor_id: int | None) -> User:
    """Stop an account at once: it can no longer log in and every login of it ends.

    Refused for the last active admin. Deactivating an inactive account changes nothing
    but is still recorded (someone asked).

    :param session: the platform database session.
    :param user_id: the account to stop.
    :param actor_id: who stops it (None for the CLI).
    """
    row = _keep_an_admin(session, user_id)
    was_active = row.is_active
    row.is_active = False
    # a stolen laptop's cookie must stop now, not at its idle timeout
    ended = end_user_sessions(session, user_id)
    return _audited(
        session,
        row,
        "user.deactivate",
        actor_id=actor_id,
        detail={"was_active": was_active, "sessions_ended": ended},
    )


def activate_user(session: Session, user_id: int, *, actor_id: int | None) -> User:
    """Let a deactivated account log in again (its old logins stay ended).

    :param session: the platform database session.
    :param user_id: the account to restore.
    :param actor_id: who restores it (None for the CLI).
    """
    row = _user_row(session, user_id)
    was_active = row.is_active
    row.is_active = True
    return _audited(
        session, row, "user.activate", actor_id=actor_id, detail={"was_active": was_active}
    )


def _keep_an_admin(session: Session, user_id: int) -> UserRow:
    """The account ``user_id``, to be demoted: refused when it is the last active admin.

    The count and the caller's write must not interleave with another's: two admins
    demoting each other at once would otherwise each still count the other and leave
    nobody to manage accounts. So the admins are locked first (:func:`_lock_admins`) and
    the account is read after the lock, not from what the session loaded before it.
    """
    admins = _lock_admins(session)
    row = _user_row(session, user_id, fresh=True)
    if admins == [row.id]:
        raise LastAdminError(
            Message(
                "%(email)s is the last admin; make another account admin first",
                email=row.email,
            ),
        )
    return row


def _lock_admins(session: Session) -> list[int]:
    """The active admins' ids, locked until the transaction ends.

    PostgreSQL locks their rows (in id order, so two lockers cannot deadlock); a second
    locker waits, then reads the first one's outcome. SQLite has no row locks and pysqlite
    runs reads outside a transaction until the first write, so a write that changes nothing
    takes the database's write lock before counting: the second waits (busy_timeout) and
    counts after the first has committed.
    """
    active_admin = (UserRow.role == "admin", UserRow.is_active.is_(True))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(UserRow)
            .where(*active_admin)
            .values(role=UserRow.role)
            .execution_options(synchronize_session=False)
        )
    return list(
        session.scalars(
            select(UserRow.id).where(*active_admin).order_by(UserRow.id).with_for_update()
        )
    )


def set_password(
    session: Session,
    user_id: int,
    *,
    new_password: str,
    actor_id: int | None,
    current_password: str | None = None,
) -> User:
    """Change an account's password and end every login of it.

    :param session: the platform database session.
    :param user_id: the account.
    :param new_password: at least 8 characters.
    :param actor_id: who changes it.
    :param current_password: when given (the user changing their own), it must match.
    """
    row = _user_row(session, user_id)
    if current_password is not None and not verify_password(current_password, row.password_hash):
        raise InvalidCredentialsError(Message("the current password is wrong"))
    _check_password(new_password, field="new_password")
    row.password_hash = hash_password(new_password)
    ended = end_user_sessions(session, user_id)
    return _audited(
        session, row, "user.set_password", actor_id=actor_id, detail={"sessions_ended": ended}
    )


def record_audit(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one write in the audit log (in the caller's transaction).

    :param session: the platform database session.
    :param actor_id: the user who did it, None for the system or the CLI.
    :param action: a dotted verb, e.g. ``"delphi.round.open"``.
    :param target: what was written, e.g. ``"study:12"``.
    :param detail: JSON-serialisable facts worth keeping (never secrets).
    """
    if not action or len(action) > 100:
        raise InvalidInputError(
            Message("an audit action must have 1 to 100 characters"),
            field="action",
        )
    session.add(
        AuditLogRow(at=_now(), actor_id=actor_id, action=action, target=target, detail=detail)
    )
    session.flush()


def list_audit(
    session: Session, *, limit: int = 100, actor_id: int | None = None, action: str | None = None
) -> list[AuditEntry]:
    """The newest audit entries first.

    :param session: the platform database session.
    :param limit: at most this many (1..1000).
    :param actor_id: only this user's.
    :param action: only this action.
    """
    query = select(AuditLogRow).order_by(AuditLogRow.id.desc()).limit(max(1, min(limit, 1000)))
    if actor_id is not None:
        query = query.where(AuditLogRow.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditLogRow.action == action)
    return [
        model_from_row(AuditEntry, row, detail=dict(row.detail or {}))
        for row in session.scalars(query)
    ]


def count_admins(session: Session) -> int:
    """How many active accounts may manage the others.

    :param session: the platform database session.
    """
    return int(
        session.scalar(
            select(func.count())
            .select_from(UserRow)
            .where(UserRow.role == "admin", UserRow.is_active.is_(True))
        )
        or 0
    )


def count_users(session: Session) -> int:
    """How many accounts exist.

    :param session: the platform database session.
    """
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)
