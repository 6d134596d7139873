"""``permed serve``: run the web app with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from permed_atlas.settings import get_settings

console = Console()


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes.")] = 1,
) -> None:
    """Migrate the platform database and serve the web app (127.0.0.1:8000 by default).

    Example: ``permed serve --port 8080``
    """
    import uvicorn

    from permed_atlas.web.app import create_app

    settings = get_settings()
    bind_host = host or settings.host
    bind_port = port or settings.port
    app = create_app(settings)
    # uvicorn would believe X-Forwarded-For from loopback; the app's SecurityMiddleware
    # believes it only from PERMED_TRUSTED_PROXIES
    console.print(f"PerMed Atlas on http://{bind_host}:{bind_port}  (Ctrl-C stops it)")
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


commands = [serve]
