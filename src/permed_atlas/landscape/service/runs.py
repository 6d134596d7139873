"""A run of many files (a snapshot sync) recorded in ``ingest_run`` from start to end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from permed_atlas.db import engine_for, session_scope, upgrade_database
from permed_atlas.errors import PermedError
from permed_atlas.landscape.ingest.runs import (
    IngestRun,
    RunCounts,
    finish_ingest_run,
    list_ingest_runs,
    start_ingest_run,
)
from permed_atlas.settings import Settings


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(exc, PermedError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def recorded_run(settings: Settings, *, source: str, path: str) -> Iterator[RunCounts]:
    """Record the run inside the block: ``running`` at once, then ``finished``, or ``failed``
    with the exception's message (the exception goes on). Fill the yielded counts as you go;
    a failed run keeps what was counted before the failure.

    :param settings: gives the platform database.
    :param source: e.g. "openalex-snapshot".
    :param path: what the run reads (a sync's destination folder).
    """
    engine = engine_for(settings)
    upgrade_database(engine)
    with session_scope(engine) as session:
        run_id = start_ingest_run(session, source=source, path=path, started_at=datetime.now(UTC))
    counts = RunCounts()
    try:
        yield counts
    except BaseException as exc:
        with session_scope(engine) as session:
            finish_ingest_run(
                session,
                run_id,
                counts=counts,
                finished_at=datetime.now(UTC),
                error=_reason(exc),
            )
        raise
    with session_scope(engine) as session:
        finish_ingest_run(session, run_id, counts=counts, finished_at=datetime.now(UTC))


def latest_ingest_runs(settings: Settings, *, limit: int = 20) -> list[IngestRun]:
    """The latest ingest and sync runs, newest first (``permed ingest runs``).

    :param settings: gives the platform database.
    :param limit: how many.
    """
    engine = engine_for(settings)
    upgrade_database(engine)
    with session_scope(engine) as session:
        return list_ingest_runs(session, limit=limit)
