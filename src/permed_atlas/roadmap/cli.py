"""``permed roadmap ...``: list, show, import observations or roadmaps, status, scorecard, chart."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.db import migrated_session
from permed_atlas.i18n import Message
from permed_atlas.landscape import region_countries
from permed_atlas.outputfiles import write_atomic
from permed_atlas.roadmap import store
from permed_atlas.roadmap.chart import render_chart
from permed_atlas.roadmap.delphi_link import roadmap_from_delphi
from permed_atlas.roadmap.errors import InvalidRoadmapError
from permed_atlas.roadmap.exports import (
    assessment_row,
    roadmap_dict,
    roadmap_rows,
    scorecard_dict,
    scorecard_rows,
    summary_dict,
    to_csv,
)
from permed_atlas.roadmap.monitoring import (
    assess_indicator,
    assess_roadmap,
    import_observations,
    load_demo_observations,
    roadmap_scorecard,
)
from permed_atlas.settings import Settings
from permed_atlas.userfiles import read_text_file

app = group_app("roadmap")
console = cli_console()


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table, csv or json.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check the file, store nothing.")]
RoadmapArg = Annotated[str, typer.Argument(help="The roadmap.")]


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    with migrated_session(settings) as session:
        # The bundled roadmaps are data loaded at start; loading is idempotent.
        store.load_bundled_roadmaps(session, regions=region_countries(settings))
        yield session


def _emit(rows: Sequence[dict[str, Any]], fmt: OutputFormat, *, data: Any = None) -> None:
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(data if data is not None else list(rows), indent=2, default=str))
    elif fmt is OutputFormat.csv:
        typer.echo(to_csv(rows), nl=False)
    else:
        table = Table(show_lines=False)
        columns = list(rows[0]) if rows else []
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(row[column]) for column in columns))
        console.print(table)


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List the roadmaps.

    Example:

    permed roadmap list --format json
    """
    with _session(settings_from(ctx)) as session:
        rows = [summary_dict(summary) for summary in store.list_roadmaps(session)]
    _emit(rows, fmt)


