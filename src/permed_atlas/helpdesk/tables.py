"""Platform table of the helpdesk: editors' confirmations of knowledge entries.

The entries themselves are data files; a confirmation records that an editor
checked an entry against a source on a date, so the web can show which
entries nobody has confirmed. Rows are never updated: the newest one counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from permed_atlas.db import Base


class EntryConfirmationRow(Base):
    """An editor's confirmation of one knowledge entry against a source."""

    __tablename__ = "helpdesk_entry_confirmation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str] = mapped_column(Text)
    checked_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
