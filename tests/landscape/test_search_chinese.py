"""The landscape search finds works by the words of their Chinese titles (#18).

A PubMed record of a Chinese-language journal (English ArticleTitle, Chinese
VernacularTitle) and an OpenAlex record whose title is Chinese, both in their sources'
real formats, go through the real parsers, the corpus store and the index build.
"""

from __future__ import annotations

from pathlib import Path

from permed_atlas.landscape.ingest import parse_openalex, parse_pubmed
from permed_atlas.landscape.models import Work
from permed_atlas.landscape.search_query import SearchQuery
from permed_atlas.landscape.store.corpus import open_corpus, store_works
from permed_atlas.landscape.store.search import build_search_index, query_terms, search_works

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def _works() -> list[Work]:
    parsed = [*parse_pubmed(FIXTURES / "pubmed_vernacular_zh.xml"),
              *parse_openalex(FIXTURES / "openalex_title_zh.jsonl")]  # fmt: skip
    assert all(isinstance(work, Work) for work in parsed), parsed
    return [work for work in parsed if isinstance(work, Work)]


def test_pubmed_keeps_the_english_title_and_the_vernacular_one() -> None:
    pubmed = next(work for work in _works() if work.source == "pubmed")
    assert pubmed.title is not None and pubmed.title.startswith("[Pharmacogenomics-guided")
    assert pubmed.language in {"zh", "chi"}
    vernacular = [t.term for t in pubmed.terms if t.scheme == "vernacular_title"]
    assert vernacular == ["药物基因组学指导华法林剂量的精准医学多中心研究"]


def test_chinese_title_words_find_the_works(tmp_path: Path) -> None:
    connection = open_corpus(tmp_path / "c.duckdb")
    store_works(connection, works=_works())
    assert build_search_index(connection) == 2
    rows = connection.execute("SELECT work_id, sources FROM works ORDER BY work_id").fetchall()
    by_source = {sources[0]: work_id for work_id, sources in rows}

    def found(text: str) -> set[int]:
        return {hit.work_id for hit in search_works(connection, SearchQuery(text=text)).hits}

    # 精准医学 is inside both titles; jieba cuts the titles so the word stands alone.
    assert found("精准医学") == {by_source["pubmed"], by_source["openalex"]}
    assert found("华法林") == {by_source["pubmed"]}  # only in PubMed's VernacularTitle
    assert found("药物基因组学") == {by_source["pubmed"]}
    assert found("研究进展") == {by_source["openalex"]}
    assert found("医学 warfarin") == {by_source["pubmed"]}  # mixed-language query
    assert found("warfarin") == {by_source["pubmed"]}  # the English title still counts
    assert found("心血管") == set()
    connection.close()


def test_query_terms_cut_chinese_like_the_index(tmp_path: Path) -> None:
    connection = open_corpus(tmp_path / "c.duckdb")
    # Cut into words (not one 6-character term), in the order they come.
    assert query_terms(connection, "精准医学研究") == ("精准", "医学", "研究")
    connection.close()
