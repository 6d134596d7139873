"""Ingest → tag → index → publish: the multi-step operation behind ``permed ingest``.

Each malformed record is reported on stderr as ``file:line: reason`` and
skipped; every file and the whole run end with the line
``read N, stored N, duplicates N, rejected N``, which always counts what the
corpus gained. A directory stands for the data files inside it. A file that
breaks off (a cut download) keeps the records before the break, says
``file truncated at record N`` and makes the run exit 1 after the other files.
Each file is recorded in the platform table ``ingest_run``; afterwards every
untagged work is tagged (also those an interrupted earlier run left), the search
index is rebuilt, and a snapshot is published for the web app, which switches to
it without a restart (see :mod:`permed_atlas.landscape.store.snapshots`).
``permed demo`` (:mod:`permed_atlas.instance`) runs the same steps on the bundled files.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from permed_atlas.db import engine_for, session_scope, upgrade_database
from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import (
    IngestError,
    IngestInterruptedError,
    LandscapeError,
    RecordError,
)
from permed_atlas.landscape.ingest import IngestSummary, ingest_file
from permed_atlas.landscape.ingest.pipeline import (
    Source,
    combine,
    count_unresolved,
    parse_file,
)
from permed_atlas.landscape.ingest.runs import record_ingest_run
from permed_atlas.landscape.store.corpus import open_corpus, set_memory_limit
from permed_atlas.settings import CORPUS_MEMORY_LIMIT, Settings

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy import Engine

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
# A writer waits this long for the lock the web app takes while it finishes tagging.
LOCK_WAIT_SECONDS = 600.0


class _RateColumn(ProgressColumn):
    """Records read so far and records per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed or 0.0
        return Text(f"{int(task.completed):,} records  {speed:,.0f} records/s")


def _auto_workers(file: Path) -> int:
    """Two parsing processes for big files on a multi-core machine; forking costs ~0.1 s."""
    big = file.stat().st_size > 32 * 2**20
    return 2 if big and (os.cpu_count() or 1) > 1 else 1


def _report_error(error: RecordError) -> None:
    err.print(f"{error.path}:{error.line}: {error.reason}" if error.line else str(error))


def _finish(
    corpus: duckdb.DuckDBPyConnection,
    settings: Settings,
    total: IngestSummary,
    memory_limit: str | None,
) -> None:
    """Tag every untagged work, update the index if stale, publish a snapshot for the app."""
    import duckdb

    from permed_atlas.landscape.regions import load_region_sets
    from permed_atlas.landscape.service.upkeep import complete_corpus, ran_out_of_memory
    from permed_atlas.landscape.store.snapshots import publish_snapshot
    from permed_atlas.landscape.topics import load_rules, rules_path_for

    set_memory_limit(corpus, memory_limit)  # the write's cap is too tight for tagging
    try:
        done = complete_corpus(
            corpus,
            regions=load_region_sets(settings),
            rules=load_rules(rules_path_for(settings.data_dir)),
            rebuild_aggregates=bool(total.deleted),
        )
    except (duckdb.OutOfMemoryException, LandscapeError) as exc:
        if not ran_out_of_memory(exc):
            raise
        cap = f"--tag-memory-limit {memory_limit}" if memory_limit else "the memory available"
        raise LandscapeError(
            Message(
                "%(corpus_path)s: DuckDB ran out of memory tagging and "
                "indexing the new works under %(cap)s. The works are stored; "
                "run `permed tag` (or ingest again) with more memory to tag "
                "them. DuckDB said: %(exc)s",
                corpus_path=settings.corpus_path,
                cap=cap,
                exc=exc,
            )
        ) from exc
    if done.tagged:
        err.print(f"tagged {done.tagged:,} works")
    publish_snapshot(corpus, settings.corpus_path)


def _dry_run(files: list[Path], source: Source) -> IngestSummary:
    """Parse every file and count; nothing is written."""
    from permed_atlas.landscape.errors import TruncatedFileError
    from permed_atlas.landscape.models import Deletion

    summaries = []
    for file in files:
        read = rejected = unresolved = 0
        problems: list[str] = []
        try:
            for record in parse_file(file, source=source):
                if isinstance(record, Deletion):
                    continue
                read += 1
                if isinstance(record, RecordError):
                    rejected += 1
                    _report_error(record)
                else:
                    unresolved += count_unresolved(record)
        except TruncatedFileError as exc:
            problems.append(str(exc.at_record(read + 1)))
        summary = IngestSummary(
            read=read,
            rejected=rejected,
            path=str(file),
            unresolved_affiliations=unresolved,
            problems=tuple(problems),
        )
        summaries.append(summary)
        out.print(f"{file}: {summary.line()}")
    return combine(summaries)


