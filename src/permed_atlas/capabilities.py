"""The one list from which the CLI, the web app and the migrations assemble the platform.

Each capability is a folder ``permed_atlas/<name>/``. The fields say which
edges it has: ``commands`` and ``groups`` name the top-level ``permed`` commands
and command groups its ``cli.py`` provides (as ``commands``, functions added at
the top level; ``app``, a Typer sub-app; or ``groups``, named sub-apps), each with
the summary ``permed --help`` shows; ``routes.py`` exposing ``router`` (one
APIRouter), ``tables.py`` with SQLAlchemy mapped classes. A flag set to True
whose module is missing is an error at start-up, not a silent skip.

This module imports nothing but the standard library: ``permed --help`` reads it
without importing any capability.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Capability:
    """One capability folder and the edges it offers.

    The summaries are what ``permed --help`` shows without importing the capability's
    ``cli.py`` (whose imports cost seconds); tests/test_cli.py checks that each is the
    first paragraph of the command's own help, so the two cannot drift apart.

    :param name: the folder, ``permed_atlas/<name>/``.
    :param commands: single top-level commands, name as typed -> summary.
    :param groups: command groups (``permed delphi ...``), name -> summary.
    :param routes: whether ``routes.py`` has an APIRouter ``router``.
    :param tables: whether ``tables.py`` has SQLAlchemy mapped classes.
    """

    name: str
    commands: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    routes: bool = False
    tables: bool = False


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "instance",
        commands={
            "init": "Create the data directory and migrate the platform database.",
            "version": "Print the PerMed Atlas version.",
            "demo": "Load the bundled demo data into the data directory, write the report, "
            "serve the web app and the demo federation's biobank nodes.",
        },
    ),
    Capability(
        "accounts",
        groups={"user": "Accounts: create, list, deactivate and activate users."},
        routes=True,
        tables=True,
    ),
    Capability(
        "web",
        commands={
            "serve": "Migrate the platform database and serve the web app "
            "(127.0.0.1:8000 by default).",
        },
    ),
    Capability(
        "landscape",
        commands={
            "tag": "Recompute the countries, regions, topics and flags of every work, and publish "
            "them to the web app (a running ``permed serve`` switches to them).",
            "explain": "Show why a work got its countries, regions, topics and flags.",
            "indicators": "Compute the landscape indicators per year and region.",
            "report": "Write a self-contained HTML landscape report with charts (opens offline).",
            "network": "Export the country or institution collaboration network (GEXF or "
            "VOSviewer).",
        },
        groups={
            "regions": "Region sets (EU27, CN, ICPERMED, your own).",
            "ingest": "Read OpenAlex, PubMed and patent files into the corpus (idempotent).",
        },
        routes=True,
        tables=True,
    ),
    Capability(
        "demo",
        commands={
            "demo-corpus": "Write a synthetic, realistic OpenAlex works corpus (and Lens "
            "patents) as JSON Lines.",
        },
    ),
    Capability(
        "roadmap",
        groups={"roadmap": "Roadmaps, indicators, observations and scorecards."},
        routes=True,
        tables=True,
    ),
    Capability(
        "federation",
        groups={
            "node": "Run a biobank's federation node.",
            "hub": "Ask every registered node at once.",
        },
        routes=True,
        tables=True,
    ),
    Capability(
        "delphi",
        groups={"delphi": "Delphi consensus surveys."},
        routes=True,
        tables=True,
    ),
    Capability(
        "transfer",
        groups={
            "transfer": "Cross-border data-transfer assessor (GDPR, PIPL, DSL, HGR, Scientific "
            "Data) and DUO consent matching. Guidance, not legal advice.",
        },
        routes=True,
    ),
    Capability(
        "partners",
        groups={
            "partners": "Researcher profiles from the corpus and a partner finder across two "
            "regions.",
        },
        routes=True,
    ),
    Capability(
        "directory",
        groups={
            "directory": "Funders, programmes, calls, laws, standards, initiatives and biobanks.",
        },
        routes=True,
        tables=True,
    ),
    Capability(
        "helpdesk",
        groups={
            "helpdesk": "Clinical-trials regulatory and funding helpdesk: per-country "
            "procedures with legal references. Guidance, not legal advice.",
        },
        routes=True,
        tables=True,
    ),
    Capability(
        "sources",
        groups={
            "fetch": "Fetch works from the OpenAlex API or PubMed into the data directory and "
            "ingest them.",
            "sync": "Keep a local copy of a public data snapshot and the corpus up to date.",
        },
    ),
)
