"""The search engine: inverted index, BM25, facets, paging, exports, hostile input."""

from __future__ import annotations

import io

import duckdb
import pyarrow.parquet as pq
import pytest

from permed_atlas.errors import InvalidInputError
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.search_query import MAX_PAGE_SIZE, SearchQuery
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.landscape.store.search import (
    build_search_index,
    export_search,
    query_terms,
    search_index_is_current,
    search_works,
)


@pytest.fixture
def indexed(web_corpus):  # type: ignore[no-untyped-def]
    connection = duckdb.connect(str(web_corpus))
    yield connection
    connection.close()


def _ids(result) -> list[int]:  # type: ignore[no-untyped-def]
    return [hit.work_id for hit in result.hits]


def test_query_terms_are_split_and_folded_like_documents(indexed) -> None:
    assert query_terms(indexed, "Therapies for the LUNG-cancers; (studies)") == (
        "therapy",
        "lung",
        "cancer",
        "study",
    )
    assert query_terms(indexed, 'title:"x" AND y* OR NEAR(a b) -- \'; DROP TABLE works') == (
        "title",
        "near",
        "drop",
        "table",
        "work",
    )
    assert query_terms(indexed, "") == ()


def test_all_words_must_match_and_titles_rank_higher(indexed) -> None:
    result = search_works(indexed, SearchQuery(text="lung cancer", page_size=100))
    titles = [h.title.lower() for h in result.hits]
    assert result.total == len(result.hits) > 1
    rows = indexed.execute(
        "SELECT count(*) FROM (SELECT lower(coalesce(title,'') || ' ' || coalesce(abstract,'')) "
        "AS t FROM works) WHERE regexp_matches(t, '\\blung\\b') "
        "AND regexp_matches(t, '\\bcancers?\\b')"
    ).fetchall()
    assert result.total == rows[0][0]
    assert all(
        "lung" in t
        or "lung"
        in (
            indexed.execute(
                "SELECT lower(abstract) FROM works WHERE work_id = ?", [h.work_id]
            ).fetchall()[0][0]
            or ""
        )
        for t, h in zip(titles, result.hits, strict=True)
    )
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert result.terms == ("lung", "cancer")


def test_plural_and_case_do_not_matter(indexed) -> None:
    one = search_works(indexed, SearchQuery(text="Biomarker"))
    many = search_works(indexed, SearchQuery(text="biomarkers"))
    assert one.total == many.total > 0


def test_facets_combine_and_counts_follow_the_query(indexed) -> None:
    everything = search_works(indexed, SearchQuery())
    assert everything.total == 120
    narrowed = search_works(indexed, SearchQuery(regions=("EU27",), countries=("CN",)))
    expected = indexed.execute(
        "SELECT count(*) FROM works "
        "WHERE work_id IN (SELECT work_id FROM work_regions WHERE region='EU27') "
        "AND work_id IN (SELECT work_id FROM work_countries WHERE country_code='CN')"
    ).fetchall()[0][0]
    assert narrowed.total == expected > 0
    country_counts = {f.value: f.count for f in narrowed.facets["country"]}
    assert country_counts["CN"] == narrowed.total
    assert next(f for f in narrowed.facets["country"] if f.value == "CN").selected
    total_eu = {f.value: f.count for f in everything.facets["region"]}["EU27"]
    assert (
        {f.value: f.count for f in narrowed.facets["region"]}["EU27"] == narrowed.total < total_eu
    )
    # The EU–China flag agrees with the region combination here.
    flagged = search_works(indexed, SearchQuery(regions=("EU27",), countries=("CN",), eu_cn=True))
    assert flagged.total == narrowed.total


def test_values_within_one_facet_widen(indexed) -> None:
    de = search_works(indexed, SearchQuery(countries=("DE",))).total
    fr = search_works(indexed, SearchQuery(countries=("FR",))).total
    both = search_works(indexed, SearchQuery(countries=("DE", "FR"))).total
    assert max(de, fr) <= both <= de + fr


def test_year_kind_and_flags_filter(indexed) -> None:
    result = search_works(
        indexed, SearchQuery(year_from=2010, year_to=2012, kind="patent", page_size=100)
    )
    assert result.hits and all(h.kind == "patent" and 2010 <= h.year <= 2012 for h in result.hits)
    pm = search_works(indexed, SearchQuery(pm_relevant=True))
    not_pm = search_works(indexed, SearchQuery(pm_relevant=False))
    assert pm.total + not_pm.total == 120
    kinds = {f.value: f.count for f in search_works(indexed, SearchQuery()).facets["kind"]}
    assert kinds == {"publication": 108, "patent": 12}


