"""One whole sync: manifest, downloads, merged ids, ingest, tagging, publishing.

Kept apart from :mod:`snapshot_sync` (the bucket and its files) so that module
can be tested without a corpus.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import httpx

from permed_atlas.i18n import Message
from permed_atlas.landscape import (
    IngestInterruptedError,
    RuleSet,
    complete_corpus,
    ingest_file,
    load_region_sets,
    load_rules,
    open_corpus,
    publish_snapshot,
    record_merges,
    recorded_run,
    rules_path_for,
)
from permed_atlas.settings import Settings
from permed_atlas.sources.errors import SnapshotError
from permed_atlas.sources.snapshot_download import RetryPolicy, download_file
from permed_atlas.sources.snapshot_manifest import (
    DEFAULT_BASE_URL,
    MERGED_IDS_PREFIX,
    Format,
    Part,
    http_url,
)
from permed_atlas.sources.snapshot_state import SyncState, load_state, save_state
from permed_atlas.sources.snapshot_sync import (
    SyncSummary,
    download_parts,
    list_bucket,
    local_path,
    plan_parts,
    read_manifest,
    read_merges,
    snapshot_client,
    synced_through,
)

LOCK_WAIT_SECONDS = 600.0


@dataclass(frozen=True)
class SyncOptions:
    """What to sync and how.

    :param dest: the local copy of the bucket (and the sync state).
    :param fmt: "jsonl" or "parquet".
    :param since: the oldest ``updated_date`` partition wanted.
    :param pm_only: keep only PM-relevant works (Parquet: filtered in the scan; JSON Lines:
        judged by tagging's rules batch by batch, before anything is stored).
    :param base_url: the bucket's HTTPS address.
    :param tag: tag, index and publish after ingesting.
    :param policy: download retries and backoff.
    """

    dest: Path
    fmt: Format = "jsonl"
    since: date | None = None
    pm_only: bool = False
    base_url: str = DEFAULT_BASE_URL
    tag: bool = True
    policy: RetryPolicy = RetryPolicy()


@dataclass(frozen=True)
class Hooks:
    """Where a sync reports progress (the CLI passes a rich progress bar)."""

    download_total: Callable[[int], None] = lambda total: None
    downloaded: Callable[[int], None] | None = None
    ingested: Callable[[Part], None] = lambda part: None
    sleep: Callable[[float], None] = time.sleep


SOURCE = "openalex-snapshot"  # the source its runs are recorded under in ingest_run


def sync_openalex_snapshot(
    options: SyncOptions, *, settings: Settings, hooks: Hooks = Hooks()
) -> SyncSummary:
    """Sync the snapshot into ``options.dest`` and ingest what is new into the corpus.

    The sync is recorded in ``ingest_run`` (``permed ingest runs``): ``finished`` with
    what it added, updated and removed, or ``failed`` with the reason and what it did
    before; the state in DEST moves past a part only once the part is whole in the corpus.

    :param options: what to sync.
    :param settings: gives the corpus, the tagging rules and the platform database.
    :param hooks: progress callbacks.
    """
    dest = options.dest
    dest.mkdir(parents=True, exist_ok=True)
    summary = SyncSummary()
    with recorded_run(settings, source=SOURCE, path=str(dest.resolve())) as counts:
        try:
            _sync(options, settings, hooks, summary)
        finally:
            counts.files = len(summary.parts_ingested) + summary.merge_files
            counts.read = summary.works_read
            counts.stored = summary.works_stored
            counts.updated = summary.works_replaced
            counts.duplicates = summary.works_unchanged
            counts.rejected = summary.works_rejected
            counts.removed = summary.merged_away
    return summary


def _sync(options: SyncOptions, settings: Settings, hooks: Hooks, summary: SyncSummary) -> None:
    dest = options.dest
    state = load_state(dest)
    with snapshot_client() as client:
        manifest = read_manifest(
            client, options.base_url, options.fmt, dest, policy=options.policy, sleep=hooks.sleep
        )
        summary.parts_listed = len(manifest.parts)
        parts = plan_parts(manifest, state, options.fmt, options.since)
        hooks.download_total(sum(p.size for p in parts))
        download_parts(
            client,
            options.base_url,
            dest,
            parts,
            policy=options.policy,
            sleep=hooks.sleep,
            progress=hooks.downloaded,
            summary=summary,
        )
        merged_files = _download_merged_ids(client, options, state, hooks)
    rules = load_rules(rules_path_for(settings.data_dir))
    with open_corpus(
        settings.corpus_path,
        memory_limit=settings.corpus_memory_limit,
        lock_wait=LOCK_WAIT_SECONDS,
    ) as corpus:
        for part in parts:
            _ingest_part(corpus, dest, part, options, rules, summary)
            state.of(options.fmt).ingested.add(part.key)
            save_state(dest, state)
            hooks.ingested(part)
        for key, path in merged_files:
            # After the parts: a part of this release may still hold a merged-away work.
            summary.merged_away += record_merges(corpus, merges=read_merges(path))
            summary.merge_files += 1
            state.merged_ids.add(key)
            save_state(dest, state)
        done = state.of(options.fmt)
        done.synced_through = synced_through(manifest, done.ingested, options.since)
        summary.synced_through = done.synced_through
        save_state(dest, state)
        if options.tag and (parts or merged_files):
            complete_corpus(
                corpus,
                regions=load_region_sets(settings),
                rules=rules,
                rebuild_aggregates=bool(summary.merged_away),
            )
            publish_snapshot(corpus, settings.corpus_path)


def _download_merged_ids(
    client: httpx.Client, options: SyncOptions, state: SyncState, hooks: Hooks
) -> list[tuple[str, Path]]:
    """The merged-ids files not applied yet, downloaded, oldest first."""
    listed = list_bucket(
        client, options.base_url, MERGED_IDS_PREFIX, policy=options.policy, sleep=hooks.sleep
    )
    files = []
    for item in sorted(listed, key=lambda f: f.key):
        if item.key in state.merged_ids or not item.key.endswith(".csv.gz"):
            continue
        path = download_file(
            client,
            http_url(options.base_url, item.key),
            local_path(options.dest, item.key),
            size=item.size,
            policy=options.policy,
            sleep=hooks.sleep,
        )
        files.append((item.key, path))
    return files


# A sync can read millions of works: the first rejections say what is wrong, the count the rest.
MAX_SHOWN_REJECTIONS = 100


def _ingest_part(
    corpus: duckdb.DuckDBPyConnection,
    dest: Path,
    part: Part,
    options: SyncOptions,
    rules: RuleSet,
    summary: SyncSummary,
) -> None:
    path = local_path(dest, part.key)
    pm_rules = rules if options.pm_only else None
    if options.fmt == "parquet":
        from permed_atlas.sources.parquet_ingest import ingest_parquet

        # The footer's count was checked at download; a PM slice reads fewer on purpose.
        result = ingest_parquet([path], corpus=corpus, pm_rules=pm_rules)
        read, stored, errors = result.read, result.stored, result.errors
        replaced, unchanged, rejected = result.merged, result.duplicates, result.rejected
    else:
        try:
            result_jsonl = ingest_file(path, source="openalex", corpus=corpus, pm_rules=pm_rules)
        except IngestInterruptedError as exc:
            # Ctrl-C: the run's record counts what the part stored before it (not synced).
            done = exc.summary
            summary.works_read += done.read
            summary.works_stored += done.stored
            summary.works_replaced += done.merged
            summary.works_unchanged += done.duplicates
            summary.works_rejected += done.rejected
            raise
        read, stored, problems = result_jsonl.read, result_jsonl.stored, result_jsonl.problems
        replaced, unchanged = result_jsonl.merged, result_jsonl.duplicates
        rejected, errors = result_jsonl.rejected, list(result_jsonl.errors)
        if problems:
            raise SnapshotError(
                Message(
                    "%(path)s: %(problems)s; not marked as synced",
                    path=path,
                    problems="; ".join(problems),
                )
            )
        if part.records is not None and read != part.records:
            raise SnapshotError(
                Message(
                    "%(path)s: %(read)s records read, the manifest says "
                    "%(records)s; not marked as synced",
                    path=path,
                    read=format(read, ","),
                    records=format(part.records, ","),
                )
            )
    summary.parts_ingested.append(part.key)
    summary.works_read += read
    summary.works_stored += stored
    summary.works_replaced += replaced
    summary.works_unchanged += unchanged
    summary.works_rejected += rejected
    room = MAX_SHOWN_REJECTIONS - len(summary.rejections)
    summary.rejections.extend(str(error) for error in errors[: max(room, 0)])
