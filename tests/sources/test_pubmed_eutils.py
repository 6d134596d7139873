"""``fetch_pubmed_batches`` against the loopback E-utilities: history, batches, faults, expiry."""

from __future__ import annotations

import gzip
import re
import time
from datetime import date
from pathlib import Path

import pytest

from permed_atlas.landscape import open_corpus, run_ingest
from permed_atlas.settings import Settings
from permed_atlas.sources import FetchError, PubMedQuery, fetch_pubmed_batches, pubmed_eutils

from .conftest import NCBI_KEY
from .fake_apis import FakeApis

_PMID = re.compile(rb'<PMID Version="\d+">(\d+)</PMID>')
CHINA = PubMedQuery("china")


def _pmids(articles: list[bytes]) -> list[str]:
    return [match.group(1).decode() for article in articles if (match := _PMID.search(article))]


def _matching(fake: FakeApis, term: str) -> list[bytes]:
    return [article for article in fake.articles if term.encode() in article.lower()]


def _pmids_in(files: tuple[Path, ...]) -> list[str]:
    return [
        m.group(1).decode()
        for f in files
        for m in re.finditer(
            rb"<PubmedArticle>\s*<MedlineCitation[^>]*>\s*<PMID Version=\"\d+\">(\d+)</PMID>",
            gzip.decompress(f.read_bytes()),
        )
    ]


def test_search_on_the_history_server_then_batches_then_ingest(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    expected = _matching(fake_apis, "china")
    assert len(expected) > 150  # the sample holds 180 articles with a Chinese affiliation

    summary = fetch_pubmed_batches(CHINA, settings=fetch_settings, batch_size=60)

    [search] = fake_apis.log("/esearch.fcgi")
    assert (search["usehistory"], search["retmax"], search["db"]) == ("y", "0", "pubmed")
    fetches = fake_apis.log("/efetch.fcgi")
    assert [f["retstart"] for f in fetches] == [str(n) for n in range(0, len(expected), 60)]
    assert {f["WebEnv"] for f in fetches} == {search_webenv(fake_apis)}
    assert summary.records == summary.total == len(expected)
    assert _pmids_in(summary.files) == _pmids(expected)

    run_ingest(list(summary.files), source="pubmed", settings=fetch_settings, tag=False)
    with open_corpus(fetch_settings.corpus_path, read_only=True) as corpus:
        stored = [row[0] for row in corpus.execute("SELECT pmid FROM works").fetchall()]
    assert sorted(stored) == sorted(set(_pmids(expected)))


def search_webenv(fake: FakeApis) -> str:
    [webenv] = fake.webenvs
    return str(webenv)


def test_key_email_and_tool_are_sent(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    fetch_pubmed_batches(PubMedQuery("beijing"), settings=fetch_settings)
    requests = fake_apis.log("/esearch.fcgi") + fake_apis.log("/efetch.fcgi")
    assert len(requests) == 2
    for params in requests:
        assert params["api_key"] == NCBI_KEY
        assert (params["email"], params["tool"]) == ("analyst@example.org", "permed-atlas")


def test_faults_are_retried_and_the_batches_are_whole(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    fake_apis.plan("/esearch.fcgi", "503", "truncate")
    fake_apis.plan("/efetch.fcgi", "429:0", "drop", "", "truncate", "500")
    told: list[str] = []

    summary = fetch_pubmed_batches(
        CHINA, settings=fetch_settings, batch_size=60, on_retry=told.append
    )

    assert _pmids_in(summary.files) == _pmids(_matching(fake_apis, "china"))
    reasons = [message.split(";")[0].split(" (")[0].split(":")[:2] for message in told]
    assert reasons == [
        ["/esearch.fcgi", " HTTP 503"],
        ["/esearch.fcgi", " incomplete response"],
        ["/efetch.fcgi", " HTTP 429"],
        ["/efetch.fcgi", " RemoteProtocolError"],
        ["/efetch.fcgi", " incomplete response"],
        ["/efetch.fcgi", " HTTP 500"],
    ]


def test_an_expired_webenv_is_searched_again_and_the_fetch_goes_on(
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    fake_apis.plan("/efetch.fcgi", "", "expire")

    summary = fetch_pubmed_batches(CHINA, settings=fetch_settings, batch_size=60)

    assert len(fake_apis.log("/esearch.fcgi")) == 2
    fetches = fake_apis.log("/efetch.fcgi")
    starts = [int(f["retstart"]) for f in fetches]
    count = len(_matching(fake_apis, "china"))
    assert starts == [0, 60, *range(60, count, 60)]  # the batch at 60 again, with a new WebEnv
    assert fetches[1]["WebEnv"] == fetches[0]["WebEnv"] != fetches[2]["WebEnv"]
    pmids = _pmids_in(summary.files)
    assert pmids == _pmids(_matching(fake_apis, "china")) and len(set(pmids)) == len(pmids)


def test_since_asks_for_records_modified_since(  # the sample was revised on 6 or 7 June 2021
    fetch_settings: Settings, fake_apis: FakeApis
) -> None:
    summary = fetch_pubmed_batches(
        PubMedQuery("china", since=date(2021, 6, 7)), settings=fetch_settings
    )
    [search] = fake_apis.log("/esearch.fcgi")
    assert (search["datetype"], search["mindate"], search["maxdate"]) == (
        "mdat",
        "2021/06/07",
        "3000",
    )
    assert 0 < summary.records < len(_matching(fake_apis, "china"))


def test_without_a_key_three_requests_a_second(settings: Settings, fake_apis: FakeApis) -> None:
    fake_apis.api_keys.clear()
    plain = settings.model_copy(update={"eutils_url": fake_apis.url})
    started = time.monotonic()
    fetch_pubmed_batches(CHINA, settings=plain, batch_size=50)
    requests = fake_apis.log("/esearch.fcgi") + fake_apis.log("/efetch.fcgi")
    assert len(requests) == 5 and "api_key" not in requests[0]
    assert time.monotonic() - started >= 4 / 3  # five requests, four gaps of a third


def test_the_10000_record_cap_is_said(
    fetch_settings: Settings, fake_apis: FakeApis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pubmed_eutils, "SEARCH_LIMIT", 100)
    summary = fetch_pubmed_batches(CHINA, settings=fetch_settings, batch_size=60)
    assert summary.records == 100 and summary.total == len(_matching(fake_apis, "china"))
    assert summary.note is not None and "first 100 of the 188 records" in summary.note


def test_an_esearch_error_is_reported(fetch_settings: Settings, fake_apis: FakeApis) -> None:
    fake_apis.plan("/esearch.fcgi", "503", "503", "503", "503", "503")
    with pytest.raises(FetchError, match="esearch.fcgi: HTTP 503; gave up after 4 retries"):
        fetch_pubmed_batches(CHINA, settings=fetch_settings)