def test_sorting_and_paging(indexed) -> None:
    by_year = search_works(indexed, SearchQuery(sort="year", page_size=50))
    years = [h.year for h in by_year.hits]
    assert years == sorted(years, reverse=True)
    oldest = search_works(indexed, SearchQuery(sort="year_asc", page_size=10))
    assert [h.year for h in oldest.hits] == sorted(h.year for h in oldest.hits)
    cited = search_works(indexed, SearchQuery(sort="citations", page_size=30))
    counts = [h.cited_by_count for h in cited.hits]
    assert counts == sorted(counts, reverse=True)
    pages = [
        search_works(indexed, SearchQuery(sort="citations", page=p, page_size=25))
        for p in (1, 2, 3, 4, 5)
    ]
    seen = [i for page in pages for i in _ids(page)]
    assert len(seen) == len(set(seen)) == 120 and pages[0].pages == 5
    assert search_works(indexed, SearchQuery(page=6, page_size=25)).hits == ()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (SearchQuery(page_size=MAX_PAGE_SIZE + 1), "page_size"),
        (SearchQuery(page_size=0), "page_size"),
        (SearchQuery(page=0), "page"),
        (SearchQuery(page=1000, page_size=100), "page"),
        (SearchQuery(sort="title; DROP TABLE works"), "sort"),
        (SearchQuery(kind="book"), "kind"),
        (SearchQuery(year_from=2020, year_to=2010), "year_from"),
        (SearchQuery(year_from=99999), "year_from"),
        (SearchQuery(countries=("Germany",)), "country"),
        (SearchQuery(countries=("ZZ",)), "country"),
        (SearchQuery(regions=("ATLANTIS",)), "region"),
        (SearchQuery(topics=("' OR 1=1 --",)), "topic"),
        (SearchQuery(institutions=("../../etc/passwd",)), "institution"),
        (SearchQuery(text="x" * 501), "q"),
        (SearchQuery(text="the of and *** ()"), "q"),
        (SearchQuery(text="a\x00b"), "q"),
        (SearchQuery(regions=tuple(f"R{i}" for i in range(51))), "region"),
    ],
)
def test_hostile_or_invalid_queries_name_the_field(indexed, query, field) -> None:
    with pytest.raises(InvalidInputError) as info:
        search_works(indexed, query)
    assert info.value.field == field
    assert indexed.execute("SELECT count(*) FROM works").fetchall()[0][0] == 120


def test_sql_and_fts_syntax_is_just_words(indexed) -> None:
    result = search_works(indexed, SearchQuery(text="lung' OR '1'='1"))
    assert result.total == search_works(indexed, SearchQuery(text="lung 1")).total
    # Operators of FTS dialects are stop words or punctuation here, never syntax.
    assert search_works(indexed, SearchQuery(text='"lung" AND NOT cancer*')).total == (
        search_works(indexed, SearchQuery(text="lung cancer")).total
    )


def test_export_csv_and_parquet_hold_the_whole_result(indexed) -> None:
    query = SearchQuery(text="cancer", countries=("CN",), page_size=5)
    total = search_works(indexed, query).total
    csv_bytes, rows, matched = export_search(indexed, query, format="csv")
    lines = csv_bytes.decode().strip().splitlines()
    assert rows == matched == total == len(lines) - 1
    assert lines[0].startswith('"work_id","kind","title"')
    assert all("CN" in line for line in lines[1:])
    parquet, rows, _ = export_search(indexed, query, format="parquet")
    table = pq.read_table(io.BytesIO(parquet))
    assert table.num_rows == total and "CN" in table.column("countries").to_pylist()[0]
    _, rows, matched = export_search(indexed, SearchQuery(), format="csv", limit=7)
    assert (rows, matched) == (7, 120)
    with pytest.raises(InvalidInputError):
        export_search(indexed, query, format="xlsx")


