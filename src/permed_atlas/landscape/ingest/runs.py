"""The record of ingest runs in the platform database (table ``ingest_run``).

``permed ingest`` records one row per file once the file is read; ``permed sync`` records
one row per sync, written as ``running`` when it starts and closed as ``finished`` or
``failed`` (with the reason) when it ends. A sync killed outright cannot close its row:
the next sync of the same folder marks it ``failed`` before it starts its own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from permed_atlas.errors import NotFoundError
from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.ingest.pipeline import IngestSummary
from permed_atlas.landscape.tables import IngestRunRow

# The counts of a file's IngestSummary that ingest_run keeps.
_RECORDED_COUNTS = ("read", "stored", "duplicates", "rejected")
RUNNING = "running"
FINISHED = "finished"
FAILED = "failed"
INTERRUPTED = "interrupted: the process stopped before it could say how the run ended"


class IngestRunNotFoundError(LandscapeError, NotFoundError):
    """No ingest run has this id."""


@dataclass(frozen=True, slots=True)
class IngestRun:
    """One recorded ingest (a file) or sync (many files).

    ``stored`` works added or changed, ``updated`` of them changed a work already
    there (a newer copy, another source's record), ``removed`` works withdrawn or
    merged away.
    """

    id: int
    source: str
    path: str
    started_at: datetime
    finished_at: datetime | None
    read: int
    stored: int
    duplicates: int
    rejected: int
    status: str = FINISHED
    files: int = 1
    updated: int = 0
    removed: int = 0
    message: str | None = None


@dataclass(slots=True)
class RunCounts:
    """What a run did, filled in as it goes."""

    files: int = 0
    read: int = 0
    stored: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    removed: int = 0


def _public(row: IngestRunRow) -> IngestRun:
    return IngestRun(**{f.name: getattr(row, f.name) for f in fields(IngestRun)})


def record_ingest_run(
    session: Session,
    *,
    source: str,
    summary: IngestSummary,
    started_at: datetime,
    finished_at: datetime,
) -> IngestRun:
    """Add one file's ingest to ``ingest_run``; the caller commits.

    :param session: a platform database session.
    :param source: "openalex", "pubmed" or "patents".
    :param summary: the file's summary (its ``path`` names the file; a break in
        ``problems`` makes the run ``failed``).
    :param started_at: when reading the file began (timezone-aware).
    :param finished_at: when its last batch was stored.
    """
    row = IngestRunRow(
        source=source,
        path=summary.path or "",
        started_at=started_at,
        finished_at=finished_at,
        **{name: getattr(summary, name) for name in _RECORDED_COUNTS},
        status=FAILED if summary.problems else FINISHED,
        files=1,
        updated=summary.merged,
        removed=summary.deleted,
        message="; ".join(summary.problems) or None,
    )
    session.add(row)
    session.flush()
    return _public(row)


def start_ingest_run(session: Session, *, source: str, path: str, started_at: datetime) -> int:
    """Add a ``running`` row for a run of many files and return its id; the caller commits.

    Earlier rows of the same source and path still ``running`` belong to runs that were
    killed: they are marked ``failed`` first.

    :param session: a platform database session.
    :param source: e.g. "openalex-snapshot".
    :param path: what the run reads (a sync's destination folder).
    :param started_at: now (timezone-aware).
    """
    session.execute(
        update(IngestRunRow)
        .where(
            IngestRunRow.source == source,
            IngestRunRow.path == path,
            IngestRunRow.status == RUNNING,
        )
        .values(status=FAILED, message=INTERRUPTED)
    )
    row = IngestRunRow(
        source=source,
        path=path,
        started_at=started_at,
        finished_at=None,
        read=0,
        stored=0,
        duplicates=0,
        rejected=0,
        status=RUNNING,
        files=0,
    )
    session.add(row)
    session.flush()
    return row.id


def finish_ingest_run(
    session: Session,
    run_id: int,
    *,
    counts: RunCounts,
    finished_at: datetime,
    error: str | None = None,
) -> IngestRun:
    """Close a run started with :func:`start_ingest_run`; the caller commits.

    :param session: a platform database session.
    :param run_id: the run's id.
    :param counts: what it did (up to the failure, if it failed).
    :param finished_at: now (timezone-aware).
    :param error: why it failed; None when it finished.
    """
    row = session.get(IngestRunRow, run_id)
    if row is None:
        raise IngestRunNotFoundError(Message("no ingest run %(run_id)s", run_id=run_id))
    row.status = FAILED if error is not None else FINISHED
    row.message = error
    row.finished_at = finished_at
    for count in fields(RunCounts):  # the row has a column of each count's name
        setattr(row, count.name, getattr(counts, count.name))
    session.flush()
    return _public(row)


def list_ingest_runs(session: Session, *, limit: int = 20) -> list[IngestRun]:
    """The latest runs, newest first.

    :param session: a platform database session.
    :param limit: how many.
    """
    rows = session.scalars(
        select(IngestRunRow)
        .order_by(IngestRunRow.started_at.desc(), IngestRunRow.id.desc())
        .limit(limit)
    )
    return [_public(row) for row in rows]
