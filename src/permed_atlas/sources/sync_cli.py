"""``permed sync openalex-snapshot``: keep a local copy of the snapshot and the corpus current."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from permed_atlas.cli_state import group_app, settings_from
from permed_atlas.sources._console import err, out, progress_bar

app = group_app("sync")


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from exc


SnapshotDest = Annotated[
    Path | None,
    typer.Option(
        "--dest",
        help="Local copy of the bucket; default: the data directory's openalex-snapshot folder.",
    ),
]
SnapshotFormat = Annotated[
    str,
    typer.Option(
        "--format",
        help="Snapshot format: jsonl (gzipped JSON Lines) or "
        "parquet (from the June 2026 release on).",
    ),
]


@app.command("openalex-snapshot")
def openalex_snapshot(
    ctx: typer.Context,
    dest: SnapshotDest = None,
    fmt: SnapshotFormat = "jsonl",
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Oldest updated_date partition wanted (YYYY-MM-DD); older ones are "
            "skipped now and by later syncs of DEST.",
        ),
    ] = None,
    pm_only: Annotated[
        bool,
        typer.Option(
            "--pm-only",
            help="Keep only the works the tagging rules mark PM-relevant "
            "(Parquet: inside the scan; JSON Lines: before storing).",
        ),
    ] = False,
    no_tag: Annotated[
        bool, typer.Option("--no-tag", help="Skip tagging, the search index and publishing.")
    ] = False,
) -> None:
    r"""Download the OpenAlex works snapshot's new partitions and ingest them.

    Reads the bucket's manifest over HTTPS (no credentials), downloads only the
    partitions newer than the last sync into DEST (resuming cut downloads, checking
    sizes), ingests them (a newer copy of a work replaces the stored one) and drops
    the works OpenAlex merged into others (remembering them, so they never come back).
    Each sync is recorded: ``permed ingest runs``.

    Example:

    permed sync openalex-snapshot --dest /data/openalex --format parquet \
      --pm-only
    """
    from permed_atlas.sources.snapshot_run import Hooks, SyncOptions, sync_openalex_snapshot

    if fmt not in ("jsonl", "parquet"):
        raise typer.BadParameter(f"--format must be jsonl or parquet, not {fmt!r}")
    settings = settings_from(ctx)
    options = SyncOptions(
        dest=dest or settings.openalex_snapshot_dir,
        fmt="parquet" if fmt == "parquet" else "jsonl",
        since=_date(since),
        pm_only=pm_only,
        base_url=settings.openalex_snapshot_url,
        tag=not no_tag,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with progress_bar("downloading", *columns) as (bar, task):
        hooks = Hooks(
            download_total=lambda total: bar.update(task, total=total),
            downloaded=lambda count: bar.advance(task, count),
            ingested=lambda part: err.print(f"ingested {part.key}"),
        )
        summary = sync_openalex_snapshot(options, settings=settings, hooks=hooks)
    out.print(summary.line())
    for rejection in summary.rejections:
        err.print(rejection, markup=False)
    if summary.works_rejected > len(summary.rejections):
        err.print(f"... and {summary.works_rejected - len(summary.rejections):,} more rejected")
