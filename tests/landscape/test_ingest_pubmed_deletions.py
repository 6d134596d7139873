"""PubMed update files end with ``<DeleteCitation>``: the withdrawn PMIDs leave the corpus."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.ingest import ingest_file, parse_pubmed
from permed_atlas.landscape.models import Deletion, Work
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.settings import Settings, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


def _sample(realdata: Path) -> bytes:
    return gzip.decompress((realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz").read_bytes())


def _update_file(realdata: Path, folder: Path, *, keep: int, delete: list[str]) -> Path:
    """An update file as NLM writes them: the real header, ``keep`` real articles, then the
    DeleteCitation block, then the closing root tag."""
    text = _sample(realdata)
    head_end = text.index(b"<PubmedArticle>")
    articles = re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", text, re.S)[-keep:]
    block = (
        b"<DeleteCitation>\n"
        + b"".join(b'    <PMID Version="1">' + pmid.encode() + b"</PMID>\n" for pmid in delete)
        + b"</DeleteCitation>\n"
    )
    path = folder / "pubmed21n1299.xml.gz"
    path.write_bytes(
        gzip.compress(
            text[:head_end] + b"\n".join(articles) + b"\n" + block + b"</PubmedArticleSet>\n"
        )
    )
    return path


def _pmids(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("SELECT id_value FROM work_ids WHERE id_type = 'pmid'").fetchall()
    return {row[0] for row in rows}


def test_the_delete_citation_block_is_read(realdata: Path, tmp_path: Path) -> None:
    update = _update_file(realdata, tmp_path, keep=2, delete=["25897341", "99999999"])
    records = list(parse_pubmed(update))
    assert [type(r) for r in records] == [Work, Work, Deletion]
    assert records[-1] == Deletion(source="pubmed", id_type="pmid", ids=("25897341", "99999999"))


def test_deleted_pmids_leave_the_corpus_with_every_row_about_them(
    corpus: duckdb.DuckDBPyConnection, realdata: Path, tmp_path: Path
) -> None:
    baseline = ingest_file(
        realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz", source="pubmed", corpus=corpus
    )
    assert baseline.stored == 500
    before = _pmids(corpus)
    withdrawn = sorted(before)[:3]
    update = _update_file(realdata, tmp_path, keep=2, delete=[*withdrawn, "99999999"])
    summary = ingest_file(update, source="pubmed", corpus=corpus)
    assert summary.deleted == 3  # the unknown PMID withdraws nothing
    assert summary.line() == "read 2, stored 0, duplicates 2, rejected 0, deleted 3"
    assert _pmids(corpus) == before - set(withdrawn)
    for table in ("works", "contributors", "affiliations", "terms", "work_ids"):
        left = corpus.execute(
            f"SELECT count(*) FROM {table} WHERE work_id NOT IN (SELECT work_id FROM works)"
        ).fetchall()[0][0]
        assert left == 0, table
    assert corpus.execute("SELECT count(*) FROM works").fetchall()[0][0] == 497


def test_a_work_other_sources_hold_only_loses_pubmed(
    corpus: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    ingest_file(FIXTURES / "pair_openalex.jsonl", source="openalex", corpus=corpus)
    ingest_file(FIXTURES / "pair_pubmed.xml", source="pubmed", corpus=corpus)
    (sources,) = corpus.execute("SELECT sources FROM works WHERE pmid = '91000001'").fetchone()
    assert sorted(sources) == ["openalex", "pubmed"]
    update = tmp_path / "update.xml"
    update.write_text(
        '<?xml version="1.0"?>\n<PubmedArticleSet>\n<DeleteCitation>\n'
        '<PMID Version="1">91000001</PMID>\n</DeleteCitation>\n</PubmedArticleSet>\n'
    )
    summary = ingest_file(update, source="pubmed", corpus=corpus)
    assert summary.deleted == 1
    rows = corpus.execute("SELECT sources, title FROM works WHERE pmid = '91000001'").fetchall()
    assert len(rows) == 1 and rows[0][0] == ["openalex"] and rows[0][1]


def test_the_cli_says_deleted_and_the_tags_follow(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, realdata: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        sample = realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"
        assert runner.invoke(app, ["ingest", "pubmed", str(sample)]).exit_code == 0
        with open_corpus(settings.corpus_path, read_only=True) as connection:
            china = connection.execute(
                "SELECT min(p.id_value) FROM work_countries c JOIN work_ids p USING (work_id) "
                "WHERE c.country_code = 'CN' AND p.id_type = 'pmid'"
            ).fetchall()[0][0]
            cells_before = connection.execute("SELECT sum(works) FROM agg_cells").fetchall()
        update = _update_file(realdata, tmp_path, keep=1, delete=[china])
        result = runner.invoke(app, ["ingest", "pubmed", str(update)])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().splitlines()[-1].endswith(", deleted 1")
        with open_corpus(settings.corpus_path, read_only=True) as connection:
            assert china not in _pmids(connection)
            assert connection.execute("SELECT count(*) FROM work_flags").fetchall() == [(499,)]
            cells_after = connection.execute("SELECT sum(works) FROM agg_cells").fetchall()
        assert cells_after != cells_before  # the aggregates were rebuilt without it
    finally:
        get_settings.cache_clear()
