"""``permed`` command groups of the sources capability: ``permed fetch``, ``permed sync``."""

from __future__ import annotations

import typer

from permed_atlas.sources.fetch_cli import app as fetch_app
from permed_atlas.sources.sync_cli import app as sync_app

groups: dict[str, typer.Typer] = {"fetch": fetch_app, "sync": sync_app}
