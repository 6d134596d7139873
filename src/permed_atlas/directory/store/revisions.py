"""Entries written with revisions: a new entry, an editor's edit, a restore; their history.

Every write is a new revision holding the whole entry, with its links to the
entries it names rebuilt; history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from permed_atlas.accounts import find_user, record_audit
from permed_atlas.db import model_from_row
from permed_atlas.directory.errors import EntryNotFoundError, InvalidEntryError
from permed_atlas.directory.files import check_references, parse_entry, referenced_ids
from permed_atlas.directory.models import DirectoryEntry, Revision, entry_from_dict
from permed_atlas.directory.store.rows import entry_of, entry_row, utcnow
from permed_atlas.directory.tables import DirectoryEntryRow, DirectoryLinkRow, DirectoryRevisionRow
from permed_atlas.directory.translations import mark_translations_to_review
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.landscape import region_countries
from permed_atlas.settings import Settings
from permed_atlas.textinput import one_line, refuse_too_long

_RELATION = {
    "related": "related",
    "funders": "funder",
    "programme": "programme",
    "parent": "parent",
}
MAX_COMMENT = 500
COMMENT_TOO_LONG = gettext_noop("the comment is longer than %(limit)s characters")


def _set_links(session: Session, entry: DirectoryEntry) -> None:
    session.execute(delete(DirectoryLinkRow).where(DirectoryLinkRow.source_id == entry.id))
    seen = set()
    for field, target in referenced_ids(entry):
        key = (target, _RELATION[field])
        if key not in seen:
            seen.add(key)
            session.add(DirectoryLinkRow(source_id=entry.id, target_id=target, relation=key[1]))


def insert_entry(
    session: Session,
    entry: DirectoryEntry,
    *,
    edited: bool,
    origin: str,
    comment: str,
    actor_id: int | None,
) -> int:
    """A new row for ``entry`` with its first revision (a seed load or an editor's new entry)."""
    row = DirectoryEntryRow(
        id=entry.id,
        kind=entry.kind,
        name=entry.name,
        data={},
        edited=edited,
        revision=0,
        updated_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return add_revision(session, row, entry, origin=origin, comment=comment, actor_id=actor_id)


def add_revision(
    session: Session,
    row: DirectoryEntryRow,
    entry: DirectoryEntry,
    *,
    origin: str,
    comment: str,
    actor_id: int | None,
) -> int:
    """Store ``entry`` as the row's next revision and relink it.

    Any origin but the seed marks the row as edited, so later seed loads keep it.
    """
    number = (row.revision or 0) + 1
    snapshot = entry.to_dict()
    row.kind, row.name, row.data = entry.kind, entry.name, snapshot
    row.revision, row.updated_at = number, utcnow()
    if origin != "seed":
        row.edited = True
    try:
        session.add(
            DirectoryRevisionRow(
                entry_id=entry.id,
                number=number,
                origin=origin,
                comment=comment,
                actor_id=actor_id,
                at=row.updated_at,
                snapshot=snapshot,
            )
        )
        _set_links(session, entry)  # its queries flush the row: the version check runs here
        session.flush()
    except StaleDataError:
        # someone saved a revision between our read and this write (version_id_col)
        raise _stale(entry.id, base_revision=number - 1) from None
    return number


def clean_comment(comment: str | None, default: str) -> str:
    """An editor's revision comment on one line, ``default`` when empty; refused when too long."""
    text = one_line(comment) or default
    refuse_too_long(
        text, limit=MAX_COMMENT, message=COMMENT_TOO_LONG, field="comment", error=InvalidEntryError
    )
    return text


def check_in_db(session: Session, entry: DirectoryEntry, *, where: str) -> None:
    """Refuse ``entry`` if it names an entry the database lacks, or one of the wrong kind."""
    names = {target for _, target in referenced_ids(entry)}
    rows = session.execute(
        select(DirectoryEntryRow.id, DirectoryEntryRow.kind).where(
            DirectoryEntryRow.id.in_(list(names))
        )
    ).all()
    kinds = {str(row[0]): str(row[1]) for row in rows}
    check_references(entry, where=where, kinds_by_id=kinds)


def update_entry(
    session: Session,
    entry_id: str,
    *,
    changes: Mapping[str, Any],
    actor_id: int | None,
    comment: str | None = None,
    base_revision: int | None = None,
    settings: Settings | None = None,
) -> DirectoryEntry:
    """Edit an entry: validate, store a new revision, relink, audit. No change, no revision.

    A Chinese name or summary whose English the edit changes, and it does not, is marked
    to review (``zh_to_review``, see :mod:`permed_atlas.directory.translations`).

    :param session: the platform database session (the caller commits).
    :param entry_id: the entry's slug.
    :param changes: the fields to change, in the data files' shape (id and kind cannot change).
    :param actor_id: the editor.
    :param comment: why (shown in the history).
    :param base_revision: the revision the editor started from; refused if it moved on since.
    :param settings: for the region catalog; the process settings when None.
    """
    row = entry_row(session, entry_id)
    for fixed in ("id", "kind"):
        if fixed in changes and changes[fixed] != row.data.get(fixed):
            raise InvalidEntryError(
                Message("the %(fixed)s of an entry cannot change", fixed=fixed),
                field=fixed,
            )
    _refuse_stale(row, base_revision)
    merged = {k: v for k, v in row.data.items() if k != "confirmed"}
    merged.update(changes)
    if changes.get("confirmed") is True and "unconfirmed" not in changes:
        merged["unconfirmed"] = []
    where = f"edit of {entry_id}"
    entry = parse_entry(merged, where=where, known_regions=set(region_countries(settings)))
    check_in_db(session, entry, where=where)
    before = entry_of(row)
    entry = mark_translations_to_review(before, entry)
    if entry == before:
        return before
    changed = sorted(k for k, v in entry.to_dict().items() if row.data.get(k) != v)
    number = add_revision(
        session,
        row,
        entry,
        origin="edit",
        comment=clean_comment(comment, "edited"),
        actor_id=actor_id,
    )
    _audit_entry(session, actor_id, "edit", entry_id, {"revision": number, "changed": changed})
    return entry


def _refuse_stale(row: DirectoryEntryRow, base_revision: int | None) -> None:
    """Refuse a write that started from a revision someone else has since replaced."""
    if base_revision is not None and base_revision != row.revision:
        raise _stale(row.id, base_revision=base_revision, now=row.revision)


def _stale(entry_id: str, *, base_revision: int, now: int | None = None) -> InvalidEntryError:
    if now is None:
        return InvalidEntryError(
            Message(
                "%(entry_id)s was changed by someone else while you saved revision"
                " %(base_revision)s: reload and edit again",
                entry_id=entry_id,
                base_revision=base_revision,
            ),
            field="base_revision",
        )
    return InvalidEntryError(
        Message(
            "%(entry_id)s was changed by someone else (now revision %(revision)s,"
            " you edited revision %(base_revision)s): reload and edit again",
            entry_id=entry_id,
            revision=now,
            base_revision=base_revision,
        ),
        field="base_revision",
    )


def _audit_entry(
    session: Session, actor_id: int | None, action: str, entry_id: str, detail: dict[str, Any]
) -> None:
    """Record an editor's change to one entry in the audit log (``directory.entry.<action>``)."""
    record_audit(session, actor_id=actor_id, action=f"directory.entry.{action}",
                 target=f"directory:{entry_id}", detail=detail)  # fmt: skip
    session.flush()


def _revision(
    row: DirectoryRevisionRow, previous: Mapping[str, Any] | None, emails: Mapping[int, str]
) -> Revision:
    changed: tuple[str, ...] = ()
    if previous is not None:
        keys = set(previous) | set(row.snapshot)
        changed = tuple(sorted(k for k in keys if previous.get(k) != row.snapshot.get(k)))
    return model_from_row(
        Revision,
        row,
        actor_email=emails.get(row.actor_id) if row.actor_id is not None else None,
        snapshot=entry_from_dict(row.snapshot),
        changed=changed,
    )


def list_revisions(session: Session, entry_id: str) -> list[Revision]:
    """An entry's revisions, newest first, each with the fields it changed.

    :param session: the platform database session.
    :param entry_id: the entry's slug.
    """
    entry_row(session, entry_id)
    rows = session.scalars(
        select(DirectoryRevisionRow)
        .where(DirectoryRevisionRow.entry_id == entry_id)
        .order_by(DirectoryRevisionRow.number)
    ).all()
    emails: dict[int, str] = {}
    for actor in {r.actor_id for r in rows if r.actor_id is not None}:
        user = find_user(session, actor)
        if user is not None:
            emails[actor] = user.email
    revisions, previous = [], None
    for row in rows:
        revisions.append(_revision(row, previous, emails))
        previous = row.snapshot
    return revisions[::-1]


def get_revision(session: Session, entry_id: str, number: int) -> Revision:
    """One revision of an entry.

    :param session: the platform database session.
    :param entry_id: the entry's slug.
    :param number: the revision number (1 is the first).
    """
    for revision in list_revisions(session, entry_id):
        if revision.number == number:
            return revision
    raise EntryNotFoundError(
        Message(
            "%(entry_id)s has no revision %(number)s",
            entry_id=entry_id,
            number=number,
        ),
    )


def restore_revision(
    session: Session,
    entry_id: str,
    number: int,
    *,
    actor_id: int | None,
    comment: str | None = None,
    base_revision: int | None = None,
) -> DirectoryEntry:
    """Make an earlier revision current again, as a new revision (history is never rewritten).

    :param session: the platform database session (the caller commits).
    :param entry_id: the entry's slug.
    :param number: the revision to restore.
    :param actor_id: the editor.
    :param comment: why; "restored revision N" when not given.
    :param base_revision: the current revision the editor saw; refused if it moved on since,
        as restoring would silently undo the newer edit.
    """
    row = entry_row(session, entry_id)
    _refuse_stale(row, base_revision)
    old = get_revision(session, entry_id, number)
    if number == row.revision:
        raise InvalidEntryError(
            Message("revision %(number)s is already the current one", number=number),
            field="revision",
        )
    check_in_db(session, old.snapshot, where=f"restore of {entry_id} revision {number}")
    new = add_revision(
        session,
        row,
        old.snapshot,
        origin="restore",
        comment=clean_comment(comment, f"restored revision {number}"),
        actor_id=actor_id,
    )
    _audit_entry(session, actor_id, "restore", entry_id, {"restored": number, "revision": new})
    return old.snapshot
