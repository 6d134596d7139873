"""Merging records of one work from several sources (pure).

A work as stored is a :class:`StoredWork`: the merged :class:`Work`, the
sources it came from and every identifier its records carry. Merging
is monotone and idempotent: it fills missing fields, unions sources, terms and
identifiers, and keeps the richer set of contributors, so merging a record
twice changes nothing the second time.

A work read from several records is made from all of them at once
(:func:`merge_records`), in a fixed order of sources and records, never in the order
they arrived: the OpenAlex and PubMed records of one article give the same work
whichever was read first. A new version of a record replaces that record only
(:func:`add_record`), so what the other sources gave stays, and nothing of the old
version does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from permed_atlas.landscape.models import Contributor, Term, Work
from permed_atlas.union_find import find_root

IdKey = tuple[str, str]

# The scalar fields a merge fills, in the order of the corpus's ``works`` columns, which
# are these and the store's own work_id, kind and sources.
FILLABLE_FIELDS = (
    "openalex_id",
    "doi",
    "pmid",
    "pmcid",
    "lens_id",
    "publication_number",
    "family_id",
    "title",
    "abstract",
    "year",
    "type",
    "venue",
    "language",
    "cited_by_count",
    "updated_date",
)


@dataclass(frozen=True, slots=True)
class StoredWork:
    """A work as the corpus holds it: merged fields, sources, and all identifiers seen."""

    work: Work
    sources: tuple[str, ...]
    ids: frozenset[IdKey]


def identifier_keys(work: Work) -> frozenset[IdKey]:
    """The (id_type, id_value) pairs of one record.

    :param work: the record.
    """
    return frozenset(work.identifiers().items())


def stored_from_record(work: Work) -> StoredWork:
    """A fresh stored work holding one record.

    :param work: the record.
    """
    return StoredWork(work=work, sources=(work.source,), ids=identifier_keys(work))


def _term_key(term: Term) -> tuple[str, str]:
    return term.scheme, term.id or term.term.lower()


def _richness(contributors: tuple[Contributor, ...]) -> tuple[int, int, int]:
    located = sum(
        1 for c in contributors if c.countries or any(i.country_code for i in c.institutions)
    )
    institutions = sum(len(c.institutions) for c in contributors)
    return located, institutions, len(contributors)


def merge_record(stored: StoredWork, record: Work) -> StoredWork:
    """Merge one more record of the same work into ``stored``.

    Missing fields are filled from the record, never overwritten; terms,
    sources and identifiers are unioned; the record's contributors replace the
    stored ones only when they are strictly richer (more contributors with a
    country, then more institutions, then more contributors).

    :param stored: the work as stored so far.
    :param record: another record of the same work.
    """
    base = stored.work
    changes: dict[str, object] = {}
    for name in FILLABLE_FIELDS:
        if getattr(base, name) is None and getattr(record, name) is not None:
            changes[name] = getattr(record, name)
    if _richness(record.contributors) > _richness(base.contributors):
        changes["contributors"] = record.contributors
    known = {_term_key(term) for term in base.terms}
    extra = []
    for term in record.terms:
        key = _term_key(term)
        if key not in known:
            known.add(key)
            extra.append(term)
    if extra:
        changes["terms"] = base.terms + tuple(extra)
    work = dataclasses.replace(base, **changes) if changes else base  # type: ignore[arg-type]
    sources = stored.sources
    if record.source not in sources:
        sources = (*sources, record.source)
    ids = stored.ids | identifier_keys(record)
    if work is base and sources is stored.sources and ids == stored.ids:
        return stored
    return StoredWork(work=work, sources=sources, ids=ids)


# The order records of one work are merged in: the first to have a field gives it. By source,
# then by record, never by arrival, so that the work is the same whatever came first.
SOURCE_ORDER = ("openalex", "pubmed", "lens", "epo", "uspto")
_SOURCE_RANK = {source: rank for rank, source in enumerate(SOURCE_ORDER)}
# The identifier naming a record within its source: versions of one record share it.
_RECORD_ID = {
    "openalex": "openalex_id",
    "pubmed": "pmid",
    "lens": "lens_id",
    "epo": "publication_number",
    "uspto": "publication_number",
}


def record_key(work: Work) -> str:
    """Which record of its source ``work`` is, e.g. ``openalex:W2741809807``, ``pubmed:123``.

    Two versions of one record (an OpenAlex work updated since, a PubMed citation revised
    in a later update file) have the same key.

    :param work: the record.
    """
    field = _RECORD_ID.get(work.source)
    value = getattr(work, field) if field else None
    if value:
        return f"{work.source}:{value}"
    return f"{work.source}:" + ",".join(f"{k}={v}" for k, v in sorted(identifier_keys(work)))


def _merge_order(work: Work) -> tuple[int, str]:
    return _SOURCE_RANK.get(work.source, len(SOURCE_ORDER)), record_key(work)


def merge_records(records: Iterable[Work]) -> StoredWork:
    """The work made of ``records`` (records of one work, each once): the same for the same
    records whatever order they came in.

    They are merged with :func:`merge_record` in the order of :data:`SOURCE_ORDER` (OpenAlex,
    then PubMed, then the patent sources), then of :func:`record_key`: a field comes from the
    first record that has it, contributors from the first richest record, terms and
    identifiers from all.

    :param records: at least one record.
    """
    first, *rest = sorted(records, key=_merge_order)
    stored = stored_from_record(first)
    for record in rest:
        stored = merge_record(stored, record)
    return stored


def add_record(held: Sequence[Work], record: Work) -> list[Work] | None:
    """The records of a work once ``record`` comes; None when it changes nothing.

    A record not held is added. A version of a held record replaces it whole (no stale
    field, authorship, institution or term of the old version is kept), unless both are
    dated (OpenAlex ``updated_date``) and it is the older: an older copy never overwrites
    a newer one. Undated versions replace in the order read, as a later update file does.

    :param held: the records the work holds.
    :param record: a record sharing an identifier with them.
    """
    key = record_key(record)
    for position, old in enumerate(held):
        if record_key(old) != key:
            continue
        if old == record:
            return None
        new, previous = record.updated_date, old.updated_date
        if new is not None and previous is not None and new < previous:
            return None
        return [*held[:position], record, *held[position + 1 :]]
    return [*held, record]


def linked_records(records: Sequence[Work]) -> list[list[Work]]:
    """``records`` in groups that share identifiers, directly or through each other: one
    group per work. A record that no longer shares any (a new version with another DOI, a
    withdrawn record that linked two others) makes a work of its own.

    :param records: records, in the order their groups are wanted (by first member).
    """
    parent = list(range(len(records)))
    first_with: dict[IdKey, int] = {}
    for index, record in enumerate(records):
        for key in identifier_keys(record):
            seen = first_with.setdefault(key, index)
            root_a, root_b = find_root(parent, seen), find_root(parent, index)
            parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[int, list[Work]] = {}
    for index, record in enumerate(records):
        groups.setdefault(find_root(parent, index), []).append(record)
    return list(groups.values())
