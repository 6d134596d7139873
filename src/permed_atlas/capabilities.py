"""The one list from which the CLI, the web app and the migrations assemble the platform.

Each capability is a folder ``permed_atlas/<name>/``. The flags say which
edges it has: ``cli.py`` exposing ``app`` (a Typer sub-app, or ``commands``
to add at the top level), ``routes.py`` exposing ``router`` (one APIRouter),
``tables.py`` with SQLAlchemy mapped classes. A flag set to True whose module
is missing is an error at start-up, not a silent skip.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capability:
    """One capability folder and the edges it offers."""

    name: str
    cli: bool = True
    routes: bool = False
    tables: bool = False


CAPABILITIES: tuple[Capability, ...] = (
    Capability("instance", cli=True),
    Capability("accounts", cli=True, routes=True, tables=True),
    Capability("web", cli=True),
    Capability("landscape", cli=True, routes=True, tables=True),
    Capability("roadmap", cli=True, routes=True, tables=True),
    Capability("federation", cli=True, routes=True, tables=True),
    Capability("delphi", cli=True, routes=True, tables=True),
    Capability("transfer", cli=True, routes=True),
    Capability("partners", cli=True, routes=True),
    Capability("directory", cli=True, routes=True, tables=True),
    Capability("helpdesk", cli=True, routes=True, tables=True),
)
