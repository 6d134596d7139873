"""The partner finder: rank researchers of the other region for a query, with reasons.

Similarity is the cosine between the query's vector and each profile's (TF-IDF
by default, sentence embeddings with ``method="embeddings"``); :mod:`scoring`
combines it with recent output and co-author distance. The query's own authors
(the author, or the institution's authors) are the origin of the distances.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.sparse as sp

from permed_atlas.i18n import Message, require_one_of
from permed_atlas.partners.errors import (
    InvalidQueryError,
    UnknownInstitutionError,
    UnknownTopicError,
)
from permed_atlas.partners.index import PartnerIndex
from permed_atlas.partners.models import (
    QUERY_KINDS,
    FinderResult,
    Method,
    PartnerMatch,
    PartnerQuery,
    Reason,
    Weights,
)
from permed_atlas.partners.scoring import activity_part, combine, network_part
from permed_atlas.partners.text import fold_text, tokenize

__all__ = ["MAX_LIMIT", "ProfileEmbeddings", "find_partners", "query_vector_for_text"]

MAX_LIMIT = 200
MAX_DISTANCE = 3
_POOL = 500


@dataclass(frozen=True)
class ProfileEmbeddings:
    """Unit-length embeddings of every profile (rows as in the index) and a text encoder."""

    vectors: np.ndarray
    encode: Callable[[str], np.ndarray]


@dataclass(frozen=True)
class _Resolved:
    origin: frozenset[int]
    vector: sp.csr_matrix | None
    embedding: np.ndarray | None
    topics: frozenset[str]
    description: str
    country: str | None


def _check(query: PartnerQuery, regions: Mapping[str, frozenset[str]]) -> None:
    if query.kind not in QUERY_KINDS:
        raise InvalidQueryError(
            Message(
                "query kind must be one of %(options)s",
                options=", ".join(QUERY_KINDS),
            ),
            field="kind",
        )
    if not query.value or not query.value.strip():
        raise InvalidQueryError(
            Message("the %(kind)s to search for is empty", kind=query.kind),
            field=query.kind,
        )
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidQueryError(
            Message(
                "limit must be between 1 and %(max_limit)s, not %(limit)s",
                max_limit=MAX_LIMIT,
                limit=query.limit,
            ),
            field="limit",
        )
    if not 1 <= query.recent_years <= 50:
        raise InvalidQueryError(
            Message(
                "recent_years must be between 1 and 50, not %(recent_years)s",
                recent_years=query.recent_years,
            ),
            field="recent_years",
        )
    for name, code in (("from_region", query.from_region), ("to_region", query.to_region)):
        require_one_of(
            "unknown region set %(value)s; known: %(options)s",
            value=code,
            options=sorted(regions),
            error=partial(InvalidQueryError, field=name),
        )
    if query.from_region == query.to_region:
        raise InvalidQueryError(
            Message("from_region and to_region must differ"),
            field="to_region",
        )


def query_vector_for_text(index: PartnerIndex, text: str) -> sp.csr_matrix | None:
    """The TF-IDF vector of a free text over the profiles' vocabulary; None if no word is known.

    :param index: the profiles.
    :param text: a project description.
    """
    counts: dict[int, int] = {}
    for token in tokenize(text):
        col = index.term_index.get(token)
        if col is not None:
            counts[col] = counts.get(col, 0) + 1
    folded = f" {' '.join(fold_text(text).split())} "
    for term, col in index.term_index.items():
        if " " in term and f" {term} " in folded:
            counts[col] = counts.get(col, 0) + 1
    if not counts:
        return None
    cols = np.fromiter(counts, dtype=np.int64)
    weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * index.idf[cols]
    weights /= np.linalg.norm(weights)
    return sp.csr_matrix(
        (weights, (np.zeros(len(cols), np.int64), cols)), shape=(1, len(index.terms))
    )


def _centroid(index: PartnerIndex, rows: list[int]) -> sp.csr_matrix:
    summed = sp.csr_matrix(index.matrix[rows].sum(axis=0))
    norm = float(np.sqrt(summed.multiply(summed).sum()))
    return summed / norm if norm else summed


def _resolve(
    index: PartnerIndex,
    query: PartnerQuery,
    labels: Mapping[str, str],
    embeddings: ProfileEmbeddings | None,
) -> _Resolved:
    value = query.value.strip()
    if query.kind == "author":
        row = index.author_row(value)
        return _Resolved(
            frozenset({row}),
            index.matrix[row],
            embeddings.vectors[row] if embeddings else None,
            frozenset(index.topics[row]),
            Message("researcher %(name)s", name=index.names[row]),
            index.main_country[row],
        )
    if query.kind == "institution":
        found = index.resolve_institution(value)
        if found is None:
            raise UnknownInstitutionError(
                Message(
                    "no institution with id or name %(value)s in the profiles",
                    value=repr(value),
                ),
            )
        key, rows_set = found
        rows = sorted(rows_set)
        countries = [c for r in rows if (c := index.main_country[r])]
        topics = [t for r in rows for t in index.topics[r][:3]]
        common = {t for t in topics if topics.count(t) * 4 >= len(rows)} or set(topics[:3])
        return _Resolved(
            frozenset(rows),
            _centroid(index, rows),
            _mean(embeddings, rows),
            frozenset(common),
            Message(
                "institution %(name)s (%(n)s researchers)",
                name=index.institution_names.get(key, key),
                n=len(rows),
            ),  # fmt: skip
            max(set(countries), key=countries.count) if countries else None,
        )
    if query.kind == "topic":
        code = value.lower()
        require_one_of(
            "unknown topic %(value)s; known: %(options)s",
            value=value,
            key=code,
            options=sorted(labels),
            error=UnknownTopicError,
        )
        rows = [r for r, topics in enumerate(index.topics) if code in topics]
        vector = _centroid(index, rows) if rows else None
        return _Resolved(
            frozenset(),
            vector,
            _mean(embeddings, rows),
            frozenset({code}),
            Message("topic %(label)s", label=labels[code]),
            None,
        )
    return _Resolved(
        frozenset(),
        query_vector_for_text(index, value),
        embeddings.encode(value) if embeddings else None,
        frozenset(),
        Message("free text"),
        None,
    )


def _mean(embeddings: ProfileEmbeddings | None, rows: list[int]) -> np.ndarray | None:
    if embeddings is None or not rows:
        return None
    mean: np.ndarray = np.asarray(embeddings.vectors[rows].mean(axis=0))
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _distances(index: PartnerIndex, origin: frozenset[int]) -> dict[int, tuple[int, int]]:
    """Hops from the origin (up to MAX_DISTANCE) and each node's parent on a shortest path."""
    if not origin:
        return {}
    graph = index.graph
    seen: dict[int, tuple[int, int]] = {row: (0, -1) for row in origin}
    queue = deque(sorted(origin))
    while queue:
        node = queue.popleft()
        depth = seen[node][0]
        if depth == MAX_DISTANCE:
            continue
        for neighbour in sorted(graph.adj[node]):
            if neighbour not in seen:
                seen[neighbour] = (depth + 1, node)
                queue.append(neighbour)
    return seen


