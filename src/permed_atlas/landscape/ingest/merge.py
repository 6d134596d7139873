"""Merging records of one work from several sources (pure).

A work as stored is a :class:`StoredWork`: the merged :class:`Work`, the
sources it came from and every identifier any of its records carried. Merging
is monotone and idempotent: it fills missing fields, unions sources, terms and
identifiers, and keeps the richer set of contributors, so merging a record
twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from permed_atlas.landscape.models import Contributor, Term, Work

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


def apply_record(stored: StoredWork, record: Work) -> StoredWork:
    """Fold ``record`` into ``stored``: a newer copy of the same OpenAlex work replaces it.

    Two copies of one OpenAlex work (same id, both dated by ``updated_date``) are
    versions, not complementary sources: the newer one's fields, contributors and
    terms replace the stored ones whole (no stale authorship, institution or topic is
    kept), sources and identifiers stay unioned; an older copy changes nothing.
    Anything else merges as :func:`merge_record` does.

    :param stored: the work as stored so far.
    :param record: another record of the same work.
    """
    base = stored.work
    new, old = record.updated_date, base.updated_date
    same = record.openalex_id is not None and record.openalex_id == base.openalex_id
    if same and new is not None and old is not None and new != old:
        if new < old:
            return stored  # an older copy never overwrites a newer one
        sources = stored.sources
        if record.source not in sources:
            sources = (*sources, record.source)
        work = dataclasses.replace(record, source=base.source)
        return StoredWork(work=work, sources=sources, ids=stored.ids | identifier_keys(record))
    return merge_record(stored, record)


def merge_stored(first: StoredWork, second: StoredWork) -> StoredWork:
    """Merge two stored works found to be one (a record linked them); ``first`` wins ties.

    :param first: the work kept (the older one).
    :param second: the work folded into it.
    """
    merged = merge_record(first, dataclasses.replace(second.work, source=second.sources[0]))
    sources = merged.sources + tuple(s for s in second.sources if s not in merged.sources)
    return StoredWork(work=merged.work, sources=sources, ids=merged.ids | second.ids)
