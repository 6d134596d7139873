"""Password hashing with argon2id (argon2-cffi's recommended parameters by default)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
# The login forms and the JSON login refuse longer passwords (Form/Field max_length), so a
# longer one set by the CLI or the admin API would lock its account out for good.
MAX_PASSWORD_LENGTH = 1024

_state: dict[str, object] = {"hasher": PasswordHasher(), "dummy": None}


def set_hash_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Change the argon2id cost (tests use cheap parameters; production keeps the defaults).

    Hashes made with other parameters still verify; :func:`needs_rehash` flags them.

    :param time_cost: iterations.
    :param memory_cost: memory in KiB.
    :param parallelism: lanes.
    """
    _state["hasher"] = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )
    _state["dummy"] = None


def _hasher() -> PasswordHasher:
    return _state["hasher"]  # type: ignore[return-value]


def _dummy_hash() -> str:
    # Verifying against this when the email is unknown makes a failed login take as
    # long as one with a wrong password, so timing does not reveal which emails exist.
    if _state["dummy"] is None:
        _state["dummy"] = _hasher().hash("permed-atlas-dummy-password")
    return _state["dummy"]  # type: ignore[return-value]


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted, self-describing).

    :param password: the plain password.
    """
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``; a missing hash never matches.

    :param password: the plain password offered.
    :param password_hash: the stored hash, or None for an unknown account.
    """
    try:
        _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)
