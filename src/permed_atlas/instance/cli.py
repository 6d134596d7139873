"""``permed init`` and ``permed version``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from permed_atlas import __version__
from permed_atlas.instance.setup import initialise_instance
from permed_atlas.settings import get_settings

console = Console()


def init(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be done.")] = False,
) -> None:
    """Create the data directory and migrate the platform database.

    Example: ``PERMED_DATA_DIR=/srv/permed permed init``
    """
    status = initialise_instance(get_settings(), dry_run=dry_run)
    verb = "would use" if dry_run else "ready"
    console.print(f"{verb}: data directory {status.data_dir}, database {status.database_url}")
    console.print(
        f"schema {'up to date' if status.up_to_date else 'needs migration'}: "
        f"{', '.join(sorted(status.revisions)) or 'empty'}"
    )


def version() -> None:
    """Print the PerMed Atlas version."""
    console.print(f"permed-atlas {__version__}")


commands = [init, version]
