"""Accounts: users with roles (admin, editor, member), login with rate limiting, the audit log."""

from permed_atlas.accounts.errors import (
    AccountsError,
    DuplicateUserError,
    InvalidCredentialsError,
    LoginRateLimitedError,
    UnknownRoleError,
    UserNotFoundError,
)
from permed_atlas.accounts.models import ROLES, AuditEntry, Role, User, role_at_least
from permed_atlas.accounts.store import (
    authenticate,
    count_users,
    create_user,
    find_user,
    get_user,
    list_audit,
    list_users,
    record_audit,
    set_role,
)

__all__ = [
    "ROLES",
    "AccountsError",
    "AuditEntry",
    "DuplicateUserError",
    "InvalidCredentialsError",
    "LoginRateLimitedError",
    "Role",
    "UnknownRoleError",
    "User",
    "UserNotFoundError",
    "authenticate",
    "count_users",
    "create_user",
    "find_user",
    "get_user",
    "list_audit",
    "list_users",
    "record_audit",
    "role_at_least",
    "set_role",
]
