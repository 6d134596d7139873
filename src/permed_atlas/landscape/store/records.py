"""The source records behind a work read from more than one, and works rewritten from them.

A work read from one record is that record: its rows give it back whole
(:func:`~permed_atlas.landscape.store.work_rows.load_stored_works`). A work read from
several (the OpenAlex and PubMed records of one article, two publications of a patent
family) keeps each record in ``work_records``, as JSON of what the record has that the
work does not show, so that the work is merged from all of them at once
(:func:`~permed_atlas.landscape.ingest.merge.merge_records`): the work does not depend on
the order the records came in, a new version replaces its own record only, and a
withdrawn record takes only what it gave with it.

A work of a corpus written before ``work_records`` existed, merged then, is held as one
record until its records are read again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from permed_atlas.landscape.ingest.merge import linked_records, merge_records, record_key
from permed_atlas.landscape.models import Contributor, Institution, Term, Work
from permed_atlas.landscape.store._duck import registered, work_id_table
from permed_atlas.landscape.store.work_rows import (
    CONTENT_SCHEMAS,
    CONTENT_TABLES,
    load_stored_works,
    rows_for,
)

TAG_TABLES = ("work_countries", "work_regions", "work_topics", "work_flags")
_FIELDS = tuple(field.name for field in dataclasses.fields(Work))
RECORDS_SCHEMA = pa.schema(
    [("work_id", pa.int64()), ("record_key", pa.string()), ("record", pa.string())]
)


def record_to_json(record: Work, work: Work) -> str:
    """One record as ``work_records`` keeps it: what differs from ``work``, the work made
    of the records, in JSON (a term the work has as its scheme, text and id, which name one
    term of a work: merging keeps one term per scheme and id, or text).

    Most of a record is what the work shows; keeping only the rest keeps ``work_records``
    small: 20,000 demo works read again under other OpenAlex ids (18,375 merged works) take
    a corpus of 24 MB, against 23 MB keeping no records and 129 MB keeping them whole.

    :param record: one of the work's records.
    :param work: the work as written from its records.
    """
    differs: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(record, name)
        if value == getattr(work, name):
            continue
        if name == "terms":
            shown = set(work.terms)
            value = [[t.scheme, t.term, t.id] if t in shown else t for t in value]
        differs[name] = value
    return orjson.dumps(differs).decode()


def record_from_json(text: str, work: Work) -> Work:
    """A record back from :func:`record_to_json`.

    :param text: the JSON.
    :param work: the work as stored (its rows read back).
    """
    changes: dict[str, Any] = orjson.loads(text)
    if "contributors" in changes:
        changes["contributors"] = tuple(
            Contributor(
                **{
                    **person,
                    "institutions": tuple(Institution(**place) for place in person["institutions"]),
                    "countries": tuple(person["countries"]),
                }
            )
            for person in changes["contributors"]
        )
    if "terms" in changes:
        shown = {(t.scheme, t.term, t.id): t for t in work.terms}
        changes["terms"] = tuple(
            shown[tuple(term)] if isinstance(term, list) else Term(**term)
            for term in changes["terms"]
        )
    return dataclasses.replace(work, **changes)


def load_held_records(
    connection: duckdb.DuckDBPyConnection, *, work_ids: Iterable[int]
) -> dict[int, list[Work]]:
    """The records each work holds: those kept in ``work_records``, else the work itself.

    :param connection: a corpus connection.
    :param work_ids: the works.
    """
    ids = sorted(set(work_ids))
    if not ids:
        return {}
    stored = load_stored_works(connection, work_ids=ids)
    with registered(connection, _records_load=work_id_table(ids)):
        rows = connection.execute(
            "SELECT work_id, record FROM work_records "
            "WHERE work_id IN (SELECT work_id FROM _records_load) ORDER BY work_id, record_key"
        ).fetchall()
    held: dict[int, list[Work]] = {}
    for work_id, text in rows:
        held.setdefault(int(work_id), []).append(record_from_json(text, stored[work_id].work))
    for work_id, item in stored.items():
        held.setdefault(work_id, [item.work])
    return held


def has_records(connection: duckdb.DuckDBPyConnection, *, work_ids: Iterable[int]) -> list[int]:
    """Those of ``work_ids`` that keep their records in ``work_records``.

    :param connection: a corpus connection.
    :param work_ids: the works.
    """
    with registered(connection, _records_probe=work_id_table(sorted(set(work_ids)))):
        rows = connection.execute(
            "SELECT DISTINCT work_id FROM work_records "
            "WHERE work_id IN (SELECT work_id FROM _records_probe) ORDER BY 1"
        ).fetchall()
    return [int(row[0]) for row in rows]


def delete_work_rows(connection: duckdb.DuckDBPyConnection, work_ids: Sequence[int]) -> None:
    """Delete the content, record and tag rows of these works (to write them again).

    The derived and ``agg_*`` tables keep the works' old contributions: tagging, which finds
    the works untagged, subtracts them (dirty.py).

    :param connection: a writable corpus connection, in the caller's transaction.
    :param work_ids: the works.
    """
    if not work_ids:
        return
    with registered(connection, _rewrite_delete=work_id_table(work_ids)):
        for table in (*CONTENT_TABLES, "work_records", *TAG_TABLES):
            connection.execute(
                f"DELETE FROM {table} WHERE work_id IN (SELECT work_id FROM _rewrite_delete)"
            )


def insert_tables(connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Insert rows of the content tables (Arrow tables named as the tables).

    :param connection: a writable corpus connection, in the caller's transaction.
    :param tables: rows per content table.
    """
    for table in CONTENT_TABLES:
        arrow = tables[table]
        if arrow.num_rows == 0:
            continue
        names = ", ".join(CONTENT_SCHEMAS[table].names)
        with registered(connection, _ingest_rows=arrow):
            connection.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _ingest_rows")


