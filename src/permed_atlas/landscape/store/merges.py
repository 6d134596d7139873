"""OpenAlex works merged into others: the mapping kept in ``merged_works`` and what it implies.

OpenAlex folds duplicate works into one and lists each merged-away id with the id it was
merged into (the snapshot's ``merged_ids`` files). The corpus keeps that list, because a
merged id does not vanish from the world at once: an older snapshot part, an API page
fetched before the merge or a file a user kept may still hold it. So

- the merged-away work leaves the corpus (its authorships and counts go; the survivor's
  stay), or, when the corpus had already joined both as one work through a shared DOI or
  PMID, that work loses the merged id and is named by the survivor;
- a record that still carries a merged id is not stored again (:func:`superseded_records`,
  called by the store for every batch, whatever file or page it comes from);
- a link to the merged work (its OpenAlex id, or the corpus id it had) leads to the
  survivor (:func:`surviving_openalex_id`, :func:`survivor_of_work_id`), following chains
  (A merged into B, later B into C) to their end.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.ingest.merge import IdKey
from permed_atlas.landscape.store._duck import corpus_transaction
from permed_atlas.landscape.store.records import drop_records, has_records
from permed_atlas.landscape.store.withdrawals import withdraw_records

OPENALEX_ID = "openalex_id"
# A chain longer than this is taken for a loop in the source data and not followed further.
MAX_CHAIN = 32
# Ids as the merged-ids files write them: W123, https://openalex.org/W123, or bare digits.
_NORMALISED = (
    "CASE WHEN regexp_matches(trim({0}), '^\\d+$') THEN 'W' || trim({0}) "
    "ELSE upper(regexp_extract(trim({0}), '[^/]*$')) END"
)


def normalised_id_sql(expr: str) -> str:
    """SQL turning a merged-ids file's id (``W1``, ``https://openalex.org/W1``, ``1``) into ``W1``.

    :param expr: the SQL expression of the raw id.
    """
    return _NORMALISED.format(expr)


def record_merges(connection: duckdb.DuckDBPyConnection, *, merges: pa.Table) -> int:
    """Keep the merges in ``merged_works`` and take the merged-away works out of the corpus.

    Applying the same merges twice changes nothing the second time.

    :param connection: a writable corpus connection with no transaction open.
    :param merges: columns ``merged_id``, ``merged_into`` (OpenAlex ids, any spelling the
        files use) and ``merge_date`` (text or NULL).
    :returns: how many works were removed, or lost the merged id to their survivor.
    """
    for column in ("merged_id", "merged_into", "merge_date"):
        if column not in merges.column_names:
            raise LandscapeError(Message("merges need a %(column)s column", column=repr(column)))
    with corpus_transaction(
        connection, failure=Message("cannot record merged works in the corpus")
    ):
        _store_mapping(connection, merges)
        folded = _fold_joined(connection)
        (pending,) = connection.execute(
            "SELECT list(merged_id) FROM _merges WHERE NOT joined"
        ).fetchall()[0]
        connection.execute("DROP TABLE _merges")
    # A kill between the two transactions leaves the mapping stored and the works in
    # place; the next sync applies the same file again and removes them then.
    removed = withdraw_records(
        connection, source="openalex", id_type=OPENALEX_ID, ids=list(pending or [])
    )
    return folded + removed


def _store_mapping(connection: duckdb.DuckDBPyConnection, merges: pa.Table) -> None:
    connection.register("_merges_in", merges.select(["merged_id", "merged_into", "merge_date"]))
    try:
        # One row per merged id (the latest merge wins), with the corpus id it has now or,
        # for a merge applied before, the one it had then.
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE _merges AS "
            "SELECT n.merged_id, n.merged_into, n.merge_date, "
            "coalesce(i.work_id, old.old_work_id) AS old_work_id, "
            "coalesce(i.work_id = s.work_id, false) AS joined FROM ("
            f"  SELECT {normalised_id_sql('merged_id')} AS merged_id, "
            f"  arg_max({normalised_id_sql('merged_into')}, coalesce(merge_date, '')) "
            "   AS merged_into, max(merge_date) AS merge_date FROM _merges_in "
            "  WHERE merged_id IS NOT NULL AND merged_into IS NOT NULL GROUP BY 1) n "
            "LEFT JOIN work_ids i ON i.id_type = 'openalex_id' AND i.id_value = n.merged_id "
            "LEFT JOIN work_ids s ON s.id_type = 'openalex_id' AND s.id_value = n.merged_into "
            "LEFT JOIN merged_works old ON old.merged_id = n.merged_id "
            "WHERE n.merged_id <> n.merged_into AND n.merged_id <> '' AND n.merged_into <> ''"
        )
    finally:
        connection.unregister("_merges_in")
    connection.execute(
        "DELETE FROM merged_works WHERE merged_id IN (SELECT merged_id FROM _merges)"
    )
    connection.execute(
        "INSERT INTO merged_works (merged_id, merged_into, merge_date, old_work_id) "
        "SELECT merged_id, merged_into, merge_date, old_work_id FROM _merges"
    )


def _fold_joined(connection: duckdb.DuckDBPyConnection) -> int:
    """Works holding both ids (joined through a DOI or PMID) keep only the survivor's."""
    (count,) = connection.execute("SELECT count(*) FROM _merges WHERE joined").fetchall()[0]
    if not count:
        return 0
    rows = connection.execute(
        "SELECT old_work_id, merged_id FROM _merges WHERE joined AND old_work_id IS NOT NULL"
    ).fetchall()
    merged_away = {str(merged_id) for _, merged_id in rows}
    # A work that keeps its records loses the merged-away record and is made again from the
    # others, as if that record had never been read (store/records.py).
    drop_records(
        connection,
        work_ids=has_records(connection, work_ids=[int(work_id) for work_id, _ in rows]),
        dropped=lambda r: r.source == "openalex" and r.openalex_id in merged_away,
    )
    # A work merged by an older version, whose records were not kept, is renamed in place.
    connection.execute(
        "DELETE FROM work_ids WHERE id_type = 'openalex_id' "
        "AND id_value IN (SELECT merged_id FROM _merges WHERE joined)"
    )
    connection.execute(
        "UPDATE works SET openalex_id = m.merged_into FROM _merges m "
        "WHERE m.joined AND works.openalex_id = m.merged_id"
    )
    return int(count)


