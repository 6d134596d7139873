"""``permed`` command groups of the sources capability: ``permed fetch ...``."""

from __future__ import annotations

import typer

from permed_atlas.sources.fetch_cli import app as fetch_app

groups: dict[str, typer.Typer] = {"fetch": fetch_app}
