"""The ``permed`` command, assembled from each capability's ``cli.py``."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from permed_atlas.capabilities import CAPABILITIES
from permed_atlas.errors import PermedError

app = typer.Typer(
    name="permed",
    help="PerMed Atlas: the landscape, partners, Delphi, roadmap, transfers and biobanks of "
    "personalised medicine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _assemble() -> None:
    for capability in CAPABILITIES:
        if not capability.cli:
            continue
        module = importlib.import_module(f"permed_atlas.{capability.name}.cli")
        sub_app = getattr(module, "app", None)
        if sub_app is not None:
            app.add_typer(sub_app)
        for command in getattr(module, "commands", ()):
            app.command(name=command.__name__.replace("_", "-"))(command)
        for group_name, group in getattr(module, "groups", {}).items():
            app.add_typer(group, name=group_name)


_assemble()


def main() -> None:
    """Entry point: run the CLI and turn our errors into one line and a non-zero exit.

    Click's standalone mode handles usage errors and exit codes; only our own
    domain errors are caught here, so no traceback reaches the user for them.
    """
    try:
        app()
    except PermedError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
