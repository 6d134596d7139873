"""``permed fetch pubmed``: PubMed records through NCBI's E-utilities, in batches, resumable.

One ``esearch`` with ``usehistory=y`` leaves the matching PMIDs on NCBI's history
server (a ``WebEnv`` and a ``query_key``); ``efetch`` then reads them as PubMed XML,
``batch_size`` at a time, each batch gzipped and written atomically as
``batch-00000000.xml.gz`` (named by its start) before the hidden state file moves
past it. A resumed fetch goes on from the saved ``retstart``; when NCBI has
forgotten the ``WebEnv`` (it keeps one for a few hours) the search is run again and
the fetch goes on where it was.
Requests are spaced to NCBI's limits: 3 a second, 10 with an API key.

PubMed's E-utilities give at most the first 10,000 records of one search: a larger
search is fetched up to there and the summary says how many were left, so the user
can split it (by publication years, ``2020:2022[dp]``, or ``--since``).

Why not Biopython's ``Bio.Entrez`` (1.88), the field's standard client: its base URL
is written into each function (``https://eutils.ncbi.nlm.nih.gov/...``), so it
cannot be pointed at the loopback test server; a retry waits a fixed
``sleep_between_tries`` (15 s) with no backoff, jitter or ``Retry-After``; a
connection dropped mid-body is not retried (the handle is read after ``_open``
returns); its rate limit, key and e-mail are module globals; and Biopython is a
large compiled dependency for three URLs.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.outputfiles import write_atomic
from permed_atlas.sources._files import query_folder, resumable_state, write_state
from permed_atlas.sources.errors import FetchError
from permed_atlas.sources.http import (
    IncompleteResponseError,
    RateLimiter,
    RetryingClient,
    check_page_size,
)
from permed_atlas.sources.models import FetchSummary

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

DEFAULT_BATCH = 500
MAX_BATCH = 10_000  # efetch's largest retmax
SEARCH_LIMIT = 10_000  # PubMed's history gives no record past the 10,000th of a search
_STATE_VERSION = 1
_FRESH = {
    "webenv": None,
    "query_key": None,
    "count": None,
    "next_retstart": 0,
    "records": 0,
    "done": False,
}
_EXPIRED = re.compile(r"webenv|query_key|query #|unable to obtain query", re.IGNORECASE)


@dataclass(frozen=True)
class PubMedQuery:
    """What to search PubMed for.

    :param term: PubMed query syntax, e.g. ``"Precision Medicine"[Mesh] AND China[ad]``.
    :param since: only records modified on or after this day (``mindate``, ``datetype=mdat``).
    """

    term: str
    since: date | None = None

    def __post_init__(self) -> None:
        if not self.term.strip():
            raise InvalidInputError(Message("--query: empty PubMed query"), field="query")

    def folder_in(self, settings: Settings) -> Path:
        """The query's folder of the data directory: the same query resumes there.

        :param settings: gives the data directory.
        """
        return query_folder(settings, "pubmed", words=self.term, query=self.as_dict())

    def as_dict(self) -> dict[str, str | None]:
        """The query as saved in the state file."""
        return {"term": self.term, "since": self.since.isoformat() if self.since else None}


class _ExpiredHistoryError(Exception):
    """NCBI no longer knows the WebEnv: search again."""


def _parse_xml(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise IncompleteResponseError(f"XML breaks off or is malformed: {exc}") from exc


def _read_batch(body: bytes) -> int:
    """The records in an efetch answer; an answer saying the WebEnv is gone raises."""
    root = _parse_xml(body)
    if root.tag == "PubmedArticleSet":
        return len(root.findall("PubmedArticle")) + len(root.findall("PubmedBookArticle"))
    error = root.findtext("ERROR") or ""
    if root.tag == "eFetchResult" and _EXPIRED.search(error):
        raise _ExpiredHistoryError(error)
    raise FetchError(f"efetch: expected <PubmedArticleSet>, got <{root.tag}> {error}".strip())


@dataclass(frozen=True)
class _Search:
    count: int
    webenv: str
    query_key: str


def _read_search(body: bytes) -> _Search:
    root = _parse_xml(body)
    error = root.findtext("ERROR")
    count, webenv, key = root.findtext("Count"), root.findtext("WebEnv"), root.findtext("QueryKey")
    if error or count is None or not count.isdecimal() or not webenv or not key:
        raise FetchError(
            Message(
                "esearch: %(value)s",
                value=error or "no Count, WebEnv or QueryKey in the answer",
            )
        )
    return _Search(int(count), webenv, key)


class _PubMedFetch:
    """One fetch's client, parameters and state; :func:`fetch_pubmed_batches` drives it."""

    def __init__(
        self,
        query: PubMedQuery,
        settings: Settings,
        client: RetryingClient,
        state: dict[str, Any],
        folder: Path,
    ) -> None:
        self.query, self.client, self.state, self.folder = query, client, state, folder
        self.base = settings.eutils_url.rstrip("/")
        key = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
        self.common: dict[str, str | int] = {"db": "pubmed", "tool": settings.ncbi_tool}
        if settings.ncbi_email:
            self.common["email"] = settings.ncbi_email
        if key:
            self.common["api_key"] = key

    def search(self) -> None:
        params: dict[str, str | int] = {
            **self.common,
            "term": self.query.term,
            "usehistory": "y",
            "retmax": 0,
        }
        if self.query.since is not None:
            params.update(
                datetype="mdat", mindate=self.query.since.strftime("%Y/%m/%d"), maxdate="3000"
            )
        _body, found = self.client.get_parsed(
            f"{self.base}/esearch.fcgi", params=params, parse=_read_search
        )
        self.state.update(count=found.count, webenv=found.webenv, query_key=found.query_key)
        self.state["done"] = self.state["next_retstart"] >= self.last()
        write_state(self.folder, self.state)

    def last(self) -> int:
        """The position after the last record this fetch can get."""
        return min(int(self.state["count"]), SEARCH_LIMIT)

    def fetch_batch(self, batch_size: int) -> None:
        start = int(self.state["next_retstart"])
        params = {
            **self.common,
            "WebEnv": self.state["webenv"],
            "query_key": self.state["query_key"],
            "retstart": start,
            "retmax": min(batch_size, self.last() - start),
            "retmode": "xml",
        }
        body, records = self.client.get_parsed(
            f"{self.base}/efetch.fcgi", params=params, parse=_read_batch
        )
        # mtime=0: the same batch gives the same bytes, whether fetched in one run or resumed.
        write_atomic(self.folder / f"batch-{start:08d}.xml.gz", gzip.compress(body, mtime=0))
        self.state["records"] += records
        self.state["next_retstart"] = start + int(params["retmax"])
        self.state["done"] = self.state["next_retstart"] >= self.last()
        write_state(self.folder, self.state)