def test_index_is_rebuilt_only_when_the_corpus_changed(tmp_path) -> None:
    connection = open_corpus(tmp_path / "c.duckdb")
    assert not search_index_is_current(connection)
    with pytest.raises(LandscapeError, match="no search index"):
        search_works(connection, SearchQuery())
    assert build_search_index(connection) == 0
    assert search_index_is_current(connection)
    assert search_works(connection, SearchQuery()).total == 0
    connection.execute(
        "INSERT INTO works (work_id, kind, sources, title, abstract, year) VALUES "
        "(1, 'publication', ['openalex'], 'Pharmacogenomics in China', 'Warfarin dosing.', 2020)"
    )
    assert not search_index_is_current(connection)
    assert build_search_index(connection) == 1
    assert build_search_index(connection) == 1  # idempotent
    assert _ids(search_works(connection, SearchQuery(text="warfarin"))) == [1]
    connection.close()


def test_python_and_sql_tokenisers_agree_on_ascii_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from permed_atlas.landscape.store._search_sql import STOPWORDS, ascii_terms, query_terms_sql

    connection = duckdb.connect()
    alphabet = st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_'\";:*()s")
    )
    words = st.sampled_from(
        [
            "therapies",
            "class",
            "virus",
            "analysis",
            "genes",
            "ies",
            "bias",
            "the",
            "AND",
            "x",
            "studies",
            "BRCA1",
            "as",
        ]
    )

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(st.lists(st.one_of(st.text(alphabet, max_size=12), words), max_size=8))
    def agree(parts: list[str]) -> None:
        text = " ".join(parts)
        sql = tuple(
            row[0]
            for row in connection.execute(
                query_terms_sql(), {"text": text, "stop": list(STOPWORDS)}
            ).fetchall()
        )
        assert ascii_terms(text) == sql, text

    agree()
    connection.close()


def test_non_ascii_text_is_split_by_duckdb_like_the_documents(indexed) -> None:
    assert query_terms(indexed, "Präzisionsmedizin, Krebs-Therapien; 精准医学") == (
        "präzisionsmedizin",
        "kreb",
        "therapien",
        "精准",  # Chinese is cut into words with jieba before DuckDB splits it (#18)
        "医学",
    )


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(regions=("EU27",), topics=("oncology",)),
        SearchQuery(text="cancer", countries=("CN", "DE"), pm_relevant=True),
        SearchQuery(regions=("CN",), institutions=("Peking University",), kind="publication"),
        SearchQuery(year_from=2005, year_to=2015, eu_cn=True, sort="citations"),
    ],
)
def test_bit_masks_and_facet_table_agree(indexed, monkeypatch, query) -> None:
    import permed_atlas.landscape.store.search as search_module

    with_masks = search_works(indexed, query)
    monkeypatch.setattr(search_module, "_load_bits", lambda connection: {})
    without = search_works(indexed, query)
    assert with_masks.total == without.total
    assert with_masks.hits == without.hits
    assert with_masks.facets == without.facets


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(regions=("EU27",), topics=("oncology",)),
        SearchQuery(text="cancer", countries=("CN", "DE"), pm_relevant=True),
        SearchQuery(year_from=2005, year_to=2015, eu_cn=True, sort="citations"),
    ],
)
def test_facet_counts_are_those_of_the_tag_tables_over_the_result(indexed, query) -> None:
    # The counts come from the facet value ids each work carries: they must be what
    # counting the matched works in the tag tables themselves gives.
    from permed_atlas.landscape.store._search_sql import FACET_LIMITS

    result = search_works(indexed, query)
    exported, _, total = export_search(indexed, query, format="parquet")
    assert total == result.total > 0
    matched = pq.read_table(io.BytesIO(exported)).select(["work_id"])
    indexed.register("_matched", matched)
    try:
        rows = indexed.execute(
            """
            SELECT dim, value, count(*) FROM (
                SELECT 'region' AS dim, region AS value, work_id FROM work_regions
                UNION SELECT 'country', country_code, work_id FROM work_countries
                UNION SELECT 'topic', topic, work_id FROM work_topics WHERE topic <> 'pm'
                UNION SELECT 'institution', institution_name, work_id FROM affiliations
                      WHERE institution_name <> ''
            ) JOIN _matched USING (work_id) GROUP BY dim, value
            """
        ).fetchall()
    finally:
        indexed.unregister("_matched")
    for dim, limit in FACET_LIMITS.items():
        expected = sorted(((v, n) for d, v, n in rows if d == dim), key=lambda x: (-x[1], x[0]))
        got = [(f.value, f.count) for f in result.facets.get(dim, ())]
        assert got == expected[:limit], dim
