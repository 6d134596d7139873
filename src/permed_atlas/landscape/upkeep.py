"""Bring the corpus to a servable state: every work tagged, aggregates and index current.

An ingest stores works batch by batch, then tags them and rebuilds the search
index. If it is killed between the two (kill -9, a full disk, a power cut), the
stored works stay untagged and unindexed, and a second ingest of the same file
stores nothing new. So both the ingest and the web app call
:func:`complete_corpus` whatever this run stored: it finishes the job that any
earlier run left, and costs two cheap queries when there is none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from permed_atlas.landscape.regions import RegionSet
from permed_atlas.landscape.store.search import build_search_index, search_index_is_current
from permed_atlas.landscape.store.tagging import needs_tagging, tag_corpus, tag_untagged
from permed_atlas.landscape.topics import RuleSet
from permed_atlas.types import RegionCode


@dataclass(frozen=True, slots=True)
class Completion:
    """What :func:`complete_corpus` had to do: works tagged, whether it re-indexed."""

    tagged: int
    indexed: bool

    @property
    def did_anything(self) -> bool:
        """Whether the corpus was left incomplete (by this run's writes or an earlier one's)."""
        return bool(self.tagged) or self.indexed


def complete_corpus(
    connection: duckdb.DuckDBPyConnection,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
    rebuild_aggregates: bool = False,
) -> Completion:
    """Tag the untagged works (all of them if the derived tables are missing) and rebuild
    the search index when it is not built from the corpus as it is.

    :param connection: a writable corpus connection.
    :param regions: the region sets.
    :param rules: the topic rules.
    :param rebuild_aggregates: rebuild the aggregates even when no work needs tags
        (after works were deleted, which leaves no untagged work behind).
    """
    tagged = 0
    summary = tag_untagged(connection, regions=regions, rules=rules)
    if summary is not None:
        tagged = summary.works
    if needs_tagging(connection):  # tagged by an older version: derived tables missing
        tagged = tag_corpus(connection, regions=regions, rules=rules).works
    elif rebuild_aggregates and summary is None:
        tag_corpus(connection, regions=regions, rules=rules, work_ids=())
    indexed = False
    if not search_index_is_current(connection):
        build_search_index(connection)
        indexed = True
    return Completion(tagged=tagged, indexed=indexed)
