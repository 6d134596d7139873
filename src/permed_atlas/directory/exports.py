"""Entries, hits, matches and revisions as JSON-ready dicts and as CSV."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from permed_atlas.directory.files import KIND_FIELDS
from permed_atlas.directory.models import (
    CONFIRMATION_FIELDS,
    ENTRY_FIELDS,
    REVIEW_FIELD,
    TRANSLATION_FIELDS,
    DirectoryEntry,
    FundingMatch,
    RelatedEntry,
    Revision,
    SearchHit,
)
from permed_atlas.spreadsheet import SafeDictWriter

CSV_COLUMNS: tuple[str, ...] = (
    *ENTRY_FIELDS,
    *sorted({field for fields in KIND_FIELDS.values() for field in fields}),
    "note",
    # the Chinese name and who translated it: the JSON export had them, the CSV dropped them
    *TRANSLATION_FIELDS,
    REVIEW_FIELD,  # a Chinese text written for an earlier English one is exported as such
    *CONFIRMATION_FIELDS,
)
EXPORT_FORMATS = ("csv", "json")


def entry_dict(entry: DirectoryEntry) -> dict[str, Any]:
    """An entry with its page links."""
    data = entry.to_dict()
    data["label"] = entry.label
    data["links"] = {
        "html": f"/directory/{entry.id}",
        "json": f"/api/v1/directory/entries/{entry.id}",
    }
    return data


def related_dict(related: RelatedEntry) -> dict[str, Any]:
    """A related entry, short."""
    return {
        "id": related.entry.id,
        "kind": related.entry.kind,
        "name": related.entry.label,
        "relation": related.relation,
        "direction": related.direction,
    }


def hit_dict(hit: SearchHit) -> dict[str, Any]:
    """A search hit: the entry, its score and matched terms."""
    return {**entry_dict(hit.entry), "score": hit.score, "matched_terms": list(hit.matched_terms)}


def match_dict(match: FundingMatch) -> dict[str, Any]:
    """A funding match: the programme or call, score, matched terms, covered regions."""
    return {
        **entry_dict(match.entry),
        "score": match.score,
        "matched_terms": list(match.matched_terms),
        "eligible_regions": list(match.eligible_regions),
        "closed": match.closed,
    }


def revision_dict(
    revision: Revision, *, with_snapshot: bool = False, with_actor: bool = True
) -> dict[str, Any]:
    """A revision: number, when, who, why, what changed (and the snapshot if asked).

    :param with_snapshot: add the entry as it was after this revision.
    :param with_actor: name the editor by email; without, ``actor_email`` is null.
    """
    data: dict[str, Any] = {
        "entry_id": revision.entry_id,
        "number": revision.number,
        "at": revision.at.isoformat(),
        "origin": revision.origin,
        "comment": revision.comment,
        "actor_id": revision.actor_id,
        "actor_email": revision.actor_email if with_actor else None,
        "changed": list(revision.changed),
    }
    if with_snapshot:
        data["snapshot"] = revision.snapshot.to_dict()
    return data


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def entries_csv(entries: Iterable[DirectoryEntry]) -> str:
    """Entries as CSV, lists joined with "; "."""
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        data = entry.to_dict()
        writer.writerow({column: _cell(data.get(column)) for column in CSV_COLUMNS})
    return out.getvalue()


def export_entries(entries: Sequence[DirectoryEntry], *, fmt: str) -> str:
    """Entries as ``csv`` or ``json`` text.

    :param entries: the entries to write.
    :param fmt: ``csv`` or ``json``.
    """
    from permed_atlas.directory.errors import InvalidEntryError

    if fmt == "csv":
        return entries_csv(entries)
    if fmt == "json":
        return json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False) + "\n"
    raise InvalidEntryError(f"unknown format {fmt!r}: use csv or json", field="format")
