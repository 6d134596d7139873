"""Generated demo records say so: in the corpus, on every page, in the report, with no links out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from permed_atlas.demo import write_demo_corpus
from permed_atlas.landscape import (
    SYNTHETIC_SOURCE,
    count_synthetic_works,
    ingest_file,
    load_region_sets,
    load_rules,
    open_corpus,
    tag_corpus,
)
from permed_atlas.landscape.report import build_report
from permed_atlas.landscape.store.search import build_search_index
from permed_atlas.settings import Settings

# Resolvers an invented identifier must never be sent to.
OUTBOUND = re.compile(
    r'href="https?://(?:doi\.org|orcid\.org|openalex\.org|pubmed|www\.ncbi|www\.lens|worldwide\.espacenet)'
)


def _fill(settings: Settings, files: dict[str, Path]) -> None:
    settings.ensure_data_dir()
    with open_corpus(settings.corpus_path) as connection:
        for source, path in files.items():
            ingest_file(path, source=source, corpus=connection)  # type: ignore[arg-type]
        tag_corpus(connection, regions=load_region_sets(settings), rules=load_rules())
        build_search_index(connection)


@pytest.fixture
def demo_files(tmp_path: Path) -> dict[str, Path]:
    return write_demo_corpus(tmp_path / "demo", works=60, patents=10, seed=3)


def test_generated_records_are_stored_as_synthetic(settings: Settings, demo_files) -> None:
    _fill(settings, demo_files)
    with open_corpus(settings.corpus_path) as connection:
        assert count_synthetic_works(connection) == 70
        sources = connection.execute("SELECT DISTINCT sources FROM works").fetchall()
    assert sources == [([SYNTHETIC_SOURCE],)]


def test_real_records_are_not_synthetic(settings: Settings, realdata: Path) -> None:
    _fill(
        settings,
        {"openalex": realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"},
    )
    with open_corpus(settings.corpus_path) as connection:
        assert connection.execute("SELECT count(*) FROM works").fetchone()[0] > 50
        assert count_synthetic_works(connection) == 0


def test_every_page_warns_while_the_corpus_holds_generated_records(
    client, settings: Settings, demo_files
) -> None:
    _fill(settings, demo_files)
    for path in (
        "/",
        "/landscape/search",
        "/landscape/dashboard",
        "/landscape/network",
        "/delphi/",
        "/transfer/",
        "/directory/",
        "/helpdesk/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'data-testid="synthetic-banner"' in page.text, path
        assert "70 generated records" in page.text, path


def test_a_generated_work_links_nowhere(client, settings: Settings, demo_files) -> None:
    _fill(settings, demo_files)
    with open_corpus(settings.corpus_path) as connection:
        with_ids = connection.execute(
            "SELECT w.work_id FROM works w WHERE w.doi IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM contributors c WHERE c.work_id = w.work_id AND c.orcid IS NOT NULL) "
            "ORDER BY w.work_id LIMIT 1"
        ).fetchone()[0]
    page = client.get(f"/landscape/works/{with_ids}")
    assert page.status_code == 200
    assert 'data-testid="synthetic-work"' in page.text
    assert OUTBOUND.search(page.text) is None
    data = client.get(f"/api/v1/landscape/works/{with_ids}").json()
    assert data["synthetic"] is True and data["links"] == []


def test_real_corpus_pages_carry_no_banner_and_keep_their_links(client, web_corpus) -> None:
    page = client.get("/landscape/works/1")
    assert 'data-testid="synthetic-banner"' not in page.text
    assert 'data-testid="synthetic-work"' not in page.text
    assert OUTBOUND.search(page.text) is not None
    assert client.get("/api/v1/landscape/works/1").json()["synthetic"] is False


def test_the_report_warns_about_generated_records(settings: Settings, demo_files, tmp_path) -> None:
    _fill(settings, demo_files)
    with open_corpus(settings.corpus_path) as connection:
        html = build_report(connection, tmp_path / "report.html").path.read_text(encoding="utf-8")
    assert 'id="synthetic-banner"' in html and "70 of the 70 works" in html


def test_the_report_of_real_records_has_no_banner(web_corpus, tmp_path) -> None:
    with open_corpus(web_corpus) as connection:
        html = build_report(connection, tmp_path / "report.html").path.read_text(encoding="utf-8")
    assert 'id="synthetic-banner"' not in html
