"""``permed`` commands of the landscape capability.

Top-level commands (``permed ingest ...``, ``permed explain``, ``permed indicators``,
``permed report``, ``permed network``, ``permed demo-corpus``) are gathered
here from the modules that implement them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

commands: list[Callable[..., Any]] = []
groups: dict[str, typer.Typer] = {}

# Tagging, explain, indicators, report, network and region sets (analysis_cli.py).
from permed_atlas.landscape import analysis_cli as _analysis_cli  # noqa: E402

commands += _analysis_cli.commands
groups.update(_analysis_cli.groups)

# permed ingest openalex|pubmed|patents FILE... (ingest_cli.py).
from permed_atlas.landscape.ingest_cli import app as _ingest_app  # noqa: E402

groups["ingest"] = _ingest_app

# permed demo-corpus (demo_cli.py).
from permed_atlas.landscape import demo_cli as _demo_cli  # noqa: E402

commands += _demo_cli.commands
