"""Editors' confirmations of knowledge entries (the helpdesk's only platform table)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.helpdesk.errors import HelpdeskInputError
from permed_atlas.helpdesk.tables import EntryConfirmationRow
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.textinput import one_line, refuse_too_long

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
MAX_NOTE = 1000
NOTE_TOO_LONG = gettext_noop("is longer than %(limit)s characters")


@dataclass(frozen=True, slots=True)
class Confirmation:
    """An editor's statement that an entry agrees with ``source`` as read on ``checked_on``."""

    entry_id: str
    source: str
    checked_on: date
    note: str
    confirmed_by_id: int
    confirmed_at: datetime


def check_confirmation(source: str, checked_on: str, note: str = "") -> tuple[str, date, str]:
    """The cleaned source, date and note, or HelpdeskInputError naming the field.

    :param source: the http(s) address the entry was checked against.
    :param checked_on: the ISO date (YYYY-MM-DD) of the check; not in the future.
    :param note: what was checked, optional.
    """
    url = (source or "").strip()
    if not _URL.match(url):
        raise HelpdeskInputError(
            Message("%(url)s is not an http(s) address", url=repr(url)),
            field="source",
        )
    try:
        day = date.fromisoformat((checked_on or "").strip())
    except ValueError:
        raise HelpdeskInputError(
            Message(
                "%(checked_on)s is not a date (YYYY-MM-DD)",
                checked_on=repr(checked_on),
            ),
            field="checked_on",
        ) from None
    if day > datetime.now(UTC).date():
        raise HelpdeskInputError(
            Message("%(day)s is in the future", day=day),
            field="checked_on",
        )
    text = one_line(note)
    refuse_too_long(
        text, limit=MAX_NOTE, message=NOTE_TOO_LONG, field="note", error=HelpdeskInputError
    )
    return url, day, text


def confirm_entry(
    session: Session, entry_id: str, *, source: str, checked_on: str, note: str, actor_id: int
) -> Confirmation:
    """Record that an editor confirmed an entry; audited in the same transaction.

    :param entry_id: a knowledge entry id (the caller checks that it exists).
    :raises HelpdeskInputError: for a bad source, date or note (nothing is written).
    """
    url, day, text = check_confirmation(source, checked_on, note)
    row = EntryConfirmationRow(
        entry_id=entry_id, source=url, checked_on=day, note=text, confirmed_by_id=actor_id,
        confirmed_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(row)
    session.flush()
    record_audit(
        session, actor_id=actor_id, action="helpdesk.entry.confirm",
        target=f"helpdesk_entry:{entry_id}",
        detail={"source": url, "checked_on": day.isoformat(), "note": text},
    )  # fmt: skip
    return _confirmation(row)


def latest_confirmations(session: Session) -> dict[str, Confirmation]:
    """Entry id -> its newest confirmation."""
    rows = session.scalars(
        select(EntryConfirmationRow).order_by(EntryConfirmationRow.confirmed_at,
                                              EntryConfirmationRow.id)
    )  # fmt: skip
    return {row.entry_id: _confirmation(row) for row in rows}


def _confirmation(row: EntryConfirmationRow) -> Confirmation:
    return Confirmation(
        entry_id=row.entry_id, source=row.source, checked_on=row.checked_on, note=row.note,
        confirmed_by_id=row.confirmed_by_id, confirmed_at=row.confirmed_at,
    )  # fmt: skip
