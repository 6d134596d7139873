"""Adding a new directory entry from the web app: validated, first revision, audited.

Kept apart from :mod:`permed_atlas.directory.store` (edits, history, search) so
neither module grows past a readable size; it shares the store's revision and
link helpers so a created entry has exactly the history an edited one has.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.files import parse_entry
from permed_atlas.directory.models import KIND_NAMES, KINDS, DirectoryEntry
from permed_atlas.directory.store import check_in_db, clean_comment, insert_entry
from permed_atlas.directory.tables import DirectoryEntryRow
from permed_atlas.i18n import Message, code_with_label, gettext, joined
from permed_atlas.landscape import region_countries
from permed_atlas.settings import Settings


def create_entry(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor_id: int | None,
    comment: str | None = None,
    settings: Settings | None = None,
) -> DirectoryEntry:
    """Add an entry an editor wrote: validate like a data file, store revision 1, audit.

    An added entry counts as edited, so a later load of the data files never
    overwrites it (an entry of the same id in the files is then kept as the editor made it).

    :param session: the platform database session (the caller commits).
    :param data: the entry in the data files' shape (id and kind required).
    :param actor_id: the editor.
    :param comment: why (shown in the history).
    :param settings: for the region catalog; the process settings when None.
    """
    kind = str(data.get("kind") or "").strip()
    if kind not in KINDS:
        raise InvalidEntryError(
            Message(
                "choose the kind of the new entry: one of %(options)s",
                options=joined([code_with_label(k, KIND_NAMES.msgid(k)) for k in KINDS], ", "),
            ),
            field="kind",
        )
    entry_id = str(data.get("id") or "").strip()
    if not entry_id:
        raise InvalidEntryError(
            Message("give the new entry an id (e.g. nsfc-pm-call-2027)"),
            field="id",
        )
    if session.get(DirectoryEntryRow, entry_id) is not None:
        raise InvalidEntryError(
            Message(
                "an entry with id %(entry_id)s already exists: choose another id or edit that one",
                entry_id=repr(entry_id),
            ),
            field="id",
        )
    fields = {k: v for k, v in data.items() if v not in (None, "", [])}
    fields.setdefault("date_checked", date.today().isoformat())  # the editor checks it now
    # the place an error names, in the language of the form that sent the entry
    where = gettext("new entry %(id)s") % {"id": entry_id}
    entry = parse_entry(
        {**fields, "id": entry_id, "kind": kind},
        where=where,
        known_regions=set(region_countries(settings)),
    )
    check_in_db(session, entry, where=where)
    number = insert_entry(
        session,
        entry,
        edited=True,
        origin="create",
        comment=clean_comment(comment, "added"),
        actor_id=actor_id,
    )
    record_audit(
        session,
        actor_id=actor_id,
        action="directory.entry.create",
        target=f"directory:{entry.id}",
        detail={"revision": number, "kind": entry.kind},
    )
    session.flush()
    return entry
