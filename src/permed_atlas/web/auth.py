"""Who is logged in: the user id in the signed session cookie; login and logout routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from permed_atlas.accounts import (
    InvalidCredentialsError,
    LoginRateLimitedError,
    User,
    authenticate,
    find_user,
    record_audit,
)
from permed_atlas.web.csrf import get_csrf_token, validate_csrf

_USER_KEY = "uid"
_UNSET = object()


def current_user_of(request: Request) -> User | None:
    """The logged-in user of this request (looked up once per request), or None.

    :param request: the current request.
    """
    cached = getattr(request.state, "current_user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    user: User | None = None
    if "session" in request.scope:
        user_id = request.session.get(_USER_KEY)
        if isinstance(user_id, int):
            with request.app.state.session_factory() as session:
                user = find_user(session, user_id)
            if user is None:
                request.session.pop(_USER_KEY, None)
    request.state.current_user = user
    return user


def log_in(request: Request, user: User) -> None:
    """Bind ``user`` to the session, with a fresh CSRF token (no session fixation)."""
    request.session.clear()
    request.session[_USER_KEY] = user.id
    request.state.current_user = user
    get_csrf_token(request)


def log_out(request: Request) -> None:
    """Forget the session's user and token."""
    request.session.clear()
    request.state.current_user = None


async def enforce_csrf_when_logged_in(request: Request) -> None:
    """Global guard: a write carrying a logged-in session must carry its CSRF token.

    Anonymous writes carry no authority to abuse; routes that still want the
    check (login, public forms) add ``CsrfProtected`` themselves.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    # the user lookup reads the database: never on the event loop
    if await run_in_threadpool(current_user_of, request) is not None:
        await validate_csrf(request)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would turn the login page into a phishing aid.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


router = APIRouter(tags=["auth"])


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    from permed_atlas.web.templating import render

    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False, dependencies=[Depends(validate_csrf)])
def login_form(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    from permed_atlas.web.templating import render

    with request.app.state.session_factory() as session:
        try:
            user = authenticate(session, email=email, password=password, client=_client(request))
        except LoginRateLimitedError as exc:
            session.commit()
            response = render(
                request,
                "login.html",
                {"next": _safe_next(next), "error": str(exc)},
                status_code=429,
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except InvalidCredentialsError as exc:
            session.commit()
            return render(
                request,
                "login.html",
                {"next": _safe_next(next), "error": str(exc)},
                status_code=401,
            )
        session.commit()
    log_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(validate_csrf)])
def logout_form(request: Request) -> Response:
    user = current_user_of(request)
    if user is not None:
        with request.app.state.session_factory() as session:
            record_audit(session, actor_id=user.id, action="user.logout", target=f"user:{user.id}")
            session.commit()
    log_out(request)
    return RedirectResponse("/", status_code=303)


class LoginRequest(BaseModel):
    """Credentials for the JSON login."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    """An account as the API shows it."""

    id: int
    email: str
    role: str


class SessionPublic(BaseModel):
    """The session: who is logged in (or null) and the CSRF token for writes."""

    user: UserPublic | None
    csrf_token: str


api_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _session_public(request: Request) -> SessionPublic:
    user = current_user_of(request)
    return SessionPublic(
        user=UserPublic(id=user.id, email=user.email, role=user.role) if user else None,
        csrf_token=get_csrf_token(request),
    )


@api_router.get("/session", response_model=SessionPublic)
def read_session(request: Request) -> SessionPublic:
    """Who is logged in, and the CSRF token to send as ``X-CSRF-Token`` with writes."""
    return _session_public(request)


@api_router.post(
    "/login",
    response_model=SessionPublic,
    dependencies=[Depends(validate_csrf)],
    responses={
        401: {"description": "wrong email or password"},
        429: {"description": "rate limited"},
    },
)
def login_json(request: Request, body: LoginRequest) -> Response | SessionPublic:
    """Log in with email and password (send the token of GET /session as X-CSRF-Token)."""
    with request.app.state.session_factory() as session:
        try:
            user = authenticate(
                session, email=body.email, password=body.password, client=_client(request)
            )
        except LoginRateLimitedError as exc:
            session.commit()
            return JSONResponse(
                {"detail": str(exc), "field": "email"},
                status_code=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except InvalidCredentialsError as exc:
            session.commit()
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        session.commit()
    log_in(request, user)
    return _session_public(request)


@api_router.post("/logout", response_model=SessionPublic, dependencies=[Depends(validate_csrf)])
def logout_json(request: Request) -> SessionPublic:
    """Log out (send the session's X-CSRF-Token)."""
    user = current_user_of(request)
    if user is not None:
        with request.app.state.session_factory() as session:
            record_audit(session, actor_id=user.id, action="user.logout", target=f"user:{user.id}")
            session.commit()
    log_out(request)
    return _session_public(request)