@app.command()
def show(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The roadmap, e.g. ic2permed.")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show a roadmap's pillars, priorities and actions.

    Example:

    permed roadmap show ic2permed
    """
    with _session(settings_from(ctx)) as session:
        roadmap = store.get_roadmap(session, slug)
    rows = [
        {k: row[k] for k in ("pillar", "priority", "action", "action_title")}
        if fmt is OutputFormat.table
        else row
        for row in roadmap_rows(roadmap)
    ]
    if fmt is OutputFormat.table:
        console.print(f"[bold]{roadmap.title}[/]\nsource: {roadmap.source.title}")
    _emit(rows, fmt, data=roadmap_dict(roadmap))


def _read_file(file: Path) -> str:
    return read_text_file(file, error=lambda message: InvalidRoadmapError(message, field="file"))


@app.command("import-observations")
def import_observations_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: indicator,date,value,unit,source.")],
    entered_by: Annotated[
        str, typer.Option("--entered-by", help="Who entered the values (shown on pages).")
    ] = "command line",
    dry_run: DryRunOption = False,
) -> None:
    """Import observations from a CSV file; a bad row stops the import and nothing is stored.

    Example:

    permed roadmap import-observations dpyd-2026.csv --entered-by "M. Rossi"
    """
    text = _read_file(file)
    with _session(settings_from(ctx)) as session:
        report = import_observations(
            session, text, path=str(file), actor_id=None, entered_by=entered_by, dry_run=dry_run
        )
    verb = "would store" if dry_run else "stored"
    console.print(
        f"{file}: read {report.read}, {verb} {report.stored}, "
        f"already stored {report.skipped_existing}"
    )


@app.command("import-roadmap")
def import_roadmap_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A roadmap in the bundled files' YAML format.")],
    dry_run: DryRunOption = False,
) -> None:
    """Add a roadmap of your own (pillars, priorities, actions, indicators) from a YAML file.

    Example:

    permed roadmap import-roadmap my-roadmap.yaml --dry-run
    """
    settings = settings_from(ctx)
    text = _read_file(file)
    with _session(settings) as session:
        summary = store.import_roadmap(
            session,
            text,
            where=str(file),
            regions=region_countries(settings),
            dry_run=dry_run,
        )
    verb = "would add" if dry_run else "added"
    console.print(
        f"{verb} roadmap {summary.slug}: {counted(summary.actions, 'action')}, "
        f"{counted(summary.indicators, 'indicator')}"
    )


@app.command("from-delphi")
def from_delphi(
    ctx: typer.Context,
    study: Annotated[str, typer.Argument(help="The Delphi study's slug.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check, store nothing.")] = False,
) -> None:
    """Build a roadmap from a Delphi study's synthesised actions, linked to their items.

    Example:

    permed roadmap from-delphi sino-eu-demo --dry-run
    """
    with _session(settings_from(ctx)) as session:
        summary = roadmap_from_delphi(session, study, dry_run=dry_run)
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} roadmap {summary.slug}: {counted(summary.actions, 'action')}")


@app.command()
def status(
    ctx: typer.Context,
    slug: RoadmapArg = "ic2permed",
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Only this indicator.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (EU27, CN, ...).")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Projected value and status (on track / at risk / off track) of each indicator.

    Example:

    permed roadmap status ic2permed --region CN --format csv
    """
    with _session(settings_from(ctx)) as session:
        if indicator:
            assessments = [assess_indicator(session, indicator)]
        else:
            assessments = assess_roadmap(session, slug, region=region)
    rows = [assessment_row(a) for a in assessments]
    if fmt is OutputFormat.table:
        keep = (
            "indicator",
            "region",
            "centre",
            "latest_value",
            "projected_value",
            "target_value",
            "status",
        )
        rows = [{k: row[k] for k in keep} | {"status": _status_words(row)} for row in rows]
    _emit(rows, fmt)


def _status_words(row: dict[str, Any]) -> str:
    """A status with the caveats a table reader needs: too few points, a figure years old."""
    words = str(row["status"])
    if row["uncertain"]:
        words += f" (uncertain: {row['points']} points)"
    if row["stale"]:
        words += f" (stale: newest point {row['latest_date']})"
    return words


@app.command()
def scorecard(
    ctx: typer.Context,
    slug: RoadmapArg = "ic2permed",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The scorecard: statuses per action, priority and pillar, EU and China side by side.

    Example:

    permed roadmap scorecard ic2permed --format csv > scorecard.csv
    """
    with _session(settings_from(ctx)) as session:
        card = roadmap_scorecard(session, slug)
    rows = scorecard_rows(card)
    if fmt is OutputFormat.table:
        rows = [
            {"code": row["code"], "title": row["title"]}
            | {f"{region}": row[f"{region}_status"] for region in card.regions}
            for row in rows
        ]
    _emit(rows, fmt, data=scorecard_dict(card))
    if fmt is OutputFormat.table:
        console.print(f"[dim]{card.rule}[/]")


@app.command()
def chart(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="The indicator's code.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="A .svg or .png file.")],
) -> None:
    """Save an indicator's chart (observations, baseline, target, projection) as SVG or PNG.

    Example:

    permed roadmap chart dpyd-demo-milan -o milan.png
    """
    with _session(settings_from(ctx)) as session:
        svg = render_chart(assess_indicator(session, indicator))
    if output.suffix.lower() == ".png":
        import vl_convert

        write_atomic(output, vl_convert.svg_to_png(svg, scale=2))
    elif output.suffix.lower() == ".svg":
        write_atomic(output, svg)
    else:
        raise InvalidRoadmapError(
            Message("%(output)s: the file must end in .svg or .png", output=output),
            field="output",
        )
    console.print(f"wrote {output}")


@app.command()
def load(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Also load the demo observations.")] = False,
) -> None:
    """Load (or update) the bundled roadmaps, and with --demo the demo observations.

    Example:

    permed roadmap load --demo
    """
    with _session(settings_from(ctx)) as session:
        summaries = store.list_roadmaps(session)
        report = load_demo_observations(session) if demo else None
    for summary in summaries:
        console.print(
            f"{summary.slug}: {counted(summary.actions, 'action')}, "
            f"{counted(summary.indicators, 'indicator')}"
        )
    if report is not None:
        console.print(
            f"demo observations: stored {report.stored}, already there {report.skipped_existing}"
        )
