"""``permed ingest openalex|pubmed|patents FILE...``: read real files into the corpus;
``permed ingest runs``: what the ingests and syncs did.

Options and printing only; the steps (ingest, record each file, tag, index, publish a
snapshot), what is reported per record and per file, and when the run fails are
:func:`permed_atlas.landscape.service.run_ingest`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from permed_atlas.cli_state import cli_console, group_app, settings_from
from permed_atlas.i18n import Message
from permed_atlas.landscape.ingest.pipeline import Source
from permed_atlas.landscape.ingest.runs import IngestRun
from permed_atlas.landscape.service.ingest import run_ingest
from permed_atlas.settings import parse_memory_limit

app = group_app("ingest")

Files = Annotated[
    list[Path],
    typer.Argument(help="Files to read, plain or gzipped; a directory means the files inside it."),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Parse and report, write nothing.")]
NoTag = Annotated[
    bool,
    typer.Option("--no-tag", help="Skip tagging, the search index and publishing (bulk loads)."),
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        min=0,
        max=16,
        help="Parsing processes for OpenAlex JSON Lines; 0 picks 2 for files over 32 MB.",
    ),
]
MemoryLimit = Annotated[
    str, typer.Option("--memory-limit", help="DuckDB memory cap while the files are written.")
]
TagMemoryLimit = Annotated[
    str | None,
    typer.Option(
        "--tag-memory-limit",
        help="DuckDB memory cap while tagging, indexing and publishing, e.g. 2GiB, or none "
        "(it spills beyond, to <corpus>.tmp); default: PERMED_CORPUS_MEMORY_LIMIT, 800MiB.",
        show_default=False,
    ),
]


def _command(
    ctx: typer.Context,
    files: list[Path],
    source: Source,
    dry_run: bool,
    no_tag: bool,
    workers: int,
    limits: tuple[str, str | None],
) -> None:
    # A PermedError (missing file, unknown format, a cap that is no size) reaches `permed`'s
    # entry point, which prints it as one line and exits 1.
    settings = settings_from(ctx)
    tag_cap = settings.corpus_memory_limit
    if limits[1] is not None:
        tag_cap = parse_memory_limit(limits[1], name="--tag-memory-limit")
    try:
        run_ingest(
            files,
            source=source,
            settings=settings,
            dry_run=dry_run,
            tag=not no_tag,
            workers=workers,
            memory_limit=limits[0],
            tag_memory_limit=tag_cap,
        )
    except KeyboardInterrupt:
        # The summary above says what was stored; 130 = 128 + SIGINT, as a shell reports it.
        cli_console(stderr=True).print(
            Message(
                "interrupted (Ctrl-C): what the summary counts as stored is in the "
                "corpus; run the same ingest again to store the rest"
            ).translated(),
            highlight=False,
        )
        raise typer.Exit(130) from None


@app.command()
def openalex(
    ctx: typer.Context,
    files: Files,
    dry_run: DryRun = False,
    no_tag: NoTag = False,
    workers: Workers = 0,
    memory_limit: MemoryLimit = "192MB",
    tag_memory_limit: TagMemoryLimit = None,
) -> None:
    """Read OpenAlex works: API pages (.json) or snapshot JSON Lines (.jsonl, .gz).

    Example:

    permed ingest openalex works/updated_date=2024-01-01/part_000.gz
    """
    _command(ctx, files, "openalex", dry_run, no_tag, workers, (memory_limit, tag_memory_limit))


def _single_process_command(source: Source, doc: str) -> None:
    """Register ``permed ingest SOURCE``: the options of ``openalex`` but ``--workers``, as
    only OpenAlex JSON Lines are parsed in several processes."""

    def command(
        ctx: typer.Context,
        files: Files,
        dry_run: DryRun = False,
        no_tag: NoTag = False,
        memory_limit: MemoryLimit = "192MB",
        tag_memory_limit: TagMemoryLimit = None,
    ) -> None:
        _command(ctx, files, source, dry_run, no_tag, 1, (memory_limit, tag_memory_limit))

    command.__doc__ = doc
    app.command(source)(command)


_single_process_command(
    "pubmed",
    """Read PubMed/MEDLINE XML (PubmedArticleSet, .xml or .xml.gz).

    Example:

    permed ingest pubmed pubmed24n0001.xml.gz
    """,
)
_single_process_command(
    "patents",
    """Read patents: Lens JSON Lines, EPO publication-server XML, USPTO grant/application XML.

    The format of each file is told from its content.

    Example:

    permed ingest patents lens-export.jsonl EP3782854A1.xml
    """,
)


@app.command()
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many.")] = 20,
) -> None:
    """List the latest ingest and sync runs, newest first: status, counts, what was read.

    ``permed ingest`` records one run per file, ``permed sync openalex-snapshot`` one per
    sync (``running`` while it runs; ``failed`` with the reason when it stopped early).

    Example:

    permed ingest runs --limit 5
    """
    from permed_atlas.landscape.service.runs import latest_ingest_runs

    for run in latest_ingest_runs(settings_from(ctx), limit=limit):
        typer.echo(run_line(run))


def run_line(run: IngestRun) -> str:
    """One run as ``permed ingest runs`` prints it."""
    started = run.started_at.strftime("%Y-%m-%d %H:%M:%S")
    line = (
        f"#{run.id} {started} {run.source} {run.status}: files {run.files}, read {run.read}, "
        f"stored {run.stored} (updated {run.updated}), duplicates {run.duplicates}, "
        f"rejected {run.rejected}, removed {run.removed}; {run.path}"
    )
    return f"{line} ({run.message})" if run.message else line