def write_works(
    connection: duckdb.DuckDBPyConnection, works: Sequence[tuple[int, Sequence[Work]]]
) -> None:
    """Write each work from its records: the merged rows, and the records when several.

    :param connection: a writable corpus connection, in the caller's transaction; the
        works' old rows already deleted.
    :param works: (work id, the work's records).
    """
    if not works:
        return
    made = [(work_id, merge_records(held)) for work_id, held in works]
    insert_tables(connection, rows_for(made))
    kept = [
        (work_id, record_key(record), record_to_json(record, stored.work))
        for (work_id, held), (_, stored) in zip(works, made, strict=True)
        if len(held) > 1
        for record in held
    ]
    if kept:
        work_ids, keys, texts = zip(*kept, strict=True)
        table = pa.table(
            {"work_id": list(work_ids), "record_key": list(keys), "record": list(texts)},
            schema=RECORDS_SCHEMA,
        )
        with registered(connection, _records_rows=table):
            connection.execute("INSERT INTO work_records SELECT * FROM _records_rows")


def next_work_id(connection: duckdb.DuckDBPyConnection) -> int:
    """The id after the highest the corpus has given.

    :param connection: a corpus connection.
    """
    last = connection.execute("SELECT coalesce(max(work_id), 0) FROM works").fetchall()
    return int(last[0][0]) + 1


def drop_records(
    connection: duckdb.DuckDBPyConnection,
    *,
    work_ids: Iterable[int],
    dropped: Callable[[Work], bool],
) -> tuple[list[int], list[int]]:
    """Take the records ``dropped`` picks out of these works (those keeping their records)
    and write each work again from the rest: gone when none is left, split in two when
    the record taken was the one linking the rest.

    :param connection: a writable corpus connection, in the caller's transaction.
    :param work_ids: works that keep their records in ``work_records``.
    :param dropped: whether a record goes.
    :returns: the works rewritten (ids kept or new) and the works gone.
    """
    held = {
        work_id: records
        for work_id, records in load_held_records(connection, work_ids=work_ids).items()
        if any(dropped(record) for record in records)
    }
    if not held:
        return [], []
    next_id = next_work_id(connection)  # before the deletes: no id is given twice
    delete_work_rows(connection, sorted(held))
    written: list[tuple[int, list[Work]]] = []
    gone: list[int] = []
    for work_id, records in held.items():
        groups = linked_records([record for record in records if not dropped(record)])
        if not groups:
            gone.append(work_id)
            continue
        written.append((work_id, groups[0]))
        for group in groups[1:]:
            written.append((next_id, group))
            next_id += 1
    write_works(connection, written)
    return [work_id for work_id, _ in written], gone
