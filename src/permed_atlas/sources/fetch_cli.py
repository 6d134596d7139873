"""``permed fetch openalex|pubmed``: fetch from a public API into the data directory, then ingest.

Pages arrive behind a progress bar (on a terminal); retries are told on stderr, never
with a key; the summary and the ingest's counts go to stdout. Interrupted (Ctrl-C,
a kill, a network that stays down), the same command resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from permed_atlas.cli_state import group_app, settings_from
from permed_atlas.sources._console import err, out, progress_bar, say_retry

if TYPE_CHECKING:
    from permed_atlas.settings import Settings
    from permed_atlas.sources.models import FetchSummary

# What the progress bar says it counts.
_LABELS = {"openalex": "OpenAlex works", "pubmed": "PubMed records"}

app = group_app("fetch")

Since = Annotated[
    datetime | None,
    typer.Option(
        "--since",
        formats=["%Y-%m-%d"],
        help="Only records updated on or after this day (YYYY-MM-DD).",
    ),
]
Restart = Annotated[
    bool, typer.Option("--restart", help="Forget this query's earlier pages and start anew.")
]
NoIngest = Annotated[
    bool, typer.Option("--no-ingest", help="Only fetch; ingest later with `permed ingest`.")
]
NoTag = Annotated[
    bool,
    typer.Option("--no-tag", help="Ingest without tagging, the search index and publishing."),
]


def _fetch_and_ingest(
    fetch: Callable[..., FetchSummary],
    *,
    folder: Path,
    source: Literal["openalex", "pubmed"],
    settings: Settings,
    ingest: bool,
    tag: bool,
) -> None:
    """Run ``fetch`` behind a progress bar, then print its summary and ingest what it fetched.

    Interrupted, it names ``folder``, where the same command resumes.

    :param fetch: a source's fetch function with its query and options bound; it is given
        the settings and where to tell progress and retries.
    """
    label = _LABELS[source]
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with progress_bar(label, *columns) as (bar, task):

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            summary = fetch(settings=settings, on_progress=update, on_retry=say_retry)
    except KeyboardInterrupt:
        raise _interrupted(str(folder)) from None
    out.print(summary.line(), markup=False)
    if summary.note:
        err.print(summary.note, markup=False)
    if not summary.files:
        err.print("nothing matched: nothing to ingest")
    elif ingest:
        from permed_atlas.landscape import run_ingest

        run_ingest(
            list(summary.files),
            source=source,
            settings=settings,
            tag=tag,
            tag_memory_limit=settings.corpus_memory_limit,
        )


def _interrupted(folder_hint: str) -> typer.Exit:
    err.print(f"interrupted: run the same command again to resume ({folder_hint})", markup=False)
    return typer.Exit(130)


@app.command()
def openalex(
    ctx: typer.Context,
    filter_: Annotated[
        str,
        typer.Option("--filter", help="OpenAlex filter, key:value pairs joined by commas."),
    ],
    search: Annotated[
        str | None, typer.Option("--search", help="Full-text search as well.")
    ] = None,
    since: Since = None,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=200)] = 200,
    restart: Restart = False,
    no_ingest: NoIngest = False,
    no_tag: NoTag = False,
) -> None:
    r"""Fetch works from the OpenAlex API (cursor paging, resumable) and ingest them.

    Set PERMED_OPENALEX_API_KEY and PERMED_OPENALEX_EMAIL first (docs/real-data.md).

    Example:

    permed fetch openalex --filter \
      "topics.id:T10966,institutions.country_code:CN,publication_year:2015-2025"
    """
    from permed_atlas.sources.openalex_api import OpenAlexQuery, fetch_openalex_pages

    settings = settings_from(ctx)
    query = OpenAlexQuery(filter_, search, since.date() if since else None)
    _fetch_and_ingest(
        partial(fetch_openalex_pages, query, per_page=per_page, restart=restart),
        folder=query.folder_in(settings),
        source="openalex",
        settings=settings,
        ingest=not no_ingest,
        tag=not no_tag,
    )


@app.command()
def pubmed(
    ctx: typer.Context,
    query: Annotated[str, typer.Option("--query", help="PubMed query, as typed in PubMed.")],
    since: Since = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000)] = 500,
    restart: Restart = False,
    no_ingest: NoIngest = False,
    no_tag: NoTag = False,
) -> None:
    """Fetch PubMed records through NCBI's E-utilities (resumable) and ingest them.

    Set PERMED_NCBI_EMAIL (and PERMED_NCBI_API_KEY for 10 requests a second) first.

    Example:

    permed fetch pubmed --query '"Precision Medicine"[Mesh] AND China[ad]'
    """
    from permed_atlas.sources.pubmed_eutils import PubMedQuery, fetch_pubmed_batches

    settings = settings_from(ctx)
    search = PubMedQuery(query, since.date() if since else None)
    _fetch_and_ingest(
        partial(fetch_pubmed_batches, search, batch_size=batch_size, restart=restart),
        folder=search.folder_in(settings),
        source="pubmed",
        settings=settings,
        ingest=not no_ingest,
        tag=not no_tag,
    )