def run_ingest(
    files: list[Path],
    *,
    source: Source,
    settings: Settings,
    dry_run: bool = False,
    tag: bool = True,
    workers: int = 0,
    memory_limit: str = "192MB",
    tag_memory_limit: str | None = CORPUS_MEMORY_LIMIT,
) -> IngestSummary:
    """Ingest ``files`` into the corpus of ``settings``, recording each file in ``ingest_run``.

    Prints one ``file: read N, stored N, duplicates N, rejected N`` line per file and
    the total as the last line of standard output, also when a file fails. A file
    that breaks off keeps its records before the break; the others are still read,
    the corpus is still tagged and published, and then :class:`IngestError` says
    which files broke. Ctrl-C stops the run at once: the lines count the batches
    stored before it (the file is recorded ``failed``), and the KeyboardInterrupt
    goes on; the next ingest or the web app tags what was stored.

    :param files: files or directories; all are checked before anything is read.
    :param source: "openalex", "pubmed" or "patents".
    :param settings: gives the corpus path and the platform database.
    :param dry_run: parse and count only.
    :param tag: tag untagged works, rebuild the search index and publish a snapshot.
    :param workers: parsing processes for OpenAlex JSON Lines; 0 decides by file size.
    :param memory_limit: DuckDB memory cap while the files are written.
    :param tag_memory_limit: DuckDB memory cap while the corpus is tagged, indexed, published
        (the search index is built in slices of works so that no step needs more, see
        ``search_index.SLICE_WORKS``); None: DuckDB's default (80% of RAM).
    """
    from permed_atlas.landscape.ingest.files import expand_paths

    files = expand_paths(files, source=source)
    if dry_run:
        total = _dry_run(files, source)
        err.print("dry run: nothing written")
        out.print(total.line())
        _raise_problems(total)
        return total
    engine = engine_for(settings)
    upgrade_database(engine)
    summaries: list[IngestSummary] = []
    with open_corpus(
        settings.corpus_path, memory_limit=memory_limit, lock_wait=LOCK_WAIT_SECONDS
    ) as corpus:
        if tag and tag_memory_limit:  # a cap DuckDB cannot read fails before anything is written
            set_memory_limit(corpus, tag_memory_limit)
            set_memory_limit(corpus, memory_limit)
        try:
            _ingest_each(files, source, corpus, engine, summaries, workers)
        finally:
            # Even when a file fails half-way, what the finished files did is said; the
            # failing file's stored batches stay stored (each batch is one transaction).
            total = combine(summaries)
            if total.unresolved_affiliations:
                err.print(
                    f"{total.unresolved_affiliations:,} affiliations named no country we could read"
                )
            out.print(total.line())
        if tag:
            _finish(corpus, settings, total, tag_memory_limit)
    _raise_problems(total)
    return total


def _raise_problems(total: IngestSummary) -> None:
    if total.problems:
        more = f" (and {len(total.problems) - 1} more)" if len(total.problems) > 1 else ""
        raise IngestError(
            Message(
                "%(problems)s%(more)s; the records before the break are stored",
                problems=total.problems[0],
                more=more,
            )
        )


def _ingest_each(
    files: list[Path],
    source: Source,
    corpus: duckdb.DuckDBPyConnection,
    engine: Engine,
    summaries: list[IngestSummary],
    workers: int,
) -> None:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        _RateColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        for file in files:
            task = progress.add_task(file.name, total=None)
            started = datetime.now(UTC)

            def advance(count: int, task: TaskID = task) -> None:
                progress.advance(task, count)

            interrupted: IngestInterruptedError | None = None
            try:
                summary = ingest_file(
                    file,
                    source=source,
                    corpus=corpus,
                    progress=advance,
                    on_error=_report_error,
                    workers=workers or _auto_workers(file),
                )
            except IngestInterruptedError as exc:
                # Ctrl-C: the batches stored before it stay, and are said and recorded.
                interrupted, summary = exc, exc.summary
            progress.stop_task(task)
            with session_scope(engine) as session:
                record_ingest_run(
                    session,
                    source=source,
                    summary=summary,
                    started_at=started,
                    finished_at=datetime.now(UTC),
                )
            summaries.append(summary)
            out.print(f"{file}: {summary.line()}")  # names a break, if any, in brackets
            if interrupted is not None:
                raise interrupted
