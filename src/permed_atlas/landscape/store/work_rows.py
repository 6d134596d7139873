"""Works as rows of the corpus's content tables, and back.

Parsing processes turn records into :class:`RowBatch` tables (Arrow, one per content
table, keyed by the record's index in its batch) so the writer in
:mod:`permed_atlas.landscape.store.corpus` stores a batch in a handful of SQL statements;
:func:`load_stored_works` reads stored works back as the merge rules need them. The
column lists here are the contract with ``corpus_schema.sql``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from permed_atlas.landscape.ingest.merge import (
    FILLABLE_FIELDS,
    IdKey,
    StoredWork,
    stored_from_record,
)
from permed_atlas.landscape.models import Contributor, Institution, Term, Work
from permed_atlas.landscape.store._duck import registered, work_id_table

WORK_COLUMNS = ("work_id", "kind", "sources", *FILLABLE_FIELDS)
# The works columns that are not text, as in corpus_schema.sql.
_WORK_TYPES = {
    "work_id": pa.int64(),
    "sources": pa.list_(pa.string()),
    "year": pa.int32(),
    "cited_by_count": pa.int32(),
}
CONTENT_SCHEMAS: dict[str, pa.Schema] = {
    "works": pa.schema([(name, _WORK_TYPES.get(name, pa.string())) for name in WORK_COLUMNS]),
    "contributors": pa.schema(
        [("work_id", pa.int64()), ("position", pa.int32())]
        + [(n, pa.string()) for n in ("role", "name", "author_id", "orcid", "raw_affiliation")]
    ),
    "affiliations": pa.schema(
        [("work_id", pa.int64()), ("position", pa.int32())]
        + [(n, pa.string()) for n in ("institution_id", "institution_name", "ror", "country_code")]
    ),
    "terms": pa.schema(
        [
            ("work_id", pa.int64()),
            ("scheme", pa.string()),
            ("term", pa.string()),
            ("term_id", pa.string()),
            ("score", pa.float64()),
        ]
    ),
    "work_ids": pa.schema(
        [("id_type", pa.string()), ("id_value", pa.string()), ("work_id", pa.int64())]
    ),
}
CONTENT_TABLES = ("works", "contributors", "affiliations", "terms", "work_ids")


@dataclass(frozen=True, slots=True)
class RowBatch:
    """Parsed records as table rows, before they get work ids.

    ``tables`` holds the rows of each content table with the record's index in
    the batch (0..count-1) in the ``work_id`` column; ``ids`` the identifiers
    of each record. Parsing processes build these, so the writer never has to
    rebuild Work objects for the common case of a work not seen before.
    """

    count: int
    ids: list[frozenset[IdKey]]
    tables: dict[str, pa.Table]


def row_batch(works: Sequence[Work]) -> RowBatch:
    """The rows of ``works``, indexed by their position in the sequence.

    :param works: parsed records.
    """
    stored = [stored_from_record(work) for work in works]
    return RowBatch(
        count=len(stored),
        ids=[item.ids for item in stored],
        tables=rows_for(list(enumerate(stored))),
    )


def concat_row_batches(batches: Sequence[RowBatch]) -> RowBatch:
    """One batch from several, renumbering record indexes.

    :param batches: batches in file order.
    """
    offset = 0
    ids: list[frozenset[IdKey]] = []
    parts: dict[str, list[pa.Table]] = {table: [] for table in CONTENT_TABLES}
    for batch in batches:
        ids.extend(batch.ids)
        for table, rows in batch.tables.items():
            column = pc.add(rows.column("work_id"), pa.scalar(offset, pa.int64()))
            parts[table].append(
                rows.set_column(rows.schema.get_field_index("work_id"), "work_id", column)
            )
        offset += batch.count
    tables = {
        table: pa.concat_tables(chunks) if chunks else CONTENT_SCHEMAS[table].empty_table()
        for table, chunks in parts.items()
    }
    return RowBatch(count=offset, ids=ids, tables=tables)


def select_records(batch: RowBatch, indexes: Sequence[int]) -> RowBatch:
    """The records of ``batch`` at ``indexes`` (ascending), renumbered from 0.

    :param batch: parsed rows.
    :param indexes: the records to keep.
    """
    new_index_of = [-1] * batch.count
    for new, old in enumerate(indexes):
        new_index_of[old] = new
    return RowBatch(
        count=len(indexes),
        ids=[batch.ids[old] for old in indexes],
        tables=renumbered(batch.tables, new_index_of),
    )


def renumbered(tables: dict[str, pa.Table], new_id_of: list[int]) -> dict[str, pa.Table]:
    """The rows of the records with a new id, under that id, in their original order."""
    mapping = pa.array(new_id_of, pa.int64())
    result = {}
    for table, rows in tables.items():
        position = rows.schema.get_field_index("work_id")
        ids = pc.take(mapping, rows.column("work_id"))
        result[table] = rows.set_column(position, "work_id", ids).filter(pc.greater_equal(ids, 0))
    return result


Rows = tuple[
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
]


def new_rows() -> Rows:
    """Empty row lists of the content tables, in ``CONTENT_TABLES`` order."""
    return [], [], [], [], []


def append_rows(rows: Rows, work_id: int, item: StoredWork) -> None:
    """Append the rows of one stored work to ``rows`` (from :func:`new_rows`).

    :param rows: the row lists of works, contributors, affiliations, terms, work_ids.
    :param work_id: the id the work is stored under.
    :param item: the stored work.
    """
    works, people, places, terms, keys = rows
    w = item.work
    works.append(
        (
            work_id,
            w.kind,
            list(item.sources),
            w.openalex_id,
            w.doi,
            w.pmid,
            w.pmcid,
            w.lens_id,
            w.publication_number,
            w.family_id,
            w.title,
            w.abstract,
            w.year,
            w.type,
            w.venue,
            w.language,
            w.cited_by_count,
            w.updated_date,
        )
    )
    for p in w.contributors:
        people.append((work_id, p.position, p.role, p.name, p.id, p.orcid, p.raw_affiliation))
        for inst in p.institutions:
            places.append((work_id, p.position, inst.id, inst.name, inst.ror, inst.country_code))
        for country in p.countries:
            places.append((work_id, p.position, None, None, None, country))
    for t in w.terms:
        terms.append((work_id, t.scheme, t.term, t.id, t.score))
    for id_type, id_value in sorted(item.ids):
        keys.append((id_type, id_value, work_id))


def tables_of(rows: Rows) -> dict[str, pa.Table]:
    """The Arrow tables of row lists built by :func:`append_rows`.

    :param rows: the row lists of works, contributors, affiliations, terms, work_ids.
    """
    return {
        table: _arrow(part, CONTENT_SCHEMAS[table])
        for table, part in zip(CONTENT_TABLES, rows, strict=True)
    }


def rows_for(items: Sequence[tuple[int, StoredWork]]) -> dict[str, pa.Table]:
    """The rows of each content table for ``items`` (work_id, stored work), as Arrow tables.

    :param items: the works and the ids they are stored under.
    """
    rows = new_rows()
    for work_id, item in items:
        append_rows(rows, work_id, item)
    return tables_of(rows)


def _arrow(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    if not rows:
        return schema.empty_table()
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def load_stored_works(
    connection: duckdb.DuckDBPyConnection, *, work_ids: Iterable[int]
) -> dict[int, StoredWork]:
    """Read works back from the corpus as the store wrote them, by work_id.

    :param connection: a corpus connection.
    :param work_ids: the works to read.
    """
    ids = sorted(set(work_ids))
    if not ids:
        return {}
    where = "WHERE work_id IN (SELECT work_id FROM _ingest_load)"
    # rowid order is insertion order: it keeps contributors, institutions and terms as written.
    with registered(connection, _ingest_load=work_id_table(ids)):
        rows = {
            table: connection.execute(
                f"SELECT {cols} FROM {table} {where} ORDER BY work_id, rowid"
            ).fetchall()
            for table, cols in (
                ("works", ", ".join(WORK_COLUMNS)),
                (
                    "contributors",
                    "work_id, position, role, name, author_id, orcid, raw_affiliation",
                ),
                (
                    "affiliations",
                    "work_id, position, institution_id, institution_name, ror, country_code",
                ),
                ("terms", "work_id, scheme, term, term_id, score"),
                ("work_ids", "work_id, id_type, id_value"),
            )
        }
    places: dict[tuple[int, int], tuple[list[Institution], list[str]]] = {}
    for work_id, position, inst_id, name, ror, country in rows["affiliations"]:
        institutions, countries = places.setdefault((work_id, position), ([], []))
        if inst_id is None and name is None and ror is None:
            if country:
                countries.append(country)
        else:
            institutions.append(Institution(name=name, country_code=country, id=inst_id, ror=ror))
    people: dict[int, list[Contributor]] = {}
    for work_id, position, role, name, author_id, orcid, raw in rows["contributors"]:
        institutions, countries = places.get((work_id, position), ([], []))
        people.setdefault(work_id, []).append(
            Contributor(
                position=position,
                name=name,
                role=role,
                id=author_id,
                orcid=orcid,
                institutions=tuple(institutions),
                countries=tuple(countries),
                raw_affiliation=raw,
            )
        )
    terms: dict[int, list[Term]] = {}
    for work_id, scheme, term, term_id, score in rows["terms"]:
        terms.setdefault(work_id, []).append(Term(scheme, term, term_id, score))
    keys: dict[int, set[IdKey]] = {}
    for work_id, id_type, id_value in rows["work_ids"]:
        keys.setdefault(work_id, set()).add((id_type, id_value))
    result: dict[int, StoredWork] = {}
    for row in rows["works"]:
        values = dict(zip(WORK_COLUMNS, row, strict=True))
        work_id = values.pop("work_id")
        sources = tuple(values.pop("sources") or ())
        work = Work(
            source=sources[0] if sources else "unknown",
            contributors=tuple(people.get(work_id, ())),
            terms=tuple(terms.get(work_id, ())),
            **values,
        )
        known = frozenset(keys.get(work_id, ()))
        result[work_id] = StoredWork(work=work, sources=sources, ids=known)
    return result
