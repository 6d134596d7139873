"""Bring the corpus to a servable state: every work tagged, aggregates and index current.

Also the two ways the corpus is read in that state: :func:`complete_and_publish` (the web
app's upkeep, which publishes a snapshot) and :func:`tagged_corpus` (the commands that
read the corpus).

An ingest stores works batch by batch, then tags them and rebuilds the search
index. If it is killed between the two (kill -9, a full disk, a power cut), the
stored works stay untagged and unindexed, and a second ingest of the same file
stores nothing new. So both the ingest and the web app call
:func:`complete_corpus` whatever this run stored: it finishes the job that any
earlier run left, and costs two cheap queries when there is none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import CorpusBusyError, LandscapeError
from permed_atlas.landscape.regions import RegionSet, load_region_sets
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.search import update_search_index
from permed_atlas.landscape.store.snapshots import publish_snapshot, snapshot_is_current
from permed_atlas.landscape.store.tagging import (
    TaggingSummary,
    needs_tagging,
    rules_changed,
    tag_corpus,
    tag_untagged,
)
from permed_atlas.landscape.topics import RuleSet, load_rules, rules_path_for
from permed_atlas.settings import CORPUS_MEMORY_LIMIT, Settings
from permed_atlas.types import RegionCode

log = logging.getLogger(__name__)


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
    """Tag the works changed since the last tagging (new, rewritten or gone; all of them if
    the derived tables are missing or the rules and regions changed), updating the summary
    tables by delta, and bring the search index up to date (only the changed works' rows, or
    in full when it is missing or was built by another version).

    :param connection: a writable corpus connection.
    :param regions: the region sets.
    :param rules: the topic rules.
    :param rebuild_aggregates: bring the aggregates up to date even when no work needs tags
        (deleted works are found by tagging itself; this is for deletions that left no trace).
    """
    tagged = 0
    summary = tag_untagged(connection, regions=regions, rules=rules)
    if summary is not None:
        tagged = summary.works
    if needs_tagging(connection):  # tagged by an older version: derived tables missing
        tagged = tag_corpus(connection, regions=regions, rules=rules).works
    elif rebuild_aggregates and summary is None:
        tag_corpus(connection, regions=regions, rules=rules, work_ids=())
    indexed = update_search_index(connection) is not None
    return Completion(tagged=tagged, indexed=indexed)


def complete_and_publish(corpus_path: Path, settings: Settings | None) -> bool:
    """Finish tagging and indexing and publish a snapshot if the corpus moved on.

    Returns False, doing nothing, when another process holds the writer's lock
    (an ingest, which publishes when it is done); True otherwise, also when it
    could not complete the corpus for a reason that waiting would not change.

    :param corpus_path: the writer's corpus file.
    :param settings: regions and topic rules for finishing tags; without them only a
        stale index is brought up to date.
    """
    cap = settings.corpus_memory_limit if settings is not None else CORPUS_MEMORY_LIMIT
    try:
        with open_corpus(corpus_path, memory_limit=cap) as writer:
            if settings is not None:
                complete_corpus(
                    writer,
                    regions=load_region_sets(settings),
                    rules=load_rules(rules_path_for(settings.data_dir)),
                )
            else:
                update_search_index(writer)
            if not snapshot_is_current(writer, corpus_path):
                publish_snapshot(writer, corpus_path)
    except CorpusBusyError:
        return False
    except LandscapeError as exc:
        # e.g. this process holds the file open read-only elsewhere: serve what there is
        # (waiting would not help, so this is not "busy").
        log.warning("cannot complete the corpus %s: %s", corpus_path, exc)
    return True


@contextmanager
def tagged_corpus(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only corpus connection, after tagging any untagged works.

    :param settings: gives the corpus path, regions and rules.
    """
    path = settings.corpus_path
    if not path.exists():
        raise LandscapeError(
            Message(
                "no corpus at %(path)s: run `permed ingest` or `permed demo` first",
                path=path,
            )
        )
    regions = load_region_sets(settings)
    rules = load_rules(rules_path_for(settings.data_dir))
    with duckdb.connect(str(path), read_only=True) as probe:
        # Changed works are retagged, or every work when the topics or regions files changed.
        stale = needs_tagging(probe) or rules_changed(probe, regions=regions, rules=rules)
    cap = settings.corpus_memory_limit
    if stale:
        with _naming_the_cap(cap), open_corpus(path, memory_limit=cap) as writer:
            tag_untagged(writer, regions=regions, rules=rules)
            if needs_tagging(writer):  # tagged by an older version: derived tables missing
                tag_corpus(writer, regions=regions, rules=rules)
    connection = open_corpus(path, read_only=True, memory_limit=cap)
    try:
        yield connection
    finally:
        connection.close()


def retag_and_publish(
    settings: Settings, *, regions: Mapping[RegionCode, RegionSet], rules: RuleSet
) -> TaggingSummary:
    """Recompute the tags of every work and publish them to the web app (``permed tag``).

    :param settings: gives the corpus path.
    :param regions: the region sets.
    :param rules: the topic rules.
    """
    cap = settings.corpus_memory_limit
    with (
        _naming_the_cap(cap),
        open_corpus(settings.corpus_path, memory_limit=cap, lock_wait=600.0) as connection,
    ):
        summary = tag_corpus(connection, regions=regions, rules=rules)
        # The web app reads published snapshots: give it the new tags, with a current index.
        complete_corpus(connection, regions=regions, rules=rules)
        publish_snapshot(connection, settings.corpus_path)
    return summary


def ran_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB running out of memory, or the LandscapeError the search
    index build reports it as (naming the step that failed)."""
    cause = exc if isinstance(exc, duckdb.OutOfMemoryException) else exc.__cause__
    return isinstance(cause, duckdb.OutOfMemoryException)


@contextmanager
def _naming_the_cap(cap: str | None) -> Iterator[None]:
    """Turn DuckDB running out of memory into an error that names the cap to raise."""
    try:
        yield
    except (duckdb.OutOfMemoryException, LandscapeError) as exc:
        if not ran_out_of_memory(exc):
            raise
        raise LandscapeError(
            Message(
                "DuckDB ran out of memory tagging and indexing the corpus "
                "under %(value)s; the works are stored. Raise the cap with "
                "PERMED_CORPUS_MEMORY_LIMIT (or `permed tag "
                "--memory-limit`). DuckDB said: %(exc)s",
                value="a cap of " + cap if cap else "the memory available",
                exc=exc,
            )
        ) from exc
