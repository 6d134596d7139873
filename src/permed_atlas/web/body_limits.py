"""A smaller body limit for JSON: FastAPI decodes and validates a JSON body on the event loop.

An upload or a form may use all of ``PERMED_MAX_BODY_BYTES`` (8 MiB), but a JSON body is
decoded (``json.loads``) and validated by pydantic before the route runs, on the one event
loop that answers everybody, and before any token or login is checked. Four anonymous clients
posting 7.8 MiB of ``{"ratings": {...}}`` to a Delphi link that does not exist held the loop
for 0.6 s each: the login form took 0.5 s (median) to 1.8 s instead of 13 ms. No JSON route
needs more than ``PERMED_MAX_JSON_BODY_BYTES`` (1 MiB); above it the body is refused with
413 as it streams in, before it is decoded.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Content Too Large"  # as Starlette answers a body over the app's limit


def is_json(content_type: str) -> bool:
    """Whether FastAPI reads a body of ``content_type`` as JSON (``application/json``,
    ``application/*+json``; a body without a content type is read as JSON too).

    :param content_type: the request's Content-Type header, "" when missing.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        not media
        or media == "application/json"
        or (media.startswith("application/") and media.endswith("+json"))
    )


class JsonBodyLimitMiddleware:
    """Refuse a JSON request body over ``max_json_bytes`` with 413, counted as it streams in.

    FastAPI's own limit (``max_body_size``) cannot be narrowed from here: each route applies
    the app's limit again, and Starlette's limiter lets the innermost limit decide.

    :param app: the ASGI app.
    :param max_json_bytes: the largest JSON body.
    """

    def __init__(self, app: ASGIApp, *, max_json_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket scopes have no body
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not is_json(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > self.max_json_bytes:
            await PlainTextResponse(TOO_LARGE, status_code=413)(scope, receive, send)
            return
        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_json_bytes:
                    raise HTTPException(status_code=413, detail=TOO_LARGE)
            return message

        await self.app(scope, receive_counted, send)
