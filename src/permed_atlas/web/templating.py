"""Jinja2 templates and ``render``: every page gets the request, the user and the CSRF helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from permed_atlas.limits import COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH
from permed_atlas.web.csrf import csrf_input, get_csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["csrf_input"] = csrf_input
templates.env.globals["csrf_token"] = get_csrf_token
templates.env.globals["COMMENT_MAX_LENGTH"] = COMMENT_MAX_LENGTH
templates.env.globals["TEXT_MAX_LENGTH"] = TEXT_MAX_LENGTH


def _query_with(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes them)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            items.extend((key, str(v)) for v in value)
        else:
            items.append((key, str(value)))
    return urlencode(items)


templates.env.globals["query_with"] = _query_with


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render ``template_name`` with ``context`` plus ``request``, ``current_user`` and nav.

    :param request: the current request.
    :param template_name: e.g. ``"delphi/study.html"``.
    :param context: the template's variables.
    :param status_code: the HTTP status of the page.
    """
    from permed_atlas.web.auth import current_user_of

    values: dict[str, Any] = {
        "current_user": current_user_of(request),
        "nav_links": getattr(request.app.state, "nav_links", []),
    }
    values.update(context or {})
    return templates.TemplateResponse(request, template_name, values, status_code=status_code)
