"""``create_app()``: the platform's web app, assembled from the capability list."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from permed_atlas import __version__
from permed_atlas.capabilities import CAPABILITIES
from permed_atlas.db import make_engine, session_factory, upgrade_database
from permed_atlas.errors import SettingsError
from permed_atlas.i18n import LazyString, Message
from permed_atlas.i18n import lazy_gettext as _l
from permed_atlas.settings import Settings, get_settings
from permed_atlas.web import apidocs, auth
from permed_atlas.web.admission import make_gates
from permed_atlas.web.body_limits import JsonBodyLimitMiddleware
from permed_atlas.web.corpus import CorpusHolder
from permed_atlas.web.errors import ERROR_RESPONSES, install_error_handlers
from permed_atlas.web.language import LanguageMiddleware
from permed_atlas.web.logs import redact_server_logs
from permed_atlas.web.schemas import HealthPublic
from permed_atlas.web.security import SecurityMiddleware
from permed_atlas.web.templating import STATIC_DIR, corpus_summary, render

SESSION_COOKIE = "permed_session"

_TITLES = {
    "landscape": _l("Landscape"),
    "directory": _l("Directory"),
    "partners": _l("Partners"),
    "delphi": _l("Delphi"),
    "roadmap": _l("Roadmap"),
    "transfer": _l("Data transfer"),
    "federation": _l("Biobanks"),
    "helpdesk": _l("Helpdesk"),
}


def _capability_routers(name: str) -> list[APIRouter]:
    try:
        module = importlib.import_module(f"permed_atlas.{name}.routes")
    except ModuleNotFoundError as exc:
        if exc.name in {f"permed_atlas.{name}", f"permed_atlas.{name}.routes"}:
            raise SettingsError(
                Message(
                    "capability %(quoted)s says routes=True but "
                    "permed_atlas/%(name)s/routes.py is missing",
                    quoted=repr(name),
                    name=name,
                )
            ) from exc
        raise
    router = getattr(module, "router", None)
    if not isinstance(router, APIRouter):
        raise SettingsError(
            Message(
                "permed_atlas/%(name)s/routes.py has no APIRouter named `router`",
                name=name,
            )
        )
    routers = [router]
    api_router = getattr(module, "api_router", None)
    if isinstance(api_router, APIRouter):
        routers.append(api_router)
    return routers


def _nav_links(paths: set[str]) -> list[tuple[str, str | LazyString]]:
    links: list[tuple[str, str | LazyString]] = []
    for capability in CAPABILITIES:
        if not capability.routes or capability.name in {"accounts"}:
            continue
        for candidate in (f"/{capability.name}/", f"/{capability.name}"):
            if candidate in paths:
                links.append((candidate, _TITLES.get(capability.name, capability.name.title())))
                break
    return links


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app: migrate the platform database, include every capability's router.

    :param settings: the settings to use; ``get_settings()`` when None.
    """
    settings = settings or get_settings()
    settings.ensure_data_dir()
    engine = make_engine(settings.platform_database_url, pool_size=settings.web_threads)
    upgrade_database(engine)
    corpus = CorpusHolder(settings.corpus_path, settings=settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the routes' worker threads; the database pool above is sized to match
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield
        corpus.close()
        engine.dispose()

    app = FastAPI(
        title="PerMed Atlas",
        version=__version__,
        description="Open platform for international cooperation in personalised medicine. "
        "Every page has a JSON twin under /api/v1.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        # Served by web.apidocs from local assets; FastAPI's page loads Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        # counted as the body streams in, not only from Content-Length
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.corpus = corpus
    # heavy work waits for one of a few places, so cheap pages always find a worker thread
    app.state.gates = make_gates(settings)

    _install_middleware(app, settings)
    install_error_handlers(app)
    redact_server_logs()

    paths = _include_routers(app)
    app.state.nav_links = _nav_links(paths)
    return app


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """The session cookie, the language of each response, the security headers and proxies."""
    # innermost: a JSON body is decoded on the event loop, so it gets a smaller limit
    app.add_middleware(JsonBodyLimitMiddleware, max_json_bytes=settings.max_json_body_bytes)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        # the cookie only names a server-side login (see accounts.sessions), which
        # ends on its own; Secure is added per request by SecurityMiddleware (HTTPS)
        max_age=settings.session_absolute_timeout,
    )
    # outside the session: every response, an error page included, knows its language
    app.add_middleware(LanguageMiddleware)
    # added last, so outermost: the session and routes see the real client and scheme
    app.add_middleware(SecurityMiddleware, trusted_proxies=settings.trusted_proxies)


def _include_routers(app: FastAPI) -> set[str]:
    """Mount the static files and API docs, include every capability's routers; their paths."""
    # Mounted before /static so the more specific prefix wins.
    app.mount(apidocs.SWAGGER_UI_MOUNT, apidocs.swagger_ui_assets(), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(apidocs.router)

    guard = [Depends(auth.enforce_csrf_when_logged_in)]
    app.include_router(auth.router)
    app.include_router(auth.api_router, responses=ERROR_RESPONSES)
    paths: set[str] = set()
    mounted: list[str] = []
    for capability in CAPABILITIES:
        if capability.routes:
            for router in _capability_routers(capability.name):
                paths.update(getattr(route, "path", "") for route in router.routes)
                app.include_router(router, dependencies=guard, responses=ERROR_RESPONSES)
            mounted.append(capability.name)
    app.state.capabilities = tuple(mounted)

    _add_platform_routes(app)
    return paths


def _add_platform_routes(app: FastAPI) -> None:
    """The home page and the health check."""

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return render(request, "home.html", {"summary": corpus_summary(request)})

    @app.get("/api/v1/health", tags=["platform"], response_model=HealthPublic)
    def health() -> dict[str, str]:
        """Liveness: the app answers."""
        return {"status": "ok", "version": __version__}
