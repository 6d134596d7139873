"""Dependencies for every capability's routes, as Annotated aliases.

``SettingsDep``, ``SessionDep`` (the route commits), ``CorpusDep`` (a read-only
DuckDB cursor on the corpus, given once the request is admitted as heavy work), ``HeavyWork``,
``HeavyWorkIfAsked`` (when the query string asks ``q``), ``PdfWork`` and ``HubWork``
(admission to computing a chart, an answer or an assessment, a PDF print, a question to the
biobanks: see :mod:`permed_atlas.web.admission`), ``CurrentUser`` (User or None), ``MemberUser``,
``EditorUser``, ``AdminUser`` (401 when not logged in, 403 without the role),
``CsrfProtected`` (validates the CSRF token of a write), ``FormDep`` (the parsed form
body, so that a route touching the database can be a plain ``def``) and ``render``;
and the responses every capability's routes give the same way: ``is_editor`` (whether a
page shows the editing controls), ``see_other`` (the redirect after a POST) and
``download`` (a file to save, named in its Content-Disposition); and ``page_router`` and
``json_router``, the routers of a capability's pages and JSON API (one URL scheme).

Every route that touches a database is a plain ``def``: FastAPI runs it in a worker
thread, so a slow query never stalls the event loop that answers everyone else.
Parsing a form is the only thing that needs ``await``; ``FormDep`` does it in an
async dependency before the route runs (tests/security/test_event_loop.py checks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Annotated

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from permed_atlas.accounts import User, record_audit, role_at_least
from permed_atlas.errors import BusyError
from permed_atlas.i18n import Message
from permed_atlas.limits import MAX_ID
from permed_atlas.settings import Settings
from permed_atlas.web.auth import LOG_IN_FIRST, current_user_of
from permed_atlas.web.csrf import csrf_input, get_csrf_token, validate_csrf
from permed_atlas.web.security import client_network
from permed_atlas.web.templating import (
    NO_STORE,
    ROLE_LABELS,
    attachment,
    download,
    is_editor,
    render,
    see_other,
)

__all__ = [
    "AdminUser",
    "CorpusDep",
    "CorpusVersion",
    "CsrfProtected",
    "CurrentUser",
    "EditorUser",
    "FormDep",
    "HeavyWork",
    "HeavyWorkIfAsked",
    "HubWork",
    "MAX_ID",
    "MemberUser",
    "NO_STORE",
    "PathId",
    "PdfWork",
    "SessionDep",
    "SettingsDep",
    "attachment",
    "audited_redirect",
    "client_network",
    "capability_routers",
    "csrf_input",
    "download",
    "form_texts",
    "get_csrf_token",
    "json_router",
    "page_router",
    "is_editor",
    "render",
    "see_other",
    "seed_once",
]


OUT_OF_MEMORY_RETRY_S = 10


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """A platform database session for one request; rolled back unless the route commits."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def seed_once(name: str, load: Callable[[Session, Settings], object]) -> Callable[..., None]:
    """A router dependency that loads a capability's bundled data once per app, so it is
    there from the first request (the loaders are idempotent).

    :param name: the capability, for the flag on ``app.state``.
    :param load: stores the bundled data with the session and the app's settings.
    """
    flag = f"{name}_seeded"

    def ensure_seeded(request: Request, session: SessionDep) -> None:
        # FastAPI hands this the same session as the route (dependencies are cached).
        if getattr(request.app.state, flag, False):
            return
        try:
            load(session, request.app.state.settings)
            session.commit()
        except IntegrityError:
            # Another worker loaded the same rows at the same moment; its copy is as good.
            session.rollback()
        setattr(request.app.state, flag, True)

    return ensure_seeded


def page_router(capability: str, *, seed: Callable[..., None] | None = None) -> APIRouter:
    """The router of a capability's HTML pages: under ``/<capability>``, out of the OpenAPI schema.

    :param capability: the capability's name, its URL prefix and tag.
    :param seed: a :func:`seed_once` dependency every page runs first.
    """
    return _capability_router(f"/{capability}", capability, seed=seed, documented=False)


def json_router(capability: str, *, seed: Callable[..., None] | None = None) -> APIRouter:
    """The router of a capability's JSON API: under ``/api/v1/<capability>``, documented.

    :param capability: the capability's name, its URL prefix and tag.
    :param seed: a :func:`seed_once` dependency every endpoint runs first.
    """
    return _capability_router(f"/api/v1/{capability}", capability, seed=seed, documented=True)


def capability_routers(
    capability: str, *, seed: Callable[..., None] | None = None
) -> tuple[APIRouter, APIRouter]:
    """A capability's :func:`page_router` and :func:`json_router`, named and seeded alike.

    :param capability: the capability's name, its URL prefixes and tag.
    :param seed: a :func:`seed_once` dependency every page and endpoint runs first.
    """
    return page_router(capability, seed=seed), json_router(capability, seed=seed)


