"""Who is logged in: a server-side login named by the signed session cookie; login,
logout and password-change routes.

The cookie holds only a random token; the login lives in the ``user_session``
table, so logout, a password or role change and the idle and absolute timeouts
(``PERMED_SESSION_IDLE_TIMEOUT``, ``PERMED_SESSION_ABSOLUTE_TIMEOUT``) end it on
the server: a copied cookie stops working at that moment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from permed_atlas.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    InvalidCredentialsError,
    LoginRateLimitedError,
    User,
    authenticate,
    check_current_password,
    end_session,
    purge_expired_sessions,
    record_audit,
    resolve_session,
    set_password,
    start_session,
)
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.i18n import gettext as _
from permed_atlas.web.csrf import get_csrf_token, validate_csrf
from permed_atlas.web.security import client_network
from permed_atlas.web.templating import see_other

_SESSION_KEY = "sid"
LOG_IN_FIRST = Message("log in to do this")
"""The 401's detail: English in the API, the reader's language on a page."""
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
        token = request.session.get(_SESSION_KEY)
        if isinstance(token, str):
            settings = request.app.state.settings
            with request.app.state.session_factory() as session:
                user = resolve_session(
                    session,
                    token,
                    idle=settings.session_idle_timeout,
                    absolute=settings.session_absolute_timeout,
                )
                session.commit()
            if user is None:
                request.session.clear()
    request.state.current_user = user
    return user


def log_in(request: Request, user: User, token: str) -> None:
    """Bind the login ``token`` of ``user`` to the cookie, with a fresh CSRF token (no
    session fixation)."""
    request.session.clear()
    request.session[_SESSION_KEY] = token
    request.state.current_user = user
    get_csrf_token(request)


def _start_login(request: Request, session: Session, user: User) -> str:
    settings = request.app.state.settings
    # a login over a live one (another account at a shared computer) replaces it: the old
    # token would otherwise stay valid on the server for whoever kept a copy of the cookie
    previous = request.session.get(_SESSION_KEY)
    if isinstance(previous, str):
        end_session(session, previous)
    purge_expired_sessions(
        session, idle=settings.session_idle_timeout, absolute=settings.session_absolute_timeout
    )
    return start_session(session, user_id=user.id)


def log_out(request: Request) -> None:
    """End the login on the server and forget the cookie's token."""
    token = request.session.get(_SESSION_KEY)
    if isinstance(token, str):
        with request.app.state.session_factory() as session:
            end_session(session, token)
            session.commit()
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
    # SecurityMiddleware has put the real client here (forwarded only by trusted proxies);
    # an IPv6 client is its /64, or each guess could come from a fresh address
    return client_network(request.client.host) if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would turn the login page into a phishing aid.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


router = APIRouter(tags=["auth"])


def _login_page(
    request: Request, next: str | None, error: str | None = None, status_code: int = 200
) -> Response:
    from permed_atlas.web.templating import NO_STORE, render

    response = render(
        request, "login.html", {"next": _safe_next(next), "error": error}, status_code=status_code
    )
    # ``next`` may be an expert's personal rating link (the form's "Log in"): a page that
    # holds it is never cached nor sent on as a Referer, like the rating form itself.
    response.headers.update(NO_STORE)
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next)


def _login_message(exc: Exception) -> str:
    # The page speaks the reader's language; the JSON API keeps the domain's English message.
    if isinstance(exc, LoginRateLimitedError):
        return _("too many failed logins; try again in %(seconds)d seconds") % {
            "seconds": exc.retry_after
        }
    return _("wrong email or password")


def _password_message(exc: Exception) -> str:
    if isinstance(exc, InvalidCredentialsError):
        return _("the current password is wrong")
    if isinstance(exc, InvalidInputError) and exc.field == "new_password":
        return _("The new password must have at least %(count)d characters.") % {
            "count": MIN_PASSWORD_LENGTH
        }
    return str(exc)


@router.post("/login", include_in_schema=False, dependencies=[Depends(validate_csrf)])
def login_form(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    with request.app.state.session_factory() as session:
        try:
            user = authenticate(session, email=email, password=password, client=_client(request))
        except LoginRateLimitedError as exc:
            session.commit()
            response = _login_page(request, next, _login_message(exc), status_code=429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except InvalidCredentialsError as exc:
            session.commit()
            return _login_page(request, next, _login_message(exc), status_code=401)
        token = _start_login(request, session, user)
        session.commit()
    log_in(request, user, token)
    return see_other(_safe_next(next))


def _log_out(request: Request) -> None:
    """End the session, recording who left in the audit log."""
    user = current_user_of(request)
    if user is not None:
        with request.app.state.session_factory() as session:
            record_audit(session, actor_id=user.id, action="user.logout", target=f"user:{user.id}")
            session.commit()
    log_out(request)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(validate_csrf)])
def logout_form(request: Request) -> Response:
    _log_out(request)
    return see_other("/")


@router.get("/password", include_in_schema=False)
def password_page(request: Request) -> Response:
    from permed_atlas.web.templating import render

    if current_user_of(request) is None:
        return see_other("/login?next=/password")
    return render(request, "password.html", {"error": None, "changed": False})


@router.post("/password", include_in_schema=False, dependencies=[Depends(validate_csrf)])
def password_form(
    request: Request,
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
) -> Response:
    from permed_atlas.web.templating import render

    user = current_user_of(request)
    if user is None:
        return see_other("/login?next=/password")
    try:
        _change_password(request, user, current=current_password, new=new_password)
    except LoginRateLimitedError as exc:
        context = {"error": _login_message(exc), "changed": False}
        response = render(request, "password.html", context, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (InvalidCredentialsError, InvalidInputError) as exc:
        status = 401 if isinstance(exc, InvalidCredentialsError) else 422
        context = {"error": _password_message(exc), "changed": False}
        return render(request, "password.html", context, status_code=status)
    return render(request, "password.html", {"error": None, "changed": True})


def _change_password(request: Request, user: User, *, current: str, new: str) -> None:
    """Change ``user``'s password, ending every login, and give this browser a fresh one."""
    with request.app.state.session_factory() as session:
        check_current_password(session, user, password=current, client=_client(request))
        set_password(session, user.id, new_password=new, actor_id=user.id)
        token = _start_login(request, session, user)
        session.commit()
    log_in(request, user, token)


class LoginRequest(BaseModel):
    """Credentials for the JSON login."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


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
        token = _start_login(request, session, user)
        session.commit()
    log_in(request, user, token)
    return _session_public(request)


@api_router.post("/logout", response_model=SessionPublic, dependencies=[Depends(validate_csrf)])
def logout_json(request: Request) -> SessionPublic:
    """Log out (send the session's X-CSRF-Token)."""
    _log_out(request)
    return _session_public(request)


class PasswordChange(BaseModel):
    """The logged-in user's current password and the new one."""

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


@api_router.post(
    "/password",
    response_model=SessionPublic,
    dependencies=[Depends(validate_csrf)],
    responses={
        401: {"description": "not logged in, or the current password is wrong"},
        429: {"description": "too many wrong passwords: the login limits apply"},
    },
)
def change_password(request: Request, body: PasswordChange) -> Response | SessionPublic:
    """Change your password: every login of your account ends, this one gets a fresh login."""
    user = current_user_of(request)
    if user is None:
        raise HTTPException(status_code=401, detail=LOG_IN_FIRST)
    try:
        _change_password(request, user, current=body.current_password, new=body.new_password)
    except LoginRateLimitedError as exc:
        return JSONResponse(
            {"detail": str(exc), "field": "current_password"},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except InvalidCredentialsError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from exc
    return _session_public(request)
