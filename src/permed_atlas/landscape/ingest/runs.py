"""The record of ingest runs in the platform database (table ``ingest_run``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session

from permed_atlas.landscape.ingest.pipeline import IngestSummary
from permed_atlas.landscape.tables import IngestRunRow

# The counts of a file's IngestSummary that ingest_run keeps.
_RECORDED_COUNTS = ("read", "stored", "duplicates", "rejected")


@dataclass(frozen=True, slots=True)
class IngestRun:
    """One file's ingest as recorded."""

    id: int
    source: str
    path: str
    started_at: datetime
    finished_at: datetime | None
    read: int
    stored: int
    duplicates: int
    rejected: int


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
    :param summary: the file's summary (its ``path`` names the file).
    :param started_at: when reading the file began (timezone-aware).
    :param finished_at: when its last batch was stored.
    """
    row = IngestRunRow(
        source=source,
        path=summary.path or "",
        started_at=started_at,
        finished_at=finished_at,
        **{name: getattr(summary, name) for name in _RECORDED_COUNTS},
    )
    session.add(row)
    session.flush()
    return _public(row)
