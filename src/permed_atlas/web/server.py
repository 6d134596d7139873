"""Serve the web app with uvicorn: used by ``permed serve`` and ``permed demo``."""

from __future__ import annotations

from collections.abc import Callable

from permed_atlas.settings import Settings


def run_server(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
    say: Callable[[str], object] = print,
) -> None:
    """Build the app (migrating the platform database) and serve it until interrupted.

    :param settings: the platform settings; give the default host and port.
    :param host: address to listen on, instead of ``settings.host``.
    :param port: port to listen on, instead of ``settings.port``.
    :param workers: worker processes; more than one builds each app from the environment.
    :param say: prints the address the app listens on.
    """
    import uvicorn

    from permed_atlas.web.app import create_app

    bind_host = host or settings.host
    bind_port = port or settings.port
    app = create_app(settings)
    say(f"PerMed Atlas on http://{bind_host}:{bind_port}  (Ctrl-C stops it)")
    # uvicorn would believe X-Forwarded-For from loopback; the app's SecurityMiddleware
    # believes it only from PERMED_TRUSTED_PROXIES.
    if workers > 1:
        # Several workers need an import string; each builds its app from the environment.
        uvicorn.run(
            "permed_atlas.web.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
        )
    else:
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="info", proxy_headers=False)