def _path(seen: dict[int, tuple[int, int]], row: int) -> list[int]:
    path = [row]
    while seen[path[-1]][1] != -1:
        path.append(seen[path[-1]][1])
    return path[::-1]


def find_partners(
    index: PartnerIndex,
    query: PartnerQuery,
    *,
    regions: Mapping[str, frozenset[str]],
    topic_labels: Mapping[str, str],
    method: Method = "tfidf",
    weights: Weights | None = None,
    embeddings: ProfileEmbeddings | None = None,
) -> FinderResult:
    """Rank researchers of the other region for ``query``, with the reasons for each.

    :param index: the profiles.
    :param query: what to search for, where, and how many.
    :param regions: countries of each region set code.
    :param topic_labels: label of each topic code.
    :param method: ``tfidf`` or ``embeddings`` (then ``embeddings`` must be given).
    :param weights: the score weights; :class:`Weights` defaults when None.
    :param embeddings: profile embeddings and encoder, for ``method="embeddings"``.
    """
    _check(query, regions)
    _check_method(method, embeddings)
    weights = weights or Weights()
    resolved = _resolve(index, query, topic_labels, embeddings if method == "embeddings" else None)
    target = query.to_region
    if resolved.country and resolved.country in regions[query.to_region]:
        target = query.from_region  # a Chinese researcher's partners are in the EU, and so on
    members = regions[target]
    candidates = np.fromiter(
        (
            row
            for row, country in enumerate(index.main_country)
            if country in members and row not in resolved.origin
        ),
        dtype=np.int64,
    )
    result = FinderResult(query, resolved.description, method, target, weights, len(candidates), ())
    if method == "embeddings" and resolved.embedding is not None and embeddings is not None:
        sims = embeddings.vectors[candidates] @ resolved.embedding
    elif method == "tfidf" and resolved.vector is not None:
        sims = np.asarray((index.matrix[candidates] @ resolved.vector.T).todense()).ravel()
    elif query.kind == "topic":
        # a known topic no profile carries: there were no words to look for
        return _with_note(result, Message("no researcher has works tagged with the %(topic)s",
                                          topic=resolved.description))  # fmt: skip
    else:
        return _with_note(result, Message("no word of the query appears in the profiles"))
    if not len(candidates):
        return _with_note(result, Message("no researcher with a main country in %(region)s",
                                          region=target))  # fmt: skip
    order = np.argsort(-sims, kind="stable")[:_POOL]
    order = order[sims[order] > 0]
    if not len(order):
        return _with_note(result, Message("no researcher in %(region)s shares a term with the "
                                          "query", region=target))  # fmt: skip
    seen = _distances(index, resolved.origin)
    if not query.include_coauthors:  # existing co-authors are not candidates at all
        order = np.array(
            [k for k in order.tolist() if seen.get(int(candidates[k]), (0, 0))[0] != 1],
            dtype=np.int64,
        )
        if not len(order):
            return _with_note(
                result, Message("every similar researcher already co-authors with the query")
            )
    matches = _ranked_matches(
        index,
        query,
        candidates[order],
        sims[order],
        seen=seen,
        resolved=resolved,
        topic_labels=topic_labels,
        weights=weights,
    )
    return FinderResult(
        query, resolved.description, method, target, weights, len(candidates), matches
    )


