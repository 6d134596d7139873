"""``permed serve``: run the web app with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from permed_atlas.cli_state import cli_console, settings_from

console = cli_console()


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes.")] = 1,
) -> None:
    """Migrate the platform database and serve the web app (127.0.0.1:8000 by default).

    Example:

    permed serve --port 8080
    """
    from permed_atlas.web.server import run_server

    run_server(settings_from(ctx), host=host, port=port, workers=workers, say=console.print)


commands = [serve]
