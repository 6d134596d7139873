"""Imports every capability's mapped classes so that one metadata holds them all."""

from __future__ import annotations

import importlib

from permed_atlas.capabilities import CAPABILITIES

for _capability in CAPABILITIES:
    if _capability.tables:
        importlib.import_module(f"permed_atlas.{_capability.name}.tables")
