"""Accounts' core records: users, their roles and audit entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeAlias

Role: TypeAlias = Literal["admin", "editor", "member"]

ROLES: tuple[str, ...] = ("admin", "editor", "member")
"""Roles from most to least powerful; each includes the rights of those after it."""


def role_at_least(role: str, required: str) -> bool:
    """Whether ``role`` has the rights of ``required`` (admin ⊇ editor ⊇ member).

    :param role: the user's role.
    :param required: the least role an action needs.
    """
    if role not in ROLES or required not in ROLES:
        return False
    return ROLES.index(role) <= ROLES.index(required)


@dataclass(frozen=True, slots=True)
class User:
    """An account, without its password hash."""

    id: int
    email: str
    role: str
    is_active: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_editor(self) -> bool:
        return role_at_least(self.role, "editor")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded write: who did what to which thing, and when."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)
