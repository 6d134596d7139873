"""Accounts pages for admins: the users and the audit log (HTML and JSON)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Form, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from permed_atlas.accounts.models import ROLES, User
from permed_atlas.accounts.passwords import MAX_PASSWORD_LENGTH
from permed_atlas.accounts.store import (
    activate_user,
    create_user,
    deactivate_user,
    list_audit,
    list_users,
    set_role,
)
from permed_atlas.web.deps import (
    AdminUser,
    CsrfProtected,
    PathId,
    SessionDep,
    json_router,
    page_router,
    render,
    see_other,
)

router = page_router("accounts")
api_router = json_router("accounts")


class AccountPublic(BaseModel):
    """An account as the administrators' API shows it (with its active flag)."""

    id: int
    email: str
    role: str
    is_active: bool


class AuditEntryPublic(BaseModel):
    id: int
    at: str
    actor_id: int | None
    action: str
    target: str
    detail: dict[str, Any]


class UserCreate(BaseModel):
    email: str
    password: str
    role: str = "member"


def _public(user: User) -> AccountPublic:
    return AccountPublic(id=user.id, email=user.email, role=user.role, is_active=user.is_active)


@router.get("/users")
def users_page(request: Request, admin: AdminUser, session: SessionDep) -> Response:
    return render(request, "accounts/users.html", {"users": list_users(session), "roles": ROLES})


@router.post("/users")
def users_create_form(
    admin: AdminUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    role: Annotated[str, Form(max_length=16)] = "member",
) -> Response:
    create_user(session, email=email, password=password, role=role, actor_id=admin.id)
    session.commit()
    return see_other("/accounts/users")


@router.post("/users/{user_id}/role")
def users_role_form(
    user_id: PathId,
    admin: AdminUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    set_role(session, user_id, role=role, actor_id=admin.id)
    session.commit()
    return see_other("/accounts/users")


# deactivate: no more logins, and its logins end; activate: it may log in again.
_SWITCHES = {"deactivate": deactivate_user, "activate": activate_user}
Switch = Literal["deactivate", "activate"]


@router.post("/users/{user_id}/{switch}")
def users_switch_form(
    user_id: PathId, switch: Switch, admin: AdminUser, session: SessionDep, _csrf: CsrfProtected
) -> Response:
    _SWITCHES[switch](session, user_id, actor_id=admin.id)
    session.commit()
    return see_other("/accounts/users")


@router.get("/audit")
def audit_page(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    return render(request, "accounts/audit.html", {"entries": list_audit(session, limit=limit)})


@api_router.get("/users", response_model=list[AccountPublic])
def users_json(admin: AdminUser, session: SessionDep) -> list[AccountPublic]:
    """Every account (admins only)."""
    return [_public(u) for u in list_users(session)]


@api_router.post("/users", response_model=AccountPublic, status_code=201)
def users_create_json(
    body: UserCreate, admin: AdminUser, session: SessionDep, _csrf: CsrfProtected
) -> AccountPublic:
    """Create an account (admins only; send X-CSRF-Token)."""
    user = create_user(
        session, email=body.email, password=body.password, role=body.role, actor_id=admin.id
    )
    session.commit()
    return _public(user)


@api_router.post("/users/{user_id}/{switch}", response_model=AccountPublic)
def users_switch_json(
    user_id: PathId, switch: Switch, admin: AdminUser, session: SessionDep, _csrf: CsrfProtected
) -> AccountPublic:
    """Deactivate an account (no more logins, its logins end) or activate it again (admins
    only; send X-CSRF-Token)."""
    user = _SWITCHES[switch](session, user_id, actor_id=admin.id)
    session.commit()
    return _public(user)


@api_router.get("/audit", response_model=list[AuditEntryPublic])
def audit_json(
    admin: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryPublic]:
    """The newest audit entries (admins only)."""
    return [
        AuditEntryPublic(
            id=e.id,
            at=e.at.isoformat(),
            actor_id=e.actor_id,
            action=e.action,
            target=e.target,
            detail=e.detail,
        )
        for e in list_audit(session, limit=limit)
    ]
