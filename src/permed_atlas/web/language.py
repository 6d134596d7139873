"""Each request's language, chosen once and set for everything the request produces.

The order: ``?lang=zh`` on any URL (so a link can be shared in a language, and the choice is
kept in a cookie), else that cookie, else the browser's ``Accept-Language``, else English.
Pure ASGI, no I/O: it reads the scope's headers, sets the language context variable around
the rest of the app (route threads copy the context) and records it in the scope's state,
where a response rendered outside that block (the 500 page) finds it too.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from permed_atlas.i18n import (
    DEFAULT_LANGUAGE,
    HTML_LANG,
    from_accept_language,
    supported_language,
    use_language,
)

LANGUAGE_COOKIE = "permed_lang"
LANGUAGE_PARAMETER = "lang"
STATE_KEY = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def choose_language(scope: Scope) -> tuple[str, bool]:
    """The request's language, and whether it came from the query (so the cookie is set).

    :param scope: an HTTP or websocket scope.
    """
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == LANGUAGE_PARAMETER:
            chosen = supported_language(value)
            if chosen is not None:
                return chosen, True
    headers = _headers(scope)
    cookie_header = headers.get(b"cookie", b"").decode("latin-1")
    if cookie_header:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # noqa: BLE001 - a malformed cookie header falls back, never fails
            cookies = SimpleCookie()
        morsel = cookies.get(LANGUAGE_COOKIE)
        chosen = supported_language(morsel.value if morsel else None)
        if chosen is not None:
            return chosen, False
    accepted = from_accept_language(headers.get(b"accept-language", b"").decode("latin-1"))
    return accepted or DEFAULT_LANGUAGE, False


class LanguageMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        language, from_query = choose_language(scope)
        scope.setdefault("state", {})[STATE_KEY] = language

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-language" not in present:
                    headers.append((b"content-language", HTML_LANG[language].encode()))
                # The same URL answers in different languages: caches must key on these.
                headers.append((b"vary", b"Accept-Language, Cookie"))
                if from_query:
                    cookie = (
                        f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age={COOKIE_MAX_AGE}; "
                        "SameSite=Lax"
                    )
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        with use_language(language):
            await self.app(scope, receive, send_with_language)


def language_of(scope: Scope) -> str | None:
    """The language the middleware chose for this request (None outside one)."""
    state = scope.get("state") or {}
    language = state.get(STATE_KEY)
    return language if isinstance(language, str) else None
