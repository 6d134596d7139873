"""Server-side logins: a random token in the (signed) cookie, its hash in ``user_session``.

A login ends when its row goes: on logout, on a password or role change (every
login of that account), after ``idle`` seconds without a request, or ``absolute``
seconds after it began. A copied cookie is then worth nothing.
Every function takes a Session; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from permed_atlas.accounts.models import User
from permed_atlas.accounts.tables import UserRow, UserSessionRow

# A request refreshes last_seen_at at most this often, so reading pages is not a write each.
_TOUCH_EVERY = timedelta(seconds=60)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC: PostgreSQL returns aware values, SQLite naive ones."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user_id: int, now: datetime | None = None) -> str:
    """Record a new login of ``user_id`` and return the token for its cookie.

    :param session: the platform database session.
    :param user_id: the account that logged in.
    :param now: the current time (naive UTC), for tests.
    """
    moment = now or _now()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSessionRow(
            token_hash=_hash(token), user_id=user_id, created_at=moment, last_seen_at=moment
        )
    )
    session.flush()
    return token


def resolve_session(
    session: Session,
    token: str,
    *,
    idle: int,
    absolute: int,
    now: datetime | None = None,
) -> User | None:
    """The active account of a live login, or None (unknown, ended or expired token).

    An expired login is deleted; a live one has its last request time refreshed.

    :param session: the platform database session.
    :param token: the token from the cookie.
    :param idle: seconds without a request after which the login ends.
    :param absolute: seconds after the login began at which it ends.
    :param now: the current time (naive UTC), for tests.
    """
    moment = now or _now()
    row = session.scalar(select(UserSessionRow).where(UserSessionRow.token_hash == _hash(token)))
    if row is None:
        return None
    last_seen, created = naive_utc(row.last_seen_at), naive_utc(row.created_at)
    expired = moment - last_seen > timedelta(seconds=idle) or moment - created > timedelta(
        seconds=absolute
    )
    user = session.get(UserRow, row.user_id)
    if expired or user is None or not user.is_active:
        session.delete(row)
        return None
    if moment - last_seen > _TOUCH_EVERY:
        row.last_seen_at = moment
    return User(id=user.id, email=user.email, role=user.role, is_active=user.is_active)


def end_session(session: Session, token: str) -> None:
    """End the login holding ``token`` (logout).

    :param session: the platform database session.
    :param token: the token from the cookie.
    """
    session.execute(delete(UserSessionRow).where(UserSessionRow.token_hash == _hash(token)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every login of ``user_id`` (password or role change, deactivation); how many.

    :param session: the platform database session.
    :param user_id: the account.
    """
    result = session.execute(delete(UserSessionRow).where(UserSessionRow.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired_sessions(
    session: Session, *, idle: int, absolute: int, now: datetime | None = None
) -> int:
    """Delete every login past its idle or absolute timeout; how many.

    :param session: the platform database session.
    :param idle: the idle timeout in seconds.
    :param absolute: the absolute timeout in seconds.
    :param now: the current time (naive UTC), for tests.
    """
    moment = now or _now()
    result = session.execute(
        delete(UserSessionRow).where(
            or_(
                UserSessionRow.last_seen_at < moment - timedelta(seconds=idle),
                UserSessionRow.created_at < moment - timedelta(seconds=absolute),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
