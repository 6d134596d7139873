"""``fetch_openalex_pages`` against the loopback OpenAlex: paging, faults, resume, --since."""

from __future__ import annotations

import gzip
import json
import logging
import time
from datetime import date
from pathlib import Path

import pytest

from permed_atlas.errors import InvalidInputError
from permed_atlas.landscape import open_corpus, run_ingest
from permed_atlas.settings import Settings
from permed_atlas.sources import FetchError, FetchStateError, OpenAlexQuery, fetch_openalex_pages
from permed_atlas.sources._files import folder_lock

from .conftest import OPENALEX_KEY
from .fake_apis import FakeApis

EVERYTHING = OpenAlexQuery("publication_year:1900-2100")
RECENT = OpenAlexQuery("publication_year:2010-2025")  # 49 of the works: quick tests


def _recent(fake: FakeApis) -> list[str]:
    return [work["id"] for work in fake.works if 2010 <= work["publication_year"] <= 2025]


def _ids_in(files: tuple[Path, ...]) -> list[str]:
    return [
        work["id"]
        for file in files
        for work in json.loads(gzip.decompress(file.read_bytes()))["results"]
    ]


def test_every_page_is_written_then_ingested(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    summary = fetch_openalex_pages(EVERYTHING, settings=fetch_settings, per_page=50)

    works = len(fake_apis.works)  # 302 real works: 7 pages of 50 at most
    assert [file.name for file in summary.files] == [f"page-{n:06d}.json.gz" for n in range(1, 8)]
    assert _ids_in(summary.files) == [work["id"] for work in fake_apis.works]
    assert (summary.records, summary.total, summary.resumed) == (works, works, False)
    # Cursor paging: "*" first, then each page's next_cursor, ending on the empty page.
    cursors = [params["cursor"] for params in fake_apis.log("/works")]
    assert cursors[0] == "*" and len(set(cursors)) == 8
    assert all(params["per-page"] == "50" for params in fake_apis.log("/works"))

    run_ingest(list(summary.files), source="openalex", settings=fetch_settings, tag=False)
    with open_corpus(fetch_settings.corpus_path, read_only=True) as corpus:
        stored = corpus.execute("SELECT openalex_id FROM works ORDER BY 1").fetchall()
    assert [row[0] for row in stored] == sorted(i.rsplit("/", 1)[1] for i in _ids_in(summary.files))


def test_key_and_polite_pool_email_are_sent_and_the_key_is_not_logged(
    fetch_settings: Settings, fake_apis: FakeApis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # as an application that turns logging on
    fake_apis.plan("/works", "503")
    fetch_openalex_pages(RECENT, settings=fetch_settings)
    assert "HTTP Request: GET" in caplog.text and "api_key=***" in caplog.text
    assert OPENALEX_KEY not in caplog.text
    for params in fake_apis.log("/works"):
        assert params["api_key"] == OPENALEX_KEY
        assert params["mailto"] == "analyst@example.org"


def test_429_5xx_dropped_and_truncated_pages_are_asked_again(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    fake_apis.plan("/works", "", "429:0", "500", "", "drop", "truncate", "", "503")
    told: list[str] = []

    summary = fetch_openalex_pages(
        RECENT, settings=fetch_settings, per_page=10, on_retry=told.append
    )

    assert _ids_in(summary.files) == _recent(fake_apis)
    assert len(fake_apis.log("/works")) == 5 + 1 + 5
    assert [message.split(": ", 1)[1].split(";")[0].split(":")[0] for message in told] == [
        "HTTP 429",
        "HTTP 500",
        "RemoteProtocolError",
        "incomplete response (not JSON",
        "HTTP 503",
    ]


def test_retry_after_is_honoured(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    fake_apis.plan("/works", "429:1")
    started = time.monotonic()
    fetch_openalex_pages(RECENT, settings=fetch_settings)
    assert time.monotonic() - started >= 1.0  # the backoff alone would wait ~0.01 s


def test_a_refused_request_is_not_retried(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    with pytest.raises(FetchError, match="HTTP 400") as raised:
        fetch_openalex_pages(OpenAlexQuery("no_such_field:1"), settings=fetch_settings)
    assert raised.value.status == 400
    assert len(fake_apis.log("/works")) == 1


def test_after_giving_up_the_next_run_resumes_from_the_saved_cursor(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    fake_apis.plan("/works", "", "", *["503"] * 5)  # max_retries is 4: the third page fails
    with pytest.raises(FetchError, match="gave up after 4 retries"):
        fetch_openalex_pages(RECENT, settings=fetch_settings, per_page=10)
    saved_cursor = fake_apis.log("/works")[-1]["cursor"]
    before = len(fake_apis.log("/works"))

    summary = fetch_openalex_pages(RECENT, settings=fetch_settings, per_page=10)

    assert summary.resumed
    assert fake_apis.log("/works")[before]["cursor"] == saved_cursor != "*"
    assert _ids_in(summary.files) == _recent(fake_apis)
    assert summary.records == len(_recent(fake_apis))


def test_since_becomes_from_updated_date(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    query = OpenAlexQuery("publication_year:1900-2100", since=date(2026, 1, 1))
    summary = fetch_openalex_pages(query, settings=fetch_settings)

    sent = fake_apis.log("/works")[0]["filter"]
    assert sent == "publication_year:1900-2100,from_updated_date:2026-01-01"
    newer = [w["id"] for w in fake_apis.works if w["updated_date"][:10] >= "2026-01-01"]
    assert 0 < len(newer) < len(fake_apis.works)
    assert _ids_in(summary.files) == newer


def test_restart_forgets_the_earlier_pages(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    first = fetch_openalex_pages(RECENT, settings=fetch_settings, per_page=10)
    again = fetch_openalex_pages(RECENT, settings=fetch_settings, per_page=20, restart=True)
    assert first.folder == again.folder and not again.resumed
    assert sorted(path.name for path in again.folder.iterdir()) == [
        ".lock",
        ".state.json",
        "page-000001.json.gz",
        "page-000002.json.gz",
        "page-000003.json.gz",
    ]


@pytest.mark.parametrize("bad", ["publication_year", "a:1,,b:2", ":2020"])
def test_a_filter_that_is_not_key_value_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="not key:value"):
        OpenAlexQuery(bad)


def test_a_second_run_of_the_same_query_is_refused_while_one_runs(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    running = pytest.raises(FetchStateError, match="another fetch of this query is running")
    with folder_lock(RECENT.folder_in(fetch_settings)), running:  # as a running fetch holds it
        fetch_openalex_pages(RECENT, settings=fetch_settings)
    assert fake_apis.log("/works") == []
    assert fetch_openalex_pages(RECENT, settings=fetch_settings).records == len(_recent(fake_apis))


def test_a_work_whose_authors_the_list_cut_at_100_is_fetched_whole(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    # A consortium paper: the real authorships of the sample's works, 160 in all. A list page
    # shows its first 100; the countries of the others were lost without a word.
    people = [a for work in fake_apis.works for a in work["authorships"] if a["institutions"]]
    consortium = {
        **fake_apis.works[0],
        "id": "https://openalex.org/W9000000001",
        "doi": None,
        "ids": {"openalex": "https://openalex.org/W9000000001"},
        "publication_year": 2024,
        "authorships": people[:160],
    }
    fake_apis.works = [consortium, *fake_apis.works]
    query = OpenAlexQuery("publication_year:2024")
    summary = fetch_openalex_pages(query, settings=fetch_settings)
    assert [params["api_key"] for params in fake_apis.log("/works/W9000000001")] == [OPENALEX_KEY]
    [listed] = [
        work
        for file in summary.files
        for work in json.loads(gzip.decompress(file.read_bytes()))["results"]
        if work["id"] == consortium["id"]
    ]
    assert len(listed["authorships"]) == 160 and "is_authors_truncated" not in listed

    run_ingest(list(summary.files), source="openalex", settings=fetch_settings, tag=False)
    with open_corpus(fetch_settings.corpus_path, read_only=True) as corpus:
        [(authors, countries)] = corpus.execute(
            "SELECT count(DISTINCT c.position), count(DISTINCT a.country_code) "
            "FROM works w JOIN contributors c USING (work_id) "
            "LEFT JOIN affiliations a USING (work_id, position) "
            "WHERE w.openalex_id = 'W9000000001'"
        ).fetchall()
    expected = {i["country_code"] for a in people[:160] for i in a["institutions"]} - {None}
    assert (authors, countries) == (160, len(expected))
    later = {i["country_code"] for a in people[100:160] for i in a["institutions"]} - {None}
    assert later - {i["country_code"] for a in people[:100] for i in a["institutions"]}
