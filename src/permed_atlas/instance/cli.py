"""``permed init`` and ``permed version``."""

from __future__ import annotations

from typing import Annotated

import typer

from permed_atlas import __version__
from permed_atlas.cli_state import cli_console, counted, settings_from
from permed_atlas.instance.setup import initialise_instance

console = cli_console()


def init(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be done.")
    ] = False,
) -> None:
    """Create the data directory and migrate the platform database.

    Example:

    PERMED_DATA_DIR=/srv/permed permed init
    """
    status = initialise_instance(settings_from(ctx), dry_run=dry_run)
    verb = "would use" if dry_run else "ready"
    console.print(f"{verb}: data directory {status.data_dir}, database {status.database_url}")
    console.print(
        f"schema {'up to date' if status.up_to_date else 'needs migration'}: "
        f"{', '.join(sorted(status.revisions)) or 'empty'}"
    )


def version() -> None:
    """Print the PerMed Atlas version."""
    console.print(f"permed-atlas {__version__}")


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web app when the data is loaded.")
    ] = True,
    nodes: Annotated[
        bool,
        typer.Option(
            "--nodes/--no-nodes",
            help="With the web app, start the demo biobank nodes (EU and China) "
            "of the federation registry on loopback; they stop with it.",
        ),
    ] = True,
) -> None:
    """Load the bundled demo data into the data directory, write the report, serve the web app
    and the demo federation's biobank nodes.

    Examples:

    permed demo              # then open http://127.0.0.1:8000
    permed demo --no-serve   # load the data, serve nothing
    """
    from permed_atlas.instance.demo import load_demo

    settings = settings_from(ctx)
    if serve:
        from permed_atlas.web import refuse_an_unusable_address

        # a port taken by the first `permed demo` is said before the data is loaded again
        refuse_an_unusable_address(settings.host, settings.port)
    summary = load_demo(settings, say=console.print)
    console.print(
        f"demo loaded: {counted(summary.works, 'publication')}, "
        f"{counted(summary.patents, 'patent')}, "
        f"{counted(summary.roadmaps, 'roadmap')} "
        f"({counted(summary.observations_stored, 'new observation')}), "
        f"Delphi study {summary.delphi_study!r}"
    )
    console.print(f"open the report: {summary.report.resolve()}")
    if summary.admins:
        console.print("to edit, sign in with an admin or editor account")
    else:
        console.print(
            "to edit, create an admin first: permed user add you@example.org --role admin"
        )
    if serve:
        from permed_atlas.federation import local_nodes, registry_path, start_local_nodes
        from permed_atlas.web import run_server

        federation = None
        if nodes:
            registry = registry_path(settings.data_dir)
            federation = start_local_nodes(
                list(local_nodes(registry).values()),
                log_dir=settings.federation_dir / "node-logs",
                say=console.print,
            )
        try:
            run_server(settings, say=console.print)
        finally:
            if federation is not None:
                federation.stop()


commands = [init, version, demo]
