"""Withdrawing records a source has retracted (PubMed ``DeleteCitation``) from the corpus."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.landscape.store._duck import corpus_transaction, registered, work_id_table
from permed_atlas.landscape.store.records import drop_records, has_records


def withdraw_records(
    connection: duckdb.DuckDBPyConnection, *, source: str, id_type: str, ids: Sequence[str]
) -> int:
    """Drop what ``source`` contributed to the works holding these identifiers, in one transaction.

    A work read only from ``source`` is deleted with every row about it (tags and
    derived tables included). A work read from several records loses the withdrawn
    record and is made again from the others (store/records.py), as if it had never been
    read; one the others no longer link falls apart into the works they make. A work
    merged by an older version, whose records were not kept, keeps its content and loses
    ``source`` from its sources. Run tagging and the index update afterwards: they
    take the deleted works' contributions out of the aggregates and the search index,
    which are left as they were for that.

    :param connection: a writable corpus connection with no transaction open.
    :param source: e.g. "pubmed".
    :param id_type: e.g. "pmid".
    :param ids: the withdrawn identifiers.
    :returns: how many works were deleted or lost ``source``.
    """
    if not ids:
        return 0
    keys = pa.table({"id_value": pa.array(list(ids), pa.string())})
    with corpus_transaction(connection, failure=Message("cannot withdraw records from the corpus")):
        with registered(connection, _withdrawn=keys):
            connection.execute(
                "CREATE OR REPLACE TEMP TABLE _withdraw AS SELECT DISTINCT w.work_id, "
                "w.sources = [?] AS only_source FROM works w JOIN work_ids i USING (work_id) "
                "WHERE i.id_type = ? AND i.id_value IN (SELECT id_value FROM _withdrawn) "
                "AND list_contains(w.sources, ?)",
                [source, id_type, source],
            )
        (touched,) = connection.execute("SELECT count(*) FROM _withdraw").fetchall()[0]
        withdrawn = set(ids)
        held = has_records(
            connection,
            work_ids=[
                row[0] for row in connection.execute("SELECT work_id FROM _withdraw").fetchall()
            ],
        )
        drop_records(
            connection,
            work_ids=held,
            dropped=lambda r: r.source == source and getattr(r, id_type, None) in withdrawn,
        )
        with registered(connection, _rewritten=work_id_table(held)):
            connection.execute(
                "DELETE FROM _withdraw WHERE work_id IN (SELECT work_id FROM _rewritten)"
            )
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM duckdb_columns() WHERE column_name = 'work_id' "
                "AND database_name = current_database() AND schema_name = 'main' "
                "AND NOT internal AND table_name IN "
                "(SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND database_name = current_database()) "
                # The aggregates keep the work's old facts: tagging subtracts them (dirty.py);
                # so does the search index its old rows (search_index.py).
                "AND NOT starts_with(table_name, 'agg_') AND NOT starts_with(table_name, 'search_')"
            ).fetchall()
        ]
        gone = "work_id IN (SELECT work_id FROM _withdraw WHERE only_source)"
        for table in tables:
            connection.execute(f"DELETE FROM {table} WHERE {gone}")
        connection.execute(
            "UPDATE works SET sources = list_filter(sources, lambda s: s <> ?) "
            "WHERE work_id IN (SELECT work_id FROM _withdraw WHERE NOT only_source)",
            [source],
        )
        connection.execute("DROP TABLE _withdraw")
    return int(touched)
