"""Accounts store: users, login with rate limiting, and the audit log.

Every function takes a Session; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.accounts.errors import (
    DuplicateUserError,
    InvalidCredentialsError,
    LoginRateLimitedError,
    UnknownRoleError,
    UserNotFoundError,
)
from permed_atlas.accounts.models import ROLES, AuditEntry, User
from permed_atlas.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from permed_atlas.accounts.tables import AuditLogRow, LoginAttemptRow, UserRow
from permed_atlas.errors import InvalidInputError

MAX_FAILED_LOGINS = 5
LOGIN_WINDOW = timedelta(minutes=15)


def _now() -> datetime:
    # Naive UTC: SQLite drops the offset, so comparing aware and naive values would break.
    return datetime.now(UTC).replace(tzinfo=None)


def _user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, role=row.role, is_active=row.is_active)


def normalise_email(email: str) -> str:
    """The email trimmed and lower-cased, checked for a plausible shape.

    :param email: the email as typed.
    """
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 320 or any(c.isspace() for c in value):
        raise InvalidInputError(f"not an email address: {email!r}", field="email")
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
    if role not in ROLES:
        raise UnknownRoleError(
            f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if session.scalar(select(UserRow.id).where(UserRow.email == address)) is not None:
        raise DuplicateUserError(f"an account for {address} exists already", field="email")
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
        raise DuplicateUserError(f"an account for {address} exists already", field="email") from exc
    record_audit(
        session,
        actor_id=actor_id,
        action="user.create",
        target=f"user:{row.id}",
        detail={"email": address, "role": role},
    )
    return _user(row)


def get_user(session: Session, user_id: int) -> User:
    """The account with this id.

    :param session: the platform database session.
    :param user_id: the account's id.
    """
    row = session.get(UserRow, user_id)
    if row is None:
        raise UserNotFoundError(f"no user with id {user_id}")
    return _user(row)


def find_user(session: Session, user_id: int) -> User | None:
    """The active account with this id, or None (for session cookies naming a deleted user).

    :param session: the platform database session.
    :param user_id: the account's id.
    """
    row = session.get(UserRow, user_id)
    if row is None or not row.is_active:
        return None
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
    if role not in ROLES:
        raise UnknownRoleError(
            f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role"
        )
    row = session.get(UserRow, user_id)
    if row is None:
        raise UserNotFoundError(f"no user with id {user_id}")
    old = row.role
    row.role = role
    record_audit(
        session,
        actor_id=actor_id,
        action="user.set_role",
        target=f"user:{user_id}",
        detail={"from": old, "to": role},
    )
    return _user(row)


def authenticate(
    session: Session, *, email: str, password: str, client: str, now: datetime | None = None
) -> User:
    """The account for ``email`` if ``password`` matches, with login rate limiting.

    More than :data:`MAX_FAILED_LOGINS` failures for one email from one client
    address within :data:`LOGIN_WINDOW` refuse further attempts until the oldest
    failure leaves the window. Failures are stored so that the limit holds
    across processes; the caller must commit even when this raises.

    :param session: the platform database session.
    :param email: the email typed.
    :param password: the password typed.
    :param client: the client's address (IP), as the web edge sees it.
    :param now: the current time (naive UTC), for tests.
    """
    moment = now or _now()
    address = email.strip().lower()[:320]
    client_key = client[:64]
    since = moment - LOGIN_WINDOW
    failures = list(
        session.scalars(
            select(LoginAttemptRow.at)
            .where(
                LoginAttemptRow.email == address,
                LoginAttemptRow.client == client_key,
                LoginAttemptRow.at > since,
            )
            .order_by(LoginAttemptRow.at)
        )
    )
    if len(failures) >= MAX_FAILED_LOGINS:
        retry_after = int((failures[0] + LOGIN_WINDOW - moment).total_seconds()) + 1
        raise LoginRateLimitedError(
            f"too many failed logins for {address}; try again in {retry_after} seconds",
            retry_after=max(retry_after, 1),
        )
    row = session.scalar(select(UserRow).where(UserRow.email == address))
    ok = verify_password(password, row.password_hash if row is not None else None)
    if row is None or not ok or not row.is_active:
        session.add(LoginAttemptRow(email=address, client=client_key, at=moment))
        session.execute(
            delete(LoginAttemptRow).where(LoginAttemptRow.at < moment - 2 * LOGIN_WINDOW)
        )
        raise InvalidCredentialsError("wrong email or password")
    session.execute(
        delete(LoginAttemptRow).where(
            LoginAttemptRow.email == address, LoginAttemptRow.client == client_key
        )
    )
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    record_audit(session, actor_id=row.id, action="user.login", target=f"user:{row.id}")
    return _user(row)


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
        raise InvalidInputError("an audit action must have 1 to 100 characters", field="action")
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
        AuditEntry(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            action=row.action,
            target=row.target,
            detail=dict(row.detail or {}),
        )
        for row in session.scalars(query)
    ]


def count_users(session: Session) -> int:
    """How many accounts exist.

    :param session: the platform database session.
    """
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)
