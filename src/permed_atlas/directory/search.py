"""Ranked text search over directory entries: a small BM25 in Python.

A few hundred entries fit in memory, so the index is rebuilt per query from
the entries the store hands in; no search engine, no DuckDB extension.
Names and acronyms weigh three times a summary word, keywords twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from permed_atlas.directory._text import surface_forms, tokenize
from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.models import GLOBAL_REGION, KINDS, DirectoryEntry, SearchHit

K1 = 1.2
B = 0.75
NAME_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.0


@dataclass(frozen=True)
class Bm25Index:
    """Weighted term frequencies per document, document frequencies and lengths."""

    ids: tuple[str, ...]
    tfs: tuple[Mapping[str, float], ...]
    lengths: tuple[float, ...]
    df: Mapping[str, int]

    @property
    def average_length(self) -> float:
        return sum(self.lengths) / len(self.lengths) if self.lengths else 0.0

    def idf(self, term: str) -> float:
        n = len(self.ids)
        df = self.df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def entry_fields(entry: DirectoryEntry, *, with_name: bool = True) -> list[tuple[str, float]]:
    """The texts of an entry that search reads, with their weights.

    :param entry: the entry.
    :param with_name: include the name and acronym (the funding match leaves out nothing).
    """
    fields = [(entry.summary, SUMMARY_WEIGHT), (" ".join(entry.keywords), KEYWORD_WEIGHT)]
    if with_name:
        fields.append((f"{entry.name} {entry.acronym or ''} {entry.id}", NAME_WEIGHT))
    return fields


def build_index(documents: Sequence[tuple[str, Iterable[tuple[str, float]]]]) -> Bm25Index:
    """Index ``(id, [(text, weight), ...])`` documents.

    :param documents: each document's id and its weighted texts.
    """
    ids, tfs, lengths = [], [], []
    df: Counter[str] = Counter()
    for doc_id, fields in documents:
        tf: dict[str, float] = {}
        for text, weight in fields:
            for token in tokenize(text):
                tf[token] = tf.get(token, 0.0) + weight
        ids.append(doc_id)
        tfs.append(tf)
        lengths.append(sum(tf.values()))
        df.update(tf.keys())
    return Bm25Index(ids=tuple(ids), tfs=tuple(tfs), lengths=tuple(lengths), df=dict(df))


def score_documents(index: Bm25Index, query: str) -> list[tuple[str, float, tuple[str, ...]]]:
    """BM25 score of every document containing a query term, best first.

    Each result carries the query's words it matched, strongest contribution first,
    in the form the query wrote them. Ties go to the id, so results are stable.

    :param index: from :func:`build_index`.
    :param query: free text.
    """
    forms = surface_forms(query)
    query_tf = Counter(tokenize(query))
    average = index.average_length or 1.0
    results = []
    for doc_id, tf, length in zip(index.ids, index.tfs, index.lengths, strict=True):
        contributions = []
        for term, count in query_tf.items():
            frequency = tf.get(term)
            if not frequency:
                continue
            saturation = frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length / average))
            # A long description repeats its main words; count them, but sub-linearly.
            contributions.append((index.idf(term) * saturation * (1 + math.log(count)), term))
        if contributions:
            contributions.sort(key=lambda pair: (-pair[0], pair[1]))
            matched = tuple(forms.get(term, term) for _, term in contributions)
            results.append((doc_id, sum(c for c, _ in contributions), matched))
    results.sort(key=lambda item: (-item[1], item[0]))
    return results


def expand_regions(
    codes: Iterable[str], region_countries: Mapping[str, frozenset[str]]
) -> frozenset[str] | None:
    """The countries named by region-set codes and ISO codes; None means every country.

    :param codes: region-set codes ("EU27"), country codes ("DE") or "GLOBAL".
    :param region_countries: each known region set's countries.
    """
    countries: set[str] = set()
    for code in codes:
        key = code.strip().upper()
        if key == GLOBAL_REGION:
            return None
        if key in region_countries:
            countries |= region_countries[key]
        elif len(key) == 2 and key.isalpha():
            countries.add(key)
        else:
            known = ", ".join(sorted([*region_countries, GLOBAL_REGION]))
            raise InvalidEntryError(
                f"unknown region {code!r}: use a country code (DE) or one of {known}",
                field="region",
            )
    return frozenset(countries)


def covers(entry_countries: frozenset[str] | None, wanted: frozenset[str] | None) -> bool:
    """Whether an entry's countries overlap the wanted ones (None: every country)."""
    if entry_countries is None or wanted is None:
        return True
    return bool(entry_countries & wanted)


def check_kinds(kinds: Iterable[str] | None) -> tuple[str, ...] | None:
    """The kinds to keep, refusing an unknown one.

    :param kinds: kind names, or None for all.
    """
    if kinds is None:
        return None
    chosen = tuple(k.strip().lower() for k in kinds if k and k.strip())
    for kind in chosen:
        if kind not in KINDS:
            raise InvalidEntryError(
                f"unknown kind {kind!r}: use one of {', '.join(KINDS)}", field="kind"
            )
    return chosen or None


def search_entries(
    entries: Sequence[DirectoryEntry],
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    regions: Iterable[str] = (),
    region_countries: Mapping[str, frozenset[str]],
    limit: int | None = None,
) -> list[SearchHit]:
    """Entries matching ``query`` ranked by BM25, filtered by kind and region.

    An empty query lists every entry that passes the filters, by kind then name.

    :param entries: every entry.
    :param query: free text over name, acronym, summary and keywords.
    :param kinds: keep only these kinds.
    :param regions: keep entries covering at least one of these regions' countries.
    :param region_countries: each known region set's countries.
    :param limit: at most this many hits.
    """
    wanted_kinds = check_kinds(kinds)
    region_list = [r for r in regions if r and r.strip()]
    wanted = expand_regions(region_list, region_countries) if region_list else None
    kept = [
        e
        for e in entries
        if (wanted_kinds is None or e.kind in wanted_kinds)
        and covers(expand_regions(e.regions, region_countries), wanted)
    ]
    if not query.strip():
        order = {kind: i for i, kind in enumerate(KINDS)}
        kept.sort(key=lambda e: (order[e.kind], e.name.lower()))
        hits = [SearchHit(entry=e, score=0.0, matched_terms=()) for e in kept]
        return hits[:limit] if limit else hits
    if not tokenize(query):
        raise InvalidEntryError(
            f"the query {query!r} has only stop words: add a word that means something",
            field="q",
        )
    by_id = {e.id: e for e in kept}
    index = build_index([(e.id, entry_fields(e)) for e in kept])
    hits = [
        SearchHit(entry=by_id[doc_id], score=round(score, 4), matched_terms=matched)
        for doc_id, score, matched in score_documents(index, query)
    ]
    return hits[:limit] if limit else hits
