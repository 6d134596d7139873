"""The PM slice of parsed records before they are stored (``--pm-only`` on JSON Lines).

The records are judged by tagging's own SQL (:func:`keyword_hits_sql`, :func:`term_hits_sql`
with the rules of topic ``pm``) run on the batch's rows, so "PM-relevant" has one
definition: a record is kept exactly when tagging it would set ``pm_relevant``. The
Parquet scan's filter (``sources/parquet_sql.py``) is tested against the same tags.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import TaggingRuleError
from permed_atlas.landscape.store.tagging import keyword_hits_sql, term_hits_sql
from permed_atlas.landscape.topics import PM_TOPIC, RuleSet


class PmSlice:
    """Picks the PM-relevant records of row batches; one in-memory DuckDB for all batches.

    :param rules: the corpus's tagging rules (only those of topic ``pm`` are used).
    """

    def __init__(self, rules: RuleSet) -> None:
        pm_rules = dataclasses.replace(
            rules, rules=tuple(rule for rule in rules.rules if rule.topic == PM_TOPIC)
        )
        queries = [
            sql
            for sql in (
                keyword_hits_sql(pm_rules, scope="TRUE"),
                term_hits_sql(pm_rules, scope="TRUE"),
            )
            if sql
        ]
        self._sql = (
            f"SELECT DISTINCT work_id FROM ({' UNION ALL '.join(queries)}) ORDER BY work_id"
            if queries
            else None
        )
        self._where = rules.path or "the tagging rules"
        self._connection: duckdb.DuckDBPyConnection | None = None

    def indexes(self, tables: Mapping[str, pa.Table]) -> list[int]:
        """The record indexes (the ``work_id`` column of a row batch) tagging would mark PM.

        :param tables: the batch's ``works`` and ``terms`` rows.
        """
        if self._sql is None:
            return []  # no PM rule: nothing is PM-relevant, as tagging would say
        if self._connection is None:
            self._connection = duckdb.connect(":memory:")
        connection = self._connection
        connection.register("works", tables["works"])
        connection.register("terms", tables["terms"])
        try:
            rows = connection.execute(self._sql).fetchall()
        except duckdb.Error as exc:
            raise TaggingRuleError(
                Message(
                    "%(where)s: DuckDB cannot evaluate the rules: %(exc)s",
                    where=self._where,
                    exc=exc,
                )
            ) from exc
        finally:
            connection.unregister("works")
            connection.unregister("terms")
        return [int(index) for (index,) in rows]

    def close(self) -> None:
        """Close the in-memory database."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
