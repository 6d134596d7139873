"""``permed directory ...``: load, list, show, search, history, funding match, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.db import migrated_session
from permed_atlas.directory import store
from permed_atlas.directory.exports import (
    entry_dict,
    export_entries,
    hit_dict,
    match_dict,
    revision_dict,
)
from permed_atlas.directory.files import BUNDLED_DIRECTORY_DIR, load_directory_files
from permed_atlas.landscape import region_countries
from permed_atlas.outputfiles import write_atomic
from permed_atlas.settings import Settings

_Item = TypeVar("_Item")

app = group_app("directory")
console = cli_console()


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")]
KindOption = Annotated[
    list[str] | None, typer.Option("--kind", "-k", help="Only this kind (repeatable).")
]


@contextmanager
def _session(settings: Settings, *, seed: bool = True) -> Iterator[Session]:
    with migrated_session(settings) as session:
        if seed:
            # The bundled entries are data loaded at start; loading is idempotent.
            store.load_seed_directory(session, settings=settings)
        yield session


def _json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _print_items(
    fmt: OutputFormat,
    items: Sequence[_Item],
    *,
    as_dict: Callable[[_Item], object],
    columns: tuple[str, ...],
    row: Callable[[_Item], tuple[str, ...]],
) -> None:
    """``items`` as a JSON list (each ``as_dict``) or a table (each ``row`` under ``columns``)."""
    if fmt is OutputFormat.json:
        _json([as_dict(item) for item in items])
        return
    table = Table(*columns)
    for item in items:
        table.add_row(*row(item))
    console.print(table)


@app.command()
def load(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder", help="A folder of directory YAML files (default: the bundled ones)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, store nothing.")] = False,
) -> None:
    """Load the directory's data files: add new entries, update untouched ones, keep edited ones.

    Example:

    permed directory load --dry-run
    """
    settings = settings_from(ctx)
    with _session(settings, seed=False) as session:
        summary = store.load_seed_directory(
            session,
            folder=folder or BUNDLED_DIRECTORY_DIR,
            settings=settings,
            dry_run=dry_run,
        )
    verb = "would insert" if dry_run else "inserted"
    console.print(
        f"{counted(summary.files, 'file')}, {counted(summary.total, 'entry', 'entries')}: "
        f"{verb} {len(summary.inserted)}, "
        f"{'would update' if dry_run else 'updated'} {len(summary.updated)}, "
        f"unchanged {summary.unchanged}, kept {len(summary.kept)} edited in the app"
        + (f" ({', '.join(summary.kept)})" if summary.kept else ""),
        highlight=False,
    )


@app.command()
def validate(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(help="A folder of directory YAML files (default: the bundled ones)."),
    ] = None,
) -> None:
    """Check a folder of data files (fields, dates, unique ids, related ids) without storing.

    Example:

    permed directory validate src/permed_atlas/data/directory
    """
    folder = folder or BUNDLED_DIRECTORY_DIR
    files = load_directory_files(folder, known_regions=set(region_countries(settings_from(ctx))))
    console.print(
        f"{folder}: {counted(files.files, 'file')}, "
        f"{counted(len(files.entries), 'entry', 'entries')}, all valid",
        highlight=False,
    )


@app.command("list")
def list_(
    ctx: typer.Context, kind: KindOption = None, fmt: FormatOption = OutputFormat.table
) -> None:
    """List entries by kind and name.

    Example:

    permed directory list --kind law
    """
    with _session(settings_from(ctx)) as session:
        entries = store.list_entries(session, kinds=kind)
    _print_items(
        fmt,
        entries,
        as_dict=entry_dict,
        columns=("id", "kind", "name", "regions"),
        row=lambda e: (e.id, e.kind, e.label, ", ".join(e.regions)),
    )


@app.command()
def show(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry's id, e.g. pipl.")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show one entry with its source and related entries.

    Example:

    permed directory show hgr-regulations
    """
    with _session(settings_from(ctx)) as session:
        entry = store.get_entry(session, entry_id)
        related = store.related_entries(session, entry_id)
    if fmt is OutputFormat.json:
        data = entry_dict(entry)
        data["related_entries"] = [r.entry.id for r in related]
        _json(data)
        return
    console.print(f"[bold]{entry.label}[/] ({entry.kind})", highlight=False)
    console.print(entry.summary, highlight=False)
    for key, value in entry.to_dict().items():
        if key not in {"id", "kind", "name", "summary"} and value not in (None, [], ""):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            console.print(f"  {key}: {shown}", highlight=False)
    for r in related:
        console.print(f"  related ({r.direction}): {r.entry.id} — {r.entry.label}", highlight=False)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Free text over name, acronym, summary, keywords.")],
    kind: KindOption = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Country or region set.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many hits.")] = 20,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Search the directory, ranked (BM25), filtered by kind and region.

    Example:

    permed directory search "genetic data export" --region CN
    """
    settings = settings_from(ctx)
    with _session(settings) as session:
        hits = store.search_directory(
            session, text, kinds=kind, regions=region or (), limit=limit, settings=settings
        )
    _print_items(
        fmt,
        hits,
        as_dict=hit_dict,
        columns=("score", "id", "kind", "name", "matched"),
        row=lambda h: (
            f"{h.score:.2f}",
            h.entry.id,
            h.entry.kind,
            h.entry.label,
            ", ".join(h.matched_terms),
        ),
    )


@app.command()
def history(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry's id.")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show an entry's revisions, newest first.

    Example:

    permed directory history gdpr
    """
    with _session(settings_from(ctx)) as session:
        revisions = store.list_revisions(session, entry_id)
    _print_items(
        fmt,
        revisions,
        as_dict=revision_dict,
        columns=("revision", "at", "who", "origin", "comment", "changed"),
        row=lambda r: (
            str(r.number),
            r.at.strftime("%Y-%m-%d %H:%M"),
            r.actor_email or "system",
            r.origin,
            r.comment,
            ", ".join(r.changed),
        ),
    )


@app.command("funding-match")
def funding_match(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The project description.")],
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", help="A partner's country or region set (repeatable)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many matches.")] = 10,
    partial: Annotated[
        bool, typer.Option("--partial", help="Also programmes covering only some regions.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    r"""Rank programmes and calls whose scope fits a project and whose regions cover its partners.

    Example:

    permed directory funding-match "pharmacogenomics in China and Germany" \
      -r DE -r CN
    """
    settings = settings_from(ctx)
    with _session(settings) as session:
        matches = store.match_funding(
            session,
            description=text,
            regions=region or (),
            limit=limit,
            coverage="any" if partial else "all",
            settings=settings,
        )
    _print_items(
        fmt,
        matches,
        as_dict=match_dict,
        columns=("score", "id", "name", "open", "matched terms", "covers"),
        row=lambda m: (
            f"{m.score:.2f}",
            m.entry.id,
            m.entry.label,
            "closed" if m.closed else "open",
            ", ".join(m.matched_terms),
            ", ".join(m.eligible_regions),
        ),
    )


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or json.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout when omitted.")
    ] = None,
    kind: KindOption = None,
) -> None:
    """Export every entry (or some kinds) as CSV or JSON.

    Example:

    permed directory export --format csv -o directory.csv
    """
    with _session(settings_from(ctx)) as session:
        text = export_entries(store.list_entries(session, kinds=kind), fmt=fmt.value)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        console.print(f"wrote {output}", highlight=False)
