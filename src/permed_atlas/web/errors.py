"""One place that turns errors into responses: JSON under /api/, pages elsewhere.

Domain errors carry no HTTP status; :func:`status_for` maps them. Pages render
``{status}.html`` if it exists, else ``error.html``. Nothing shows a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, ParamSpec

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from jinja2 import TemplateNotFound
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from permed_atlas.accounts import InvalidCredentialsError, LoginRateLimitedError
from permed_atlas.errors import (
    BusyError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermedError,
    PermissionDeniedError,
)
from permed_atlas.i18n import Message, current_language, gettext, lazy_gettext, use_language
from permed_atlas.web.form_problems import (
    field_label,
    is_page_request,
    page_again,
    plain_message,
    problem_for_domain_error,
    problems_from_validation,
)
from permed_atlas.web.language import language_of
from permed_atlas.web.logs import redact_path

_P = ParamSpec("_P")

logger = logging.getLogger("permed_atlas.web")


class ErrorPublic(BaseModel):
    """Every error under /api/: what went wrong and, when known, which field."""

    detail: Any = Field(description="a message, or a list of {loc, msg, type} for invalid input")
    field: str | None = Field(default=None, description="the offending field, when known")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic, "description": description}
    for status, description in (
        (400, "the request cannot be done (a domain rule refused it)"),
        (401, "log in first"),
        (403, "not allowed, or a missing or wrong CSRF token"),
        (404, "no such thing"),
        (409, "the thing changed meanwhile or no longer takes this (a closed round, a stale form)"),
        (422, "invalid input; `field` names it"),
        (429, "too many requests (login rate limit); see Retry-After"),
        (
            503,
            "busy: an ingest holds the corpus, or the server is doing as much of this kind "
            "of work as it takes at once; see Retry-After",
        ),
    )
}
"""Documented on every API operation, so clients (and schemathesis) know the error shape."""

TITLES = {
    400: lazy_gettext("Bad request"),
    401: lazy_gettext("Please log in"),
    403: lazy_gettext("Not allowed"),
    404: lazy_gettext("Not found"),
    405: lazy_gettext("Method not allowed"),
    409: lazy_gettext("Conflict"),
    422: lazy_gettext("Invalid input"),
    429: lazy_gettext("Too many requests"),
    500: lazy_gettext("Something went wrong"),
    503: lazy_gettext("Temporarily unavailable"),
}
"""Each error page's title, in the reader's language."""

UNEXPECTED = "an unexpected error happened; it has been logged"
# English in the JSON API (clients match on it), in the reader's language on the page.
_PAGE_DETAILS = {UNEXPECTED: lazy_gettext("an unexpected error happened; it has been logged")}


def status_for(exc: PermedError) -> int:
    """The HTTP status of a domain error.

    :param exc: the error raised by a core or store.
    """
    from permed_atlas.landscape import CorpusUnavailableError

    # the first kind that matches decides: an error of two kinds gets the first one's status
    statuses: tuple[tuple[type[PermedError], int], ...] = (
        (NotFoundError, 404),
        (InvalidInputError, 422),
        (PermissionDeniedError, 403),
        (ConflictError, 409),
        (InvalidCredentialsError, 401),
        (LoginRateLimitedError, 429),
        (CorpusUnavailableError, 503),
        (BusyError, 503),
    )
    return next((status for kind, status in statuses if isinstance(exc, kind)), 400)


def wants_json(request: Request) -> bool:
    """Whether the client gets JSON: paths under /api/ and ``.json`` twins."""
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


def _respond(
    request: Request,
    status: int,
    detail: Any,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail, "field": field}, status_code=status, headers=headers)
    from permed_atlas.web.templating import render, templates

    # A 500 is answered outside the language middleware's block (its context is gone): the
    # title and detail are composed in the request's language, as the page is rendered.
    with use_language(language_of(request.scope) or current_language()):
        context = {
            "status": status,
            "title": str(TITLES.get(status) or gettext("Error")),
            "detail": _page_detail(status, detail),
            "field": field,
        }
    for name in (f"{status}.html", "error.html"):
        try:
            templates.env.get_template(name)
        except TemplateNotFound:
            continue
        response = render(request, name, context, status_code=status)
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response
    return Response(f"{status} {context['title']}: {context['detail']}", status_code=status)


def _off_loop(respond: Callable[_P, Response]) -> Callable[_P, Awaitable[Response]]:
    async def in_thread(*args: _P.args, **kwargs: _P.kwargs) -> Response:
        return await run_in_threadpool(respond, *args, **kwargs)

    return in_thread


# An error page shows who is logged in, which reads the database: build it in a thread.
_respond_off_loop = _off_loop(_respond)


def _page_detail(status: int, detail: Any) -> str:
    """An error's detail for a page: generic ones (Starlette's "Not Found") in the page's
    language; a domain error's own message as it is, translated when it is a Message."""
    if isinstance(detail, Message):
        return detail.translated()
    if not isinstance(detail, str):
        return _summarise(detail)
    with_phrase = status in TITLES and detail == _phrase(status)
    if with_phrase:
        return str(TITLES[status])
    return str(_PAGE_DETAILS.get(detail, detail))


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


def _summarise(detail: Any) -> str:
    """A validation error list in plain words: each field by its label, each problem as the
    form problems say it (pydantic's own English, "Field required", only for the rest)."""
    if isinstance(detail, list):
        return "; ".join(
            f"{_field_of(item)}: {_plain(item)}" for item in detail if isinstance(item, dict)
        )
    return str(detail)


def _field_of(item: dict[str, Any]) -> str:
    name = ".".join(str(p) for p in item.get("loc", ())[1:])
    return field_label(name) if name else gettext("input")


def _plain(item: dict[str, Any]) -> str:
    if item.get("type") == "missing":
        return gettext("is required")
    return plain_message(item, str(item.get("input", "")))


async def _permed_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PermedError)
    if isinstance(exc, InvalidInputError) and is_page_request(request):
        # the page is served again in the reader's language, so the problem is already in it
        problem = problem_for_domain_error(request, exc.field, exc.translated())
        if problem is not None:
            return page_again(request, [problem])
    status = status_for(exc)
    headers = None
    if isinstance(exc, LoginRateLimitedError | BusyError):
        headers = {"Retry-After": str(exc.retry_after)}
    # A message composed as a Message stays one: English in the API, translated on a page.
    detail = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)
    return await _respond_off_loop(
        request, status, detail, field=getattr(exc, "field", None), headers=headers
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return await _respond_off_loop(request, exc.status_code, exc.detail, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if is_page_request(request):
        problems = problems_from_validation(request, errors)
        if problems:
            return page_again(request, problems)
    # Pydantic's error list can hold the offending bytes and exception objects;
    # keep what a client needs and nothing it could not serialise.
    clean = [
        {
            "loc": [str(p) for p in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]
    field = clean[0]["loc"][-1] if clean and clean[0]["loc"] else None
    if wants_json(request):
        return await _respond_off_loop(request, 422, clean, field=field)
    # a page (a download's error) says each problem in plain words, which need the value
    shown: list[dict[str, Any]] = [
        {**c, "input": _scalar(e.get("input")),
         "ctx": {k: _scalar(v) for k, v in (e.get("ctx") or {}).items()}}
        for c, e in zip(clean, errors, strict=True)
    ]  # fmt: skip
    return await _respond_off_loop(request, 422, shown, field=field)


def _scalar(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else "" if value is None else str(value)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, redact_path(request.url.path))
    return await _respond_off_loop(request, 500, UNEXPECTED)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``.

    :param app: the FastAPI application.
    """
    app.add_exception_handler(PermedError, _permed_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
