"""``permed`` commands of the landscape capability.

Top-level commands (``permed ingest ...``, ``permed tag``, ``permed explain``,
``permed indicators``, ``permed report``, ``permed network``, ``permed regions``)
are gathered here from the modules that implement them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from permed_atlas.landscape import analysis_cli
from permed_atlas.landscape.ingest_cli import app as ingest_app

commands: list[Callable[..., Any]] = [*analysis_cli.commands]
groups: dict[str, typer.Typer] = {**analysis_cli.groups, "ingest": ingest_app}