def _capability_router(
    prefix: str, tag: str, *, seed: Callable[..., None] | None, documented: bool
) -> APIRouter:
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        include_in_schema=documented,
        dependencies=[Depends(seed)] if seed else None,
    )


async def read_form(request: Request) -> FormData:
    """The request's parsed form (url-encoded or multipart), read on the event loop.

    Starlette caches it on the request, so the CSRF check and the route share one parse.
    """
    return await request.form()


def audited_redirect(
    session: Session,
    user: User,
    *,
    action: str,
    target: str,
    url: str,
    detail: dict[str, object] | None = None,
) -> RedirectResponse:
    """The end of a form write: record it in the audit log, commit, and send the browser on.

    :param session: the request's session, holding the write.
    :param user: who wrote.
    :param action: what was done, e.g. ``delphi.round.open``.
    :param target: what it was done to, e.g. ``delphi_round:12``.
    :param url: the page to go to (303, so a reload does not post again).
    :param detail: figures worth keeping with the entry.
    """
    record_audit(session, actor_id=user.id, action=action, target=target, detail=detail)
    session.commit()
    return see_other(url)


def form_texts(form: FormData, defaults: Mapping[str, str]) -> dict[str, str]:
    """The text fields of a posted form, each the default when it was not sent.

    :param form: the parsed form (``FormDep``).
    :param defaults: field name -> value when the field is missing (or is not text).
    """
    texts = {}
    for name, default in defaults.items():
        value = form.get(name, default)
        texts[name] = value if isinstance(value, str) else default
    return texts


def _admission(
    kind: str, *, asked_by: str | None = None
) -> Callable[[Request], AsyncIterator[None]]:
    async def admit(request: Request) -> AsyncIterator[None]:
        if asked_by is not None and not request.query_params.get(asked_by, "").strip():
            yield  # the empty form, no question: cheap
            return
        # On the event loop: a request waiting for a place holds no worker thread.
        gate = request.app.state.gates[kind]
        client = client_network(request.client.host) if request.client else "unknown"
        await gate.enter(client)
        try:
            yield
        finally:
            gate.leave(client)

    admit.__name__ = f"admit_{kind}" + (f"_if_{asked_by}" if asked_by else "")
    return admit


# scope="function": the place is given back once the response is built, not after a slow
# client has read all of it.
HeavyWork = Annotated[None, Depends(_admission("compute"), scope="function")]
HeavyWorkIfAsked = Annotated[None, Depends(_admission("compute", asked_by="q"), scope="function")]
PdfWork = Annotated[None, Depends(_admission("pdf"), scope="function")]
HubWork = Annotated[None, Depends(_admission("hub"), scope="function")]


def get_corpus(request: Request, _admitted: HeavyWork) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor on the corpus for one request, once it is admitted as heavy work."""
    try:
        yield from request.app.state.corpus.cursor()
    except duckdb.OutOfMemoryException as exc:
        # the queries running at once needed more together than PERMED_CORPUS_MEMORY_LIMIT
        raise BusyError(
            Message(
                "The corpus queries running now need all the memory this server gives them "
                "(PERMED_CORPUS_MEMORY_LIMIT); please try again in %(seconds)s s.",
                seconds=OUT_OF_MEMORY_RETRY_S,
            ),
            retry_after=OUT_OF_MEMORY_RETRY_S,
        ) from exc


def get_corpus_version(request: Request) -> str:
    """A key naming the corpus as opened; use it to cache results computed from the corpus."""
    return request.app.state.corpus.version  # type: ignore[no-any-return]


def get_current_user(request: Request) -> User | None:
    """The logged-in user, or None."""
    return current_user_of(request)


def _require(role: str):  # type: ignore[no-untyped-def]
    def dependency(request: Request) -> User:
        user = current_user_of(request)
        if user is None:
            raise HTTPException(status_code=401, detail=LOG_IN_FIRST)
        if not role_at_least(user.role, role):
            # English in the API ("this needs the editor role"), the role named on a page
            needed = Message("this needs the %(role)s role", role=ROLE_LABELS.get(role, role))
            raise HTTPException(status_code=403, detail=needed)
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
# Every corpus read is heavy work; the cursor closes once the response is built (no route
# streams from it).
CorpusDep = Annotated[duckdb.DuckDBPyConnection, Depends(get_corpus, scope="function")]
CorpusVersion = Annotated[str, Depends(get_corpus_version)]
CurrentUser = Annotated[User | None, Depends(get_current_user)]
MemberUser = Annotated[User, Depends(_require("member"))]
EditorUser = Annotated[User, Depends(_require("editor"))]
AdminUser = Annotated[User, Depends(_require("admin"))]
CsrfProtected = Annotated[None, Depends(validate_csrf)]
FormDep = Annotated[FormData, Depends(read_form)]

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a positive 64-bit id")]
"""Every integer id in a path: a larger one is refused with 422 before any query, where
SQLite would raise OverflowError (a 500)."""
