"""Hold-out evaluation of the finder: does it rank the partners people later chose?

Profiles are built from works up to ``split_year`` only. The truth is every pair
of researchers, one in each region, whose first joint work appears after
``split_year`` (both must already have a profile by then). For each researcher
with such a future partner the finder ranks the other region, and recall@k is
the share of their future partners in the top k (macro-averaged over queries).
The popularity baseline ranks the same candidates by output up to ``split_year``.
Author identities come from the whole corpus, so a person is the same on both
sides of the split.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np

from permed_atlas.partners.build import STAGE_PREFIX, drop_stage, stage_profiles
from permed_atlas.partners.finder import ProfileEmbeddings, find_partners
from permed_atlas.partners.index import PartnerIndex, load_index
from permed_atlas.partners.models import Method, PartnerQuery

__all__ = ["Evaluation", "evaluate_holdout", "recall_at_k"]


@dataclass(frozen=True)
class Evaluation:
    """Recall@k of each method and of the popularity baseline on the same queries."""

    split_year: int
    k: int
    queries: int
    truth_pairs: int
    mean_candidates: float
    recall: dict[str, float]
    seconds: float
    notes: list[str] = field(default_factory=list)


def recall_at_k(ranked: list[str], truth: set[str], *, k: int) -> float:
    """The share of ``truth`` found in the first ``k`` of ``ranked``.

    :param ranked: candidate keys, best first.
    :param truth: the keys that should be found.
    :param k: the cut-off.
    """
    if not truth:
        return 0.0
    return len(set(ranked[:k]) & truth) / len(truth)


def _future_pairs(
    connection: duckdb.DuckDBPyConnection, split_year: int
) -> dict[str, set[str]]:
    stage_profiles(connection)
    rows = connection.execute(
        f"SELECT author_key, coauthor_key FROM {STAGE_PREFIX}partner_coauthors "
        f"WHERE first_year > {int(split_year)}"
    ).fetchall()
    future: dict[str, set[str]] = {}
    for a, b in rows:
        future.setdefault(str(a), set()).add(str(b))
    return future


def _popularity(index: PartnerIndex, candidates: np.ndarray, excluded: set[int]) -> list[str]:
    degree = np.bincount(index.edges.ravel(), minlength=len(index.keys)) if len(index.edges) \
        else np.zeros(len(index.keys), np.int64)
    kept = [int(r) for r in candidates if int(r) not in excluded]
    kept.sort(key=lambda r: (-int(index.n_works[r]), -int(degree[r]), index.keys[r]))
    return [index.keys[r] for r in kept]


def evaluate_holdout(
    connection: duckdb.DuckDBPyConnection,
    *,
    split_year: int,
    regions: Mapping[str, frozenset[str]],
    topic_labels: Mapping[str, str],
    region_pair: tuple[str, str] = ("EU27", "CN"),
    k: int = 20,
    methods: tuple[Method, ...] = ("tfidf",),
    embeddings: Callable[[PartnerIndex], ProfileEmbeddings] | None = None,
    max_queries: int | None = 500,
    seed: int = 0,
) -> Evaluation:
    """Recall@k of the finder and of the popularity baseline on co-authorships formed later.

    :param connection: a corpus connection (read-only is enough; staging uses TEMP tables).
    :param split_year: profiles see works up to this year; truth is first joint works after it.
    :param regions: countries of each region set.
    :param topic_labels: topic labels.
    :param region_pair: the two regions; queries come from both sides.
    :param k: the cut-off.
    :param methods: finder methods to measure.
    :param embeddings: builds profile embeddings for the staged index (for ``embeddings``).
    :param max_queries: sample at most this many query authors (fixed seed); None for all.
    :param seed: the sampling seed.
    """
    started = time.perf_counter()
    a_region, b_region = region_pair
    try:
        future = _future_pairs(connection, split_year)
        stage_profiles(connection, until_year=split_year)
        index = load_index(connection, staged=True)
        vectors = embeddings(index) if embeddings and "embeddings" in methods else None
    finally:
        drop_stage(connection)
    region_of: dict[int, str] = {}
    for position, country in enumerate(index.main_country):
        if country in regions[a_region]:
            region_of[position] = a_region
        elif country in regions[b_region]:
            region_of[position] = b_region
    queries: list[tuple[int, set[str]]] = []
    for key, partners in sorted(future.items()):
        found = index.row_of.get(key)
        if found is None or found not in region_of:
            continue
        row = found
        truth = {p for p in partners if (prow := index.row_of.get(p)) is not None
                 and prow in region_of and region_of[prow] != region_of[row]}
        if truth:
            queries.append((row, truth))
    notes = []
    if max_queries is not None and len(queries) > max_queries:
        notes.append(f"sampled {max_queries} of {len(queries)} query researchers (seed {seed}), "
                     f"who have {sum(len(t) for _, t in queries):,} future partners in all")
        queries = random.Random(seed).sample(queries, max_queries)
    pairs = sum(len(t) for _, t in queries)
    totals = {name: 0.0 for name in (*methods, "popularity")}
    candidate_counts = []
    for row, truth in queries:
        own = region_of[row]
        target = b_region if own == a_region else a_region
        members = regions[target]
        candidates = np.fromiter((r for r, c in enumerate(index.main_country) if c in members),
                                 dtype=np.int64)
        candidate_counts.append(len(candidates))
        neighbours = set(index.graph.adj[row]) | {row}
        totals["popularity"] += recall_at_k(_popularity(index, candidates, neighbours), truth, k=k)
        for method in methods:
            query = PartnerQuery("author", index.keys[row], from_region=own, to_region=target,
                                 limit=k)
            result = find_partners(index, query, regions=regions, topic_labels=topic_labels,
                                   method=method, embeddings=vectors)
            totals[method] += recall_at_k([m.key for m in result.matches], truth, k=k)
    count = max(1, len(queries))
    mean_candidates = float(np.mean(candidate_counts)) if candidate_counts else 0.0
    recall = {name: round(total / count, 4) for name, total in totals.items()}
    recall["random"] = round(min(1.0, k / mean_candidates), 4) if mean_candidates else 0.0
    return Evaluation(split_year=split_year, k=k, queries=len(queries), truth_pairs=pairs,
                      mean_candidates=round(mean_candidates, 1), recall=recall,
                      seconds=round(time.perf_counter() - started, 2), notes=notes)
