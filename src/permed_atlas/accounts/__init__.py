"""Accounts: users with roles (admin, editor, member), login with rate limits, server-side
sessions, the audit log."""

from permed_atlas.accounts.errors import (
    AccountsError,
    DuplicateUserError,
    InvalidCredentialsError,
    LastAdminError,
    LoginRateLimitedError,
    UnknownRoleError,
    UserNotFoundError,
)
from permed_atlas.accounts.login import (
    LOGIN_WINDOW,
    MAX_EMAILS_PER_CLIENT,
    MAX_FAILED_LOGINS,
    MAX_FAILED_LOGINS_PER_ACCOUNT,
    MAX_FAILED_LOGINS_PER_CLIENT,
    authenticate,
    check_current_password,
)
from permed_atlas.accounts.models import ROLES, AuditEntry, Role, User, role_at_least
from permed_atlas.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from permed_atlas.accounts.sessions import (
    end_session,
    end_user_sessions,
    purge_expired_sessions,
    resolve_session,
    start_session,
)
from permed_atlas.accounts.store import (
    count_admins,
    count_users,
    create_user,
    find_user,
    get_user,
    list_audit,
    list_users,
    record_audit,
    set_password,
    set_role,
)

__all__ = [
    "LOGIN_WINDOW",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "MAX_EMAILS_PER_CLIENT",
    "MAX_FAILED_LOGINS",
    "MAX_FAILED_LOGINS_PER_ACCOUNT",
    "MAX_FAILED_LOGINS_PER_CLIENT",
    "ROLES",
    "AccountsError",
    "AuditEntry",
    "DuplicateUserError",
    "InvalidCredentialsError",
    "LastAdminError",
    "LoginRateLimitedError",
    "Role",
    "UnknownRoleError",
    "User",
    "UserNotFoundError",
    "authenticate",
    "check_current_password",
    "count_admins",
    "count_users",
    "create_user",
    "end_session",
    "end_user_sessions",
    "find_user",
    "get_user",
    "list_audit",
    "list_users",
    "purge_expired_sessions",
    "record_audit",
    "resolve_session",
    "role_at_least",
    "set_password",
    "set_role",
    "start_session",
]
