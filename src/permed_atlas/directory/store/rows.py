"""What the directory store's modules share: its clock and an entry's row looked up and read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from permed_atlas.directory.errors import EntryNotFoundError
from permed_atlas.directory.models import DirectoryEntry, entry_from_dict
from permed_atlas.directory.tables import DirectoryEntryRow
from permed_atlas.i18n import Message


def utcnow() -> datetime:
    """The current time in UTC (when a revision was made)."""
    return datetime.now(UTC)


def entry_of(row: DirectoryEntryRow) -> DirectoryEntry:
    """The entry a row holds (its current revision)."""
    return entry_from_dict(row.data)


def entry_row(session: Session, entry_id: str) -> DirectoryEntryRow:
    """The row of the entry ``entry_id``; EntryNotFoundError if none."""
    row = session.get(DirectoryEntryRow, entry_id)
    if row is None:
        raise EntryNotFoundError(Message("no directory entry '%(id)s'", id=entry_id))
    return row
