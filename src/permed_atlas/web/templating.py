"""Jinja2 templates and ``render``: every page gets the request, the user and the CSRF helper."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from permed_atlas.countries import localized_country_name
from permed_atlas.i18n import localized, localized_field
from permed_atlas.landscape import CorpusSummary, LandscapeError, summarise_corpus
from permed_atlas.limits import COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH
from permed_atlas.web.csrf import csrf_input, get_csrf_token
from permed_atlas.web.form_problems import field_label, problems_of, typed_value

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["csrf_input"] = csrf_input
templates.env.globals["csrf_token"] = get_csrf_token
templates.env.globals["typed_value"] = typed_value
templates.env.globals["form_problems"] = problems_of
templates.env.globals["field_label"] = field_label
templates.env.globals["COMMENT_MAX_LENGTH"] = COMMENT_MAX_LENGTH
templates.env.globals["TEXT_MAX_LENGTH"] = TEXT_MAX_LENGTH
# Curated data in the page's language, English marked ``untranslated`` where a translation
# is missing: ``{{ entry | localized("name") }}``, ``{{ localized(title, {"zh": title_zh}) }}``,
# ``{{ code | country_label }}``.
templates.env.globals["localized"] = localized
templates.env.filters["localized"] = localized_field
templates.env.filters["country_label"] = localized_country_name


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


def corpus_summary(request: Request) -> CorpusSummary:
    """What the served corpus holds, computed once per corpus version (empty when none yet)."""
    corpus = getattr(request.app.state, "corpus", None)
    # No corpus yet (a fresh install, a Delphi-only test): nothing to show, and a page
    # outside the landscape must not create one. A corpus not yet published is published
    # by the holder on first use, as for the landscape's own pages.
    if corpus is None or not corpus.path.exists():
        return CorpusSummary()
    try:
        version = corpus.version
        cache: dict[str, CorpusSummary] = request.app.state.__dict__.setdefault(
            "corpus_summaries", {}
        )
        if version not in cache:
            # The holder's cursor keeps its snapshot open until the count is done, even if
            # an ingest publishes a newer one meanwhile.
            with contextmanager(corpus.cursor)() as cursor:
                summary = summarise_corpus(cursor)
            cache.clear()
            cache[version] = summary
        return cache[version]
    except (LandscapeError, duckdb.Error):
        return CorpusSummary()


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
        "synthetic_works": corpus_summary(request).synthetic,
    }
    values.update(context or {})
    return templates.TemplateResponse(request, template_name, values, status_code=status_code)
