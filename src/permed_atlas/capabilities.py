"""The one list from which the CLI, the web app and the migrations assemble the platform.

Each capability is a folder ``permed_atlas/<name>/``. The fields say which
edges it has: ``cli`` lists the top-level ``permed`` commands its ``cli.py``
provides (as ``app``, a Typer sub-app; ``commands``, functions added at the top
level; or ``groups``, named sub-apps), ``routes.py`` exposing ``router`` (one
APIRouter), ``tables.py`` with SQLAlchemy mapped classes. A flag set to True
whose module is missing is an error at start-up, not a silent skip.

This module imports nothing but the standard library: ``permed --help`` reads it
without importing any capability.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CliCommand:
    """One top-level ``permed`` command or command group of a capability.

    ``summary`` is what ``permed --help`` shows without importing the capability's
    ``cli.py`` (whose imports cost seconds); tests/test_cli.py checks that it is the
    first paragraph of the command's own help, so the two cannot drift apart.

    :param name: the command as typed, e.g. ``demo-corpus``.
    :param summary: the first paragraph of its help.
    :param group: whether it is a group of sub-commands (``permed delphi ...``);
        ``permed --help`` lists single commands first, then groups.
    """

    name: str
    summary: str
    group: bool = True


@dataclass(frozen=True)
class Capability:
    """One capability folder and the edges it offers."""

    name: str
    cli: tuple[CliCommand, ...] = ()
    routes: bool = False
    tables: bool = False


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "instance",
        cli=(
            CliCommand(
                "init", "Create the data directory and migrate the platform database.", group=False
            ),
            CliCommand("version", "Print the PerMed Atlas version.", group=False),
            CliCommand(
                "demo",
                "Load the bundled demo data into the data directory, write the report, "
                "serve the web app.",
                group=False,
            ),
        ),
    ),
    Capability(
        "accounts",
        cli=(CliCommand("user", "Accounts: create and list users."),),
        routes=True,
        tables=True,
    ),
    Capability(
        "web",
        cli=(
            CliCommand(
                "serve",
                "Migrate the platform database and serve the web app (127.0.0.1:8000 by default).",
                group=False,
            ),
        ),
    ),
    Capability(
        "landscape",
        cli=(
            CliCommand(
                "tag",
                "Recompute the countries, regions, topics and flags of every work.",
                group=False,
            ),
            CliCommand(
                "explain",
                "Show why a work got its countries, regions, topics and flags.",
                group=False,
            ),
            CliCommand(
                "indicators", "Compute the landscape indicators per year and region.", group=False
            ),
            CliCommand(
                "report",
                "Write a self-contained HTML landscape report with charts (opens offline).",
                group=False,
            ),
            CliCommand(
                "network",
                "Export the country or institution collaboration network (GEXF or VOSviewer).",
                group=False,
            ),
            CliCommand(
                "demo-corpus",
                "Write a synthetic, realistic OpenAlex works corpus (and Lens "
                "patents) as JSON Lines.",
                group=False,
            ),
            CliCommand("regions", "Region sets (EU27, CN, ICPERMED, your own)."),
            CliCommand(
                "ingest", "Read OpenAlex, PubMed and patent files into the corpus (idempotent)."
            ),
        ),
        routes=True,
        tables=True,
    ),
    Capability(
        "roadmap",
        cli=(CliCommand("roadmap", "Roadmaps, indicators, observations and scorecards."),),
        routes=True,
        tables=True,
    ),
    Capability(
        "federation",
        cli=(
            CliCommand("node", "Run a biobank's federation node."),
            CliCommand("hub", "Ask every registered node at once."),
        ),
        routes=True,
        tables=True,
    ),
    Capability(
        "delphi", cli=(CliCommand("delphi", "Delphi consensus surveys."),), routes=True, tables=True
    ),
    Capability(
        "transfer",
        cli=(
            CliCommand(
                "transfer",
                "Cross-border data-transfer assessor (GDPR, PIPL, DSL, HGR, Scientific "
                "Data) and DUO consent matching. Guidance, not legal advice.",
            ),
        ),
        routes=True,
    ),
    Capability(
        "partners",
        cli=(
            CliCommand(
                "partners",
                "Researcher profiles from the corpus and a partner finder across two regions.",
            ),
        ),
        routes=True,
    ),
    Capability(
        "directory",
        cli=(
            CliCommand(
                "directory",
                "Funders, programmes, calls, laws, standards, initiatives and biobanks.",
            ),
        ),
        routes=True,
        tables=True,
    ),
    Capability(
        "helpdesk",
        cli=(
            CliCommand(
                "helpdesk",
                "Clinical-trials regulatory and funding helpdesk: per-country "
                "procedures with legal references. Guidance, not legal advice.",
            ),
        ),
        routes=True,
    ),
)
