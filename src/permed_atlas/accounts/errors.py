"""Errors of the accounts capability.

::

    PermedError
    └── AccountsError
        ├── InvalidCredentialsError   wrong email or password (never says which)
        ├── LoginRateLimitedError     too many failed logins from one address for one email
        ├── DuplicateUserError        the email already has an account
        ├── UnknownRoleError          a role other than admin, editor, member
        ├── LastAdminError            the change would leave no active admin (also a ConflictError)
        └── UserNotFoundError         (also a NotFoundError)
"""

from __future__ import annotations

from permed_atlas.errors import ConflictError, InvalidInputError, NotFoundError, PermedError


class AccountsError(PermedError):
    """Base of the accounts capability's errors."""


class InvalidCredentialsError(AccountsError):
    """The email and password do not match an active account."""


class LoginRateLimitedError(AccountsError):
    """Too many failed logins for one email from one address in the window.

    :param retry_after: seconds until the oldest counted failure leaves the window.
    """

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DuplicateUserError(AccountsError, InvalidInputError):
    """An account with this email exists already."""


class UnknownRoleError(AccountsError, InvalidInputError):
    """A role that is not admin, editor or member."""


class LastAdminError(AccountsError, ConflictError):
    """The change would leave the platform without an active admin to manage accounts."""


class UserNotFoundError(AccountsError, NotFoundError):
    """No account with this id or email."""