def _fetch_batches(
    run: _PubMedFetch,
    batch_size: int,
    *,
    on_progress: Callable[[int, int | None], None] | None,
    on_retry: Callable[[str], None] | None,
) -> None:
    """Fetch the batches after the saved ``retstart``, searching again if NCBI forgot."""
    state = run.state
    expired_in_a_row = 0
    while not state["done"]:
        try:
            run.fetch_batch(batch_size)
        except _ExpiredHistoryError:
            expired_in_a_row += 1
            if expired_in_a_row > 1:
                raise FetchError(
                    Message("efetch: NCBI forgot the search just made; try again later")
                ) from None
            if on_retry is not None:
                on_retry("efetch: NCBI's history expired; searching again")
            run.search()
            continue
        expired_in_a_row = 0
        if on_progress is not None:
            on_progress(state["records"], state["count"])


def fetch_pubmed_batches(
    query: PubMedQuery,
    *,
    settings: Settings,
    batch_size: int = DEFAULT_BATCH,
    restart: bool = False,
    on_progress: Callable[[int, int | None], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> FetchSummary:
    """Search PubMed for ``query`` and fetch every record into its folder under
    ``settings.fetch_dir / "pubmed"``, resuming from the saved state of the same query.

    :param query: the PubMed query and ``--since``.
    :param settings: the E-utilities URL, key, e-mail, tool, retry policy and data directory.
    :param batch_size: records per efetch (1-10,000).
    :param restart: forget the folder's batches and state and search anew.
    :param on_progress: told (records so far, records matching) after each batch.
    :param on_retry: told each retry, in words without the key.
    :raises FetchError: a request that kept failing; what was written stays for a resume.
    """
    check_page_size(batch_size, option="--batch-size", most=MAX_BATCH)
    folder = query.folder_in(settings)
    with resumable_state(
        folder, query=query.as_dict(), version=_STATE_VERSION, fresh=_FRESH, restart=restart
    ) as (state, resumed):
        key = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
        with RetryingClient.from_settings(
            settings, key=key, rate=RateLimiter(10.0 if key else 3.0), on_retry=on_retry
        ) as client:
            run = _PubMedFetch(query, settings, client, state, folder)
            if state["webenv"] is None:
                run.search()
            if on_progress is not None:
                on_progress(state["records"], state["count"])
            _fetch_batches(run, batch_size, on_progress=on_progress, on_retry=on_retry)
    files = tuple(sorted(folder.glob("batch-*.xml.gz")))
    note = None
    if state["count"] > SEARCH_LIMIT:
        note = (
            f"PubMed gives the first {SEARCH_LIMIT:,} of the {state['count']:,} records "
            "matching one search: split the query, e.g. by years (AND 2015:2019[dp])"
        )
    return FetchSummary(folder, files, state["records"], state["count"], resumed, note)