def any_merged(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the corpus knows of any work OpenAlex merged into another."""
    try:
        ((found,),) = connection.execute("SELECT EXISTS (SELECT 1 FROM merged_works)").fetchall()
    except duckdb.CatalogException:
        return False  # a corpus schema from before merges were kept: none recorded
    return bool(found)


def superseded_records(
    connection: duckdb.DuckDBPyConnection, ids: Sequence[frozenset[IdKey]]
) -> set[int]:
    """Indexes of the records whose OpenAlex id was merged into another work.

    :param connection: a corpus connection.
    :param ids: each record's identifiers, in batch order.
    """
    if not any_merged(connection):
        return set()  # the common case, one cheap query per batch
    indexes: list[int] = []
    values: list[str] = []
    for index, keys in enumerate(ids):
        for id_type, value in keys:
            if id_type == OPENALEX_ID:
                indexes.append(index)
                values.append(value)
    if not values:
        return set()
    batch = pa.table({"idx": pa.array(indexes, pa.int64()), "id_value": values})
    connection.register("_merge_check", batch)
    try:
        rows = connection.execute(
            "SELECT DISTINCT c.idx FROM _merge_check c "
            "SEMI JOIN merged_works m ON m.merged_id = c.id_value"
        ).fetchall()
    finally:
        connection.unregister("_merge_check")
    return {int(index) for (index,) in rows}


def surviving_openalex_id(connection: duckdb.DuckDBPyConnection, openalex_id: str) -> str | None:
    """The id of the work ``openalex_id`` was merged into, at the end of any chain; None if
    it was never merged.

    :param connection: a corpus connection.
    :param openalex_id: e.g. ``W2741809807``.
    """
    current, seen = openalex_id.upper(), set[str]()
    try:
        while current not in seen and len(seen) < MAX_CHAIN:
            seen.add(current)
            rows = connection.execute(
                "SELECT merged_into FROM merged_works WHERE merged_id = ?", [current]
            ).fetchall()
            if not rows:
                break
            current = str(rows[0][0])
    except duckdb.CatalogException:
        return None  # a corpus made before merges were kept
    return None if current == openalex_id.upper() else current


def survivor_of_work_id(connection: duckdb.DuckDBPyConnection, work_id: int) -> str | None:
    """The surviving OpenAlex id of a work that left the corpus by a merge, or None.

    :param connection: a corpus connection.
    :param work_id: the corpus id the merged work had.
    """
    try:
        rows = connection.execute(
            "SELECT merged_id FROM merged_works WHERE old_work_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM works WHERE work_id = ?) LIMIT 1",
            [work_id, work_id],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return surviving_openalex_id(connection, str(rows[0][0])) if rows else None