def _check_method(method: str, embeddings: ProfileEmbeddings | None) -> None:
    if method not in ("tfidf", "embeddings"):
        raise InvalidQueryError(
            Message("method must be tfidf or embeddings"),
            field="method",
        )
    if method == "embeddings" and embeddings is None:
        raise InvalidQueryError(
            Message("the embeddings method needs profile embeddings"),
            field="method",
        )


def _ranked_matches(
    index: PartnerIndex,
    query: PartnerQuery,
    pool: np.ndarray,
    pool_sims: np.ndarray,
    *,
    seen: dict[int, tuple[int, int]],
    resolved: _Resolved,
    topic_labels: Mapping[str, str],
    weights: Weights,
) -> tuple[PartnerMatch, ...]:
    """The best ``query.limit`` of the pool, scored on similarity, activity and network."""
    best = float(pool_sims.max())
    recent = index.recent_counts(years=query.recent_years)
    most_recent = int(recent[pool].max())
    scored = []
    for row, sim in zip(pool.tolist(), pool_sims.tolist(), strict=True):
        distance = seen[row][0] if row in seen else None
        parts = (
            sim / best,
            activity_part(int(recent[row]), most_recent=most_recent),
            network_part(distance),
        )
        score = combine(*parts, distance=distance, weights=weights)
        scored.append((-score, index.keys[row], row, sim, parts, distance))
    scored.sort()
    matches = tuple(
        _match(
            index,
            rank,
            row,
            -neg,
            sim,
            parts,
            distance,
            seen,
            resolved,
            query,
            int(recent[row]),
            topic_labels,
        )
        for rank, (neg, _key, row, sim, parts, distance) in enumerate(scored[: query.limit], 1)
    )
    return matches


def _with_note(result: FinderResult, note: str) -> FinderResult:
    return FinderResult(
        result.query,
        result.description,
        result.method,
        result.searched_region,
        result.weights,
        result.candidates,
        (),
        note,
    )


def _match(
    index: PartnerIndex,
    rank: int,
    row: int,
    score: float,
    sim: float,
    parts: tuple[float, float, float],
    distance: int | None,
    seen: dict[int, tuple[int, int]],
    resolved: _Resolved,
    query: PartnerQuery,
    recent: int,
    labels: Mapping[str, str],
) -> PartnerMatch:
    shared_terms: tuple[str, ...] = ()
    if resolved.vector is not None:
        product = index.matrix[row].multiply(resolved.vector).tocoo()
        top = np.argsort(-product.data)[:6]
        shared_terms = tuple(index.terms[int(product.col[k])] for k in top)
    shared_topics = tuple(labels.get(t, t) for t in index.topics[row] if t in resolved.topics)
    path = tuple(index.names[r] for r in _path(seen, row)) if row in seen else ()
    first, last = index.last_year - query.recent_years + 1, index.last_year
    similarity, share = format(sim, ".2f"), format(parts[0], ".0%")
    reasons = [
        Reason("similarity", Message("similarity %(similarity)s (%(share)s of the best match)",
                                     similarity=similarity, share=share))
    ]  # fmt: skip
    if shared_terms:
        reasons.append(Reason("terms", Message("shared terms: %(terms)s",
                                               terms=", ".join(shared_terms))))  # fmt: skip
    if shared_topics:
        reasons.append(Reason("topics", Message("shared topics: %(topics)s",
                                                topics=", ".join(shared_topics))))  # fmt: skip
    years = f"{first}–{last}"
    active = (
        Message("%(n)s work in %(years)s", n=recent, years=years)
        if recent == 1
        else Message("%(n)s works in %(years)s", n=recent, years=years)
    )
    reasons.append(Reason("activity", active))
    if not resolved.origin:
        reasons.append(Reason("network", Message("no network distance for a text or topic query")))
    elif distance == 1:
        reasons.append(Reason("network", Message("already a co-author (score lowered)")))
    elif distance is not None:
        via: str = path[1]
        for name in path[2:-1]:
            via = Message("%(first)s and %(second)s", first=via, second=name)
        reasons.append(Reason("network", Message(
            "complementary: %(distance)s steps away, reachable via %(via)s",
            distance=distance, via=via)))  # fmt: skip
    else:
        reasons.append(Reason("network", Message(
            "not connected within %(n)s co-author steps", n=MAX_DISTANCE)))  # fmt: skip
    place = ", ".join(p for p in (index.first_institution[row], index.main_country[row]) if p)
    if place:
        reasons.append(Reason("place", place))
    return PartnerMatch(
        rank=rank, key=index.keys[row], name=index.names[row], score=round(score, 4),
        similarity=round(sim, 4), activity=round(parts[1], 4), network=round(parts[2], 4),
        recent_works=recent, distance=distance, path=path, shared_terms=shared_terms,
        shared_topics=shared_topics, institution=index.first_institution[row],
        country_code=index.main_country[row], reasons=tuple(reasons),
    )  # fmt: skip
