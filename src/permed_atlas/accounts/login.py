"""Login with rate limits that hold under concurrency.

Four limits over a sliding window of :data:`LOGIN_WINDOW` (documented in
docs/security.md):

- :data:`MAX_FAILED_LOGINS` failures for one email from one client address;
- :data:`MAX_FAILED_LOGINS_PER_ACCOUNT` for one email from all addresses together
  (a botnet guessing one account);
- :data:`MAX_EMAILS_PER_CLIENT` different emails failing from one address
  (password spraying: one password tried against many accounts);
- :data:`MAX_FAILED_LOGINS_PER_CLIENT` failures from one address in all.

Atomic without locks: an attempt is stored and committed *before* it is counted
and before the password is checked, so of any number of concurrent attempts the
last one to count sees all the others; at most the limit are ever checked. A
refused attempt removes its row again; a failed one keeps it; a successful one
clears the failures of its email and address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from permed_atlas.accounts.errors import InvalidCredentialsError, LoginRateLimitedError
from permed_atlas.accounts.models import User
from permed_atlas.accounts.passwords import hash_password, needs_rehash, verify_password
from permed_atlas.accounts.sessions import naive_utc
from permed_atlas.accounts.store import record_audit
from permed_atlas.accounts.tables import LoginAttemptRow, UserRow
from permed_atlas.db import model_from_row
from permed_atlas.i18n import Message
from permed_atlas.textinput import email_key

MAX_FAILED_LOGINS = 5
MAX_FAILED_LOGINS_PER_ACCOUNT = 20
MAX_EMAILS_PER_CLIENT = 10
MAX_FAILED_LOGINS_PER_CLIENT = 30
LOGIN_WINDOW = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _refusal(session: Session, *, email: str, client: str, since: datetime) -> str | None:
    """Which limit the attempts in the window (this one included) break, or None."""
    recent = LoginAttemptRow.at > since
    per_pair = select(func.count()).where(
        recent, LoginAttemptRow.email == email, LoginAttemptRow.client == client
    )
    if (session.scalar(per_pair) or 0) > MAX_FAILED_LOGINS:
        return Message("too many failed logins for %(email)s", email=email)
    per_account = select(func.count()).where(recent, LoginAttemptRow.email == email)
    if (session.scalar(per_account) or 0) > MAX_FAILED_LOGINS_PER_ACCOUNT:
        return Message("too many failed logins for %(email)s", email=email)
    emails = select(func.count(func.distinct(LoginAttemptRow.email))).where(
        recent, LoginAttemptRow.client == client
    )
    if (session.scalar(emails) or 0) > MAX_EMAILS_PER_CLIENT:
        return Message("too many failed logins from this address")
    per_client = select(func.count()).where(recent, LoginAttemptRow.client == client)
    if (session.scalar(per_client) or 0) > MAX_FAILED_LOGINS_PER_CLIENT:
        return Message("too many failed logins from this address")
    return None


def _admit(session: Session, *, address: str, client_key: str, moment: datetime) -> None:
    """Store and commit this attempt, then refuse it if it breaks a limit (its row goes again)."""
    since = moment - LOGIN_WINDOW
    attempt = LoginAttemptRow(email=address, client=client_key, at=moment)
    session.add(attempt)
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < moment - 2 * LOGIN_WINDOW))
    session.commit()
    reason = _refusal(session, email=address, client=client_key, since=since)
    if reason is None:
        return
    session.delete(attempt)
    session.commit()
    oldest = session.scalar(
        select(func.min(LoginAttemptRow.at)).where(
            LoginAttemptRow.at > since,
            (LoginAttemptRow.email == address) | (LoginAttemptRow.client == client_key),
        )
    )
    start = naive_utc(oldest) if oldest is not None else moment
    retry_after = max(int((start + LOGIN_WINDOW - moment).total_seconds()) + 1, 1)
    raise LoginRateLimitedError(
        Message("%(reason)s; try again in %(seconds)s seconds", reason=reason, seconds=retry_after),
        retry_after=retry_after,
    )


def _forget_failures(session: Session, *, address: str, client_key: str) -> None:
    session.execute(
        delete(LoginAttemptRow).where(
            LoginAttemptRow.email == address, LoginAttemptRow.client == client_key
        )
    )


def authenticate(
    session: Session, *, email: str, password: str, client: str, now: datetime | None = None
) -> User:
    """The account for ``email`` if ``password`` matches and no login limit is reached.

    Unlike the store's other functions this commits: the attempt must be visible
    to concurrent attempts before it is counted. The caller commits the rest
    (the audit entry, a rehash) even when this raises.

    :param session: the platform database session.
    :param email: the email typed.
    :param password: the password typed.
    :param client: the client's address, as the web edge determined it.
    :param now: the current time (naive UTC), for tests.
    """
    address, client_key = email_key(email)[:320], client[:64]
    _admit(session, address=address, client_key=client_key, moment=now or _now())
    row = session.scalar(select(UserRow).where(UserRow.email == address))
    ok = verify_password(password, row.password_hash if row is not None else None)
    if row is None or not ok or not row.is_active:
        raise InvalidCredentialsError(Message("wrong email or password"))
    _forget_failures(session, address=address, client_key=client_key)
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    record_audit(session, actor_id=row.id, action="user.login", target=f"user:{row.id}")
    return model_from_row(User, row)


def check_current_password(
    session: Session, user: User, *, password: str, client: str, now: datetime | None = None
) -> None:
    """Check a logged-in user's current password under the login limits, before a change.

    Without the limits a stolen session could guess the password here, as fast as the
    server answers, and then change it. Commits like :func:`authenticate`.

    :param session: the platform database session.
    :param user: the logged-in account.
    :param password: the current password typed.
    :param client: the client's address, as the web edge determined it.
    :param now: the current time (naive UTC), for tests.
    """
    address, client_key = user.email, client[:64]
    _admit(session, address=address, client_key=client_key, moment=now or _now())
    row = session.get(UserRow, user.id)
    if row is None or not verify_password(password, row.password_hash):
        raise InvalidCredentialsError(Message("the current password is wrong"))
    _forget_failures(session, address=address, client_key=client_key)
