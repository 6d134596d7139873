"""``permed`` command groups of the sources capability: ``permed sync ...``."""

from __future__ import annotations

import typer

from permed_atlas.sources.sync_cli import app as sync_app

groups: dict[str, typer.Typer] = {"sync": sync_app}
