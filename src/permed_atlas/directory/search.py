"""Ranked text search over directory entries: BM25 from :mod:`permed_atlas.textsearch`.

A few hundred entries fit in memory, so the index is rebuilt per query from
the entries the store hands in; no search engine, no DuckDB extension.
Names and acronyms weigh three times a summary word, keywords twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.models import GLOBAL_REGION, KINDS, DirectoryEntry, SearchHit
from permed_atlas.i18n import Message, not_one_of, require_one_of
from permed_atlas.textsearch import Bm25Index, has_terms, stop_words_with

NAME_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.0
STOP_WORDS = stop_words_with("use used using new one two three within across among per")
"""The shared stop words plus words that say nothing in entry summaries."""


def entry_fields(entry: DirectoryEntry, *, with_name: bool = True) -> list[tuple[str, float]]:
    """The texts of an entry that search reads, with their weights.

    :param entry: the entry.
    :param with_name: include the name and acronym (the funding match leaves out nothing).
    """
    fields = [(entry.summary, SUMMARY_WEIGHT), (" ".join(entry.keywords), KEYWORD_WEIGHT)]
    if entry.summary_zh:
        fields.append((entry.summary_zh, SUMMARY_WEIGHT))
    if with_name:
        fields.append((f"{entry.name} {entry.acronym or ''} {entry.id}", NAME_WEIGHT))
        if entry.name_zh:
            fields.append((entry.name_zh, NAME_WEIGHT))
    return fields


def has_query_terms(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> bool:
    """Whether ``text`` holds a word the directory's search does not drop.

    :param text: a query or project description.
    :param stop_words: the words dropped.
    """
    return has_terms(text, stop_words=stop_words)


def score_entries(
    entries: Sequence[DirectoryEntry], query: str, *, stop_words: frozenset[str] = STOP_WORDS
) -> list[tuple[DirectoryEntry, float, tuple[str, ...]]]:
    """BM25 score of every entry holding a query word, best first, ties by id.

    Each result carries the query's words it matched, strongest contribution first,
    in the form the query wrote them.

    :param entries: the entries to rank.
    :param query: free text.
    :param stop_words: the words dropped from entries and query.
    """
    ordered = sorted(entries, key=lambda e: e.id)  # the index breaks ties by position
    index = Bm25Index([entry_fields(e) for e in ordered], stop_words=stop_words)
    return [(ordered[hit.index], hit.score, hit.matched) for hit in index.search(query)]


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
            raise InvalidEntryError(
                not_one_of(
                    "unknown region %(value)s: use a country code (DE) or one of %(options)s",
                    value=code,
                    options=sorted([*region_countries, GLOBAL_REGION]),
                ),
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
        require_one_of(
            "unknown kind %(value)s: use one of %(options)s",
            value=kind,
            options=KINDS,
            error=partial(InvalidEntryError, field="kind"),
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
    if not has_query_terms(query):
        raise InvalidEntryError(
            Message(
                "the query %(query)s has only stop words: add a word that means something",
                query=repr(query),
            ),
            field="q",
        )
    hits = [
        SearchHit(entry=entry, score=round(score, 4), matched_terms=matched)
        for entry, score, matched in score_entries(kept, query)
    ]
    return hits[:limit] if limit else hits
