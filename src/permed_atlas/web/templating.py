"""Jinja2 templates and ``render``: every page gets the request, the user and the CSRF helper.

Also the other answers every capability's routes give the same way: ``see_other`` (the
redirect after a form POST), ``download`` (a file to save) and ``is_editor`` (whether a page
shows the editing controls). Routes import them from ``web.deps``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import duckdb
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from permed_atlas.accounts import role_at_least
from permed_atlas.countries import localized_country_name
from permed_atlas.i18n import (
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    LazyString,
    install_jinja,
    lazy_gettext,
    localized,
    localized_field,
    use_language,
)
from permed_atlas.landscape import CorpusSummary, LandscapeError, summarise_corpus
from permed_atlas.limits import COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH
from permed_atlas.web.csrf import csrf_input, get_csrf_token
from permed_atlas.web.form_problems import field_label, problems_of, typed_value
from permed_atlas.web.language import LANGUAGE_PARAMETER, language_of

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

ROLE_LABELS: dict[str, LazyString] = {
    "admin": lazy_gettext("admin"), "editor": lazy_gettext("editor"),
    "member": lazy_gettext("member"),
}  # fmt: skip
"""An account's role in the reader's language (the stored role and the API keep the code)."""

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
install_jinja(templates.env)
templates.env.globals["csrf_input"] = csrf_input
templates.env.globals["csrf_token"] = get_csrf_token
templates.env.globals["typed_value"] = typed_value
templates.env.globals["form_problems"] = problems_of
templates.env.globals["field_label"] = field_label
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
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


def language_links(request: Request) -> list[dict[str, Any]]:
    """The language switch: this page (path and query kept) in each supported language."""
    current = language_of(request.scope)
    path = request.url.path
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "href": f"{path}?{_query_with(request, **{LANGUAGE_PARAMETER: code})}",
            "current": code == current,
        }
        for code in SUPPORTED_LANGUAGES
    ]


templates.env.globals["language_links"] = language_links


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
    language: str | None = None,
) -> Response:
    """Render ``template_name`` with ``context`` plus ``request``, ``current_user`` and nav.

    :param request: the current request.
    :param template_name: e.g. ``"delphi/study.html"``.
    :param context: the template's variables.
    :param status_code: the HTTP status of the page.
    :param language: render in this language, not the request's (a Delphi rating form is in
        its invitation's language whatever the browser asks for).
    """
    from permed_atlas.web.auth import current_user_of

    values: dict[str, Any] = {
        "current_user": current_user_of(request),
        "nav_links": getattr(request.app.state, "nav_links", []),
        "synthetic_works": corpus_summary(request).synthetic,
    }
    values.update(context or {})
    # The 500 page is rendered outside the language middleware's block: the scope still knows.
    language = language or language_of(request.scope)
    with use_language(language) if language else nullcontext():
        return templates.TemplateResponse(request, template_name, values, status_code=status_code)


NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""Headers of a response that holds a secret (a personal link): never cached, and the
address never sent on as a Referer."""


def is_editor(user: Any) -> bool:
    """Whether ``user`` (a User or None) may edit: the editor role or above.

    The one test behind every page's editing controls; ``EditorUser`` enforces the same.
    """
    return user is not None and role_at_least(user.role, "editor")


def see_other(url: str) -> RedirectResponse:
    """The answer to a successful form POST: 303, so a reload does not post again.

    :param url: where the browser goes next (a path on this site).
    """
    return RedirectResponse(url, status_code=303)


_PLAIN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header that makes the browser save ``filename``.

    Names are built from what editors type (a pillar code, a slug): a quote there would end
    the parameter and let the rest add its own ``filename*`` (the browser saves
    ``evil.exe``), a line break would end the header, and a character outside Latin-1 made
    Starlette fail the response after the invitations were already issued. The quoted
    name keeps only safe ASCII; the exact name travels percent-encoded (RFC 6266, 5987).
    """
    printable = "".join(c for c in filename if c.isprintable()) or "download"
    plain = _PLAIN_FILENAME.sub("_", printable).strip("._") or "download"
    exact = quote(printable, safe="")
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{exact}"}


def download(
    body: str | bytes,
    *,
    media_type: str,
    filename: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """A file to save rather than show.

    :param body: the file's content.
    :param media_type: its type, with a charset for text (``text/csv; charset=utf-8``).
    :param filename: the name the browser saves it under.
    :param headers: further headers (e.g. ``Cache-Control: no-store`` for secrets).
    """
    return Response(
        body, media_type=media_type, headers={**attachment(filename), **(headers or {})}
    )
