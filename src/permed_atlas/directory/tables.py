"""Platform tables of the directory: entries, their revisions and the links between them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from permed_atlas.db import Base, written_by


class DirectoryEntryRow(Base):
    """The current version of one entry; ``data`` is its full snapshot."""

    __tablename__ = "directory_entry"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # True once an editor changed it: later seed loads keep the editor's version.
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # Every UPDATE says "WHERE revision = <the one read>": of two editors who read the same
    # revision and save at once, the second updates no row and is told (StaleDataError),
    # where it would have failed on the revision table's unique number with a 500.
    # add_revision sets the next number itself (no generator).
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class DirectoryRevisionRow(Base):
    """One stored version of an entry: who, when, why, and the full snapshot."""

    __tablename__ = "directory_revision"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("directory_entry.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = written_by()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class DirectoryLinkRow(Base):
    """One entry naming another (related, funder, programme, parent)."""

    __tablename__ = "directory_link"

    source_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("directory_entry.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(16), primary_key=True)
