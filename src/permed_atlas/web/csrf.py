"""CSRF tokens: one per session, checked on state-changing requests.

A form carries the token in a hidden field ``csrf_token``; a script sends it in
the ``X-CSRF-Token`` header. Forms render it with ``{{ csrf_input(request) }}``.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request
from markupsafe import Markup, escape

from permed_atlas.i18n import Message

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_csrf_token(request: Request) -> str:
    """The session's CSRF token, created (and the session cookie set) on first use.

    :param request: the current request (its session must be installed).
    """
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


def csrf_input(request: Request) -> Markup:
    """A hidden form field carrying the session's CSRF token (for templates).

    :param request: the current request.
    """
    token = escape(get_csrf_token(request))
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')


async def submitted_token(request: Request) -> str | None:
    """The token a request offers: the header first, then the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def validate_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request whose CSRF token is missing or wrong.

    Safe methods pass. The result is remembered on the request, so the global
    check and a route's own ``CsrfProtected`` do the work once.

    :param request: the current request.
    """
    if request.method in SAFE_METHODS or getattr(request.state, "csrf_ok", False):
        return
    expected = request.session.get(_SESSION_KEY)
    offered = await submitted_token(request)
    if (
        not isinstance(expected, str)
        or not offered
        or not secrets.compare_digest(expected.encode(), offered.encode())
    ):
        raise HTTPException(
            status_code=403,
            detail=Message(
                "missing or invalid CSRF token: reload the page and submit the form again"
            ),
        )
    request.state.csrf_ok = True
