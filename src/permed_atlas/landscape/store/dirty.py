"""Which works tagging must look at again, and whether the rules changed since it last ran.

A work is *dirty* when its tags no longer describe it:

- it has no ``work_flags`` row: ingested since the last tagging, or rewritten by an ingest
  (a merge, a replacement by a newer record), which drops its tag rows;
- it is gone from ``works`` (withdrawn, folded into another work) while the derived tables
  still hold rows of it (agg_work_facts, work_topic_set, work_institutions).

So the hook for any code that replaces or withdraws works is the same: change the content
tables, delete the work's ``work_flags`` row (:func:`mark_works_changed`, or all its tag rows),
and leave the derived and ``agg_*`` tables alone: they are the old contributions that
tagging subtracts (aggregates_delta.py).

Tagging stores a fingerprint of the rules and region sets it used (``tag_state``). When the
topics or regions files change, the fingerprint differs and the whole corpus is retagged:
a changed rule can change the tags of any work, not only the dirty ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import duckdb

from permed_atlas.landscape.regions import RegionSet
from permed_atlas.landscape.store._duck import registered, work_id_table
from permed_atlas.landscape.topics import RuleSet

FINGERPRINT_KEY = "rules_fingerprint"
# Bumped when tagging itself changes what it writes, so that corpora tagged before retag.
TAGGING_VERSION = 2
# Works still described by derived rows but no longer in the corpus.
# (Anti joins first: the tables hold millions of rows, the gone works are few.)
GONE_WORKS_SQL = " UNION ".join(
    f"SELECT work_id FROM {table} ANTI JOIN works USING (work_id)"
    for table in ("agg_work_facts", "work_topic_set", "work_institutions")
)


def rules_fingerprint(region_sets: Iterable[RegionSet], rules: RuleSet) -> str:
    """A digest of everything tagging reads besides the corpus: rules and region members.

    :param region_sets: the region sets.
    :param rules: the topic and PM-relevance rules.
    """
    payload = {
        "version": TAGGING_VERSION,
        "rules": sorted([r.id, r.topic, r.kind, r.pattern] for r in rules.rules),
        "regions": sorted([str(r.code), sorted(str(c) for c in r.countries)] for r in region_sets),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def stored_fingerprint(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the rules the corpus was last tagged with; None if unknown.

    :param connection: a corpus connection (read-only is enough).
    """
    try:
        rows = connection.execute(
            "SELECT value FROM tag_state WHERE key = ?", [FINGERPRINT_KEY]
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows else None


def store_fingerprint(connection: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Record the fingerprint of the rules just used (inside the tagging transaction).

    :param connection: a writable corpus connection with the derived tables created.
    :param fingerprint: from :func:`rules_fingerprint`.
    """
    connection.execute("DELETE FROM tag_state WHERE key = ?", [FINGERPRINT_KEY])
    connection.execute("INSERT INTO tag_state VALUES (?, ?)", [FINGERPRINT_KEY, fingerprint])


def has_derived_tables(connection: duckdb.DuckDBPyConnection, names: Iterable[str]) -> bool:
    """Whether every table of ``names`` exists.

    :param connection: a corpus connection.
    :param names: table names.
    """
    tables = {
        row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    return set(names) <= tables


# Works with no flags row: ingested or rewritten since the last tagging.
UNTAGGED_WORKS_SQL = "SELECT work_id FROM works ANTI JOIN work_flags USING (work_id)"
# Works to retag: untagged and gone (needs the derived tables).
DIRTY_WORKS_SQL = f"{UNTAGGED_WORKS_SQL} UNION {GONE_WORKS_SQL}"


def dirty_work_ids(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """Works to retag: untagged (new or rewritten) and gone (withdrawn or folded), sorted.

    :param connection: a corpus connection with the derived tables.
    """
    rows = connection.execute(f"{DIRTY_WORKS_SQL} ORDER BY work_id").fetchall()
    return [int(row[0]) for row in rows]


def has_dirty_works(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether :func:`dirty_work_ids` would name any work.

    :param connection: a corpus connection with the derived tables.
    """
    row = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM works ANTI JOIN work_flags USING (work_id)) "
        f"OR EXISTS ({GONE_WORKS_SQL})"
    ).fetchone()
    return bool(row and row[0])


def mark_works_changed(connection: duckdb.DuckDBPyConnection, work_ids: Iterable[int]) -> int:
    """Mark works whose content was changed in place for the next tagging.

    Call it in the transaction that changes them (an ingest that rewrites their rows
    already drops their tags, which marks them too).

    :param connection: a writable corpus connection.
    :param work_ids: the changed works.
    :returns: how many flag rows were dropped.
    """
    ids = work_id_table(sorted({int(w) for w in work_ids}))
    with registered(connection, _changed_works=ids):
        row = connection.execute(
            "DELETE FROM work_flags WHERE work_id IN (SELECT work_id FROM _changed_works)"
        ).fetchone()
    return int(row[0]) if row else 0
