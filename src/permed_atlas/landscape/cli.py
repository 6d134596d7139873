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
