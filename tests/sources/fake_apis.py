"""A loopback HTTP server that plays the OpenAlex works API and NCBI's E-utilities.

It serves the real records of ../shared/realdata (OpenAlex works re-paged with a
cursor; PubMed articles cut byte-for-byte from the NLM file) over real sockets, so
the fetchers run their real HTTP code, also in a ``permed`` subprocess. Faults are
planned per endpoint, one per coming request:

- ``"429:S"`` answers 429 with ``Retry-After: S``; ``"500"``, ``"503"`` those statuses;
- ``"drop"`` sends the headers and half the body, then closes the connection;
- ``"truncate"`` sends half the body as if it were all of it (HTTP sees nothing wrong);
- ``"expire"`` (efetch) forgets the WebEnv first, as NCBI does after a few hours;
- ``"hold"`` waits until the test calls :meth:`FakeApis.release` (a fetch to kill midway).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.DOTALL)
_REVISED = re.compile(
    rb"<DateRevised>\s*<Year>(\d{4})</Year>\s*<Month>(\d+)</Month>\s*<Day>(\d+)</Day>"
)
# Filters the fake understands; OpenAlex answers 400 to a filter key it does not know.
_FILTERS = {"from_updated_date", "publication_year", "institutions.country_code"}


def load_openalex_works(realdata: Path) -> list[dict[str, Any]]:
    """The real OpenAlex works of the shared folder (API records only), each once."""
    folder = realdata / "openalex"
    works: dict[str, dict[str, Any]] = {}
    for name in (
        "openalex_works_api_search_neuroscience_100.jsonl",
        "openalex_works_api_search_biodiversity_finance_200.jsonl",
    ):
        for line in (folder / name).read_bytes().split(b"\n"):
            if line.strip():
                work = json.loads(line)
                works.setdefault(work["id"], work)
    page = json.loads((folder / "openalex_api_response_page_keypapers.json").read_bytes())
    for work in page["results"]:
        works.setdefault(work["id"], work)
    return list(works.values())


def load_pubmed_articles(realdata: Path) -> tuple[bytes, list[bytes]]:
    """The XML prologue (declaration and DOCTYPE) and every real ``<PubmedArticle>``."""
    folder = realdata / "pubmed"
    sample = gzip.decompress((folder / "pubmed21n1298_sample500.xml.gz").read_bytes())
    prologue = sample[: sample.index(b"<PubmedArticleSet")]
    articles = _ARTICLE.findall(sample)
    articles += _ARTICLE.findall((folder / "pubmed-29768149.xml").read_bytes())
    return prologue, articles


def _revised(article: bytes) -> str:
    found = _REVISED.search(article)
    if not found:
        return "0000-00-00"
    year, month, day = (int(part) for part in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _listed(work: dict[str, Any]) -> dict[str, Any]:
    """A work as a list page shows it: authorships cut at 100, and is_authors_truncated said
    (docs.openalex.org/api-entities/authors/limitations)."""
    if len(work.get("authorships") or ()) <= 100:
        return work
    return {**work, "authorships": work["authorships"][:100], "is_authors_truncated": True}


def _work_matches(work: dict[str, Any], key: str, value: str) -> bool:
    if key == "from_updated_date":
        return str(work.get("updated_date") or "")[:10] >= value
    if key == "publication_year":
        low, _, high = value.partition("-")
        year = work.get("publication_year") or 0
        return int(low) <= year <= int(high or low)
    countries = {
        str(institution.get("country_code") or "").upper()
        for authorship in work.get("authorships") or []
        for institution in authorship.get("institutions") or []
    }
    return bool(countries & set(value.upper().split("|")))


@dataclass
class FakeApis:
    """The server's data, plans and log; ``url`` is its base URL once started."""

    works: list[dict[str, Any]]
    prologue: bytes
    articles: list[bytes]
    api_keys: dict[str, str] = field(default_factory=dict)  # endpoint -> the key it wants
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    faults: dict[str, deque[str]] = field(default_factory=dict)
    webenvs: dict[str, list[int]] = field(default_factory=dict)
    held: threading.Event = field(default_factory=threading.Event)
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, endpoint: str, *faults: str) -> None:
        """Answer the next requests to ``endpoint`` ("/works", "/esearch.fcgi", ...) so."""
        with self._lock:
            self.faults.setdefault(endpoint, deque()).extend(faults)

    def release(self) -> None:
        """Let a held request go on (its client may be gone by then)."""
        self._release.set()

    def log(self, endpoint: str) -> list[dict[str, str]]:
        """The parameters of every request to ``endpoint`` so far, in order."""
        with self._lock:
            return [params for path, params in self.requests if path == endpoint]

    def next_fault(self, endpoint: str) -> str | None:
        with self._lock:
            queue = self.faults.get(endpoint)
            return queue.popleft() if queue else None

    # --- the endpoints: (status, content type, body) -------------------------------------

    def works_page(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        selected = self.works
        for part in params.get("filter", "").split(","):
            key, _, value = part.partition(":")
            if key not in _FILTERS:
                error = {
                    "error": "Invalid query parameters error.",
                    "message": f"{key} is not a valid field.",
                }
                return 400, "application/json", json.dumps(error).encode()
            selected = [work for work in selected if _work_matches(work, key, value)]
        if "search" in params:
            words = params["search"].lower()
            selected = [w for w in selected if words in (w.get("title") or "").lower()]
        per_page = int(params.get("per-page", "25"))
        cursor = params.get("cursor", "")
        start = 0 if cursor == "*" else int(base64.b64decode(cursor).decode().split(":")[1])
        results = selected[start : start + per_page]
        following = base64.b64encode(f"offset:{start + per_page}".encode()).decode()
        meta = {
            "count": len(selected),
            "db_response_time_ms": 12,
            "page": None,
            "per_page": per_page,
            "next_cursor": following if results else None,
            "groups_count": None,
        }
        page = {"meta": meta, "results": [_listed(work) for work in results], "group_by": []}
        return 200, "application/json", json.dumps(page).encode()

    def work(self, path: str) -> tuple[int, str, bytes]:
        """``/works/W123``: one work, never cut."""
        wanted = "https://openalex.org/" + path.rpartition("/")[2]
        for work in self.works:
            if work["id"] == wanted:
                return 200, "application/json", json.dumps(work).encode()
        return 404, "application/json", b'{"error": "not found"}'

    def esearch(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        term = params.get("term", "").lower().encode()
        since = params.get("mindate", "0000/00/00").replace("/", "-")
        matching = [
            index
            for index, article in enumerate(self.articles)
            if term in article.lower() and _revised(article) >= since
        ]
        webenv = f"MCID_{uuid.uuid4().hex}"
        with self._lock:
            self.webenvs[webenv] = matching
        body = (
            f'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
            '"-//NLM//DTD esearch 20060628//EN" '
            '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
            f"<eSearchResult><Count>{len(matching)}</Count><RetMax>0</RetMax>"
            f"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
            "<IdList></IdList></eSearchResult>\n"
        )
        return 200, "text/xml; charset=UTF-8", body.encode()

    def efetch(self, params: dict[str, str], fault: str | None) -> tuple[int, str, bytes]:
        webenv = params.get("WebEnv", "")
        with self._lock:
            if fault == "expire":
                self.webenvs.pop(webenv, None)
            matching = self.webenvs.get(webenv)
        if matching is None or params.get("query_key") != "1":
            body = (
                b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n'
                b"\t<ERROR>Unable to obtain query #1</ERROR>\n</eFetchResult>\n"
            )
            return 200, "text/xml; charset=UTF-8", body
        start, count = int(params["retstart"]), int(params["retmax"])
        chosen = [self.articles[index] for index in matching[start : start + count]]
        body = (
            self.prologue
            + b"<PubmedArticleSet>\n"
            + b"\n".join(chosen)
            + b"\n</PubmedArticleSet>\n"
        )
        return 200, "text/xml; charset=UTF-8", body


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures
        pass

    def do_GET(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(split.query).items()}
        with fake._lock:
            fake.requests.append((split.path, params))
        fault = fake.next_fault(split.path)
        if fault == "hold":
            fake.held.set()
            fake._release.wait(30)
        endpoint = "/works" if split.path.startswith("/works/") else split.path
        wanted = fake.api_keys.get(endpoint)
        if wanted and params.get("api_key") != wanted:
            self._send(403, "application/json", b'{"error": "API key missing or wrong"}')
        elif fault and fault.split(":")[0] in {"429", "500", "503"}:
            status, _, wait = fault.partition(":")
            self._send(int(status), "text/plain", b"slow down", retry_after=wait or None)
        elif split.path == "/works":
            self._send(*fake.works_page(params), fault=fault)
        elif split.path.startswith("/works/"):
            self._send(*fake.work(split.path), fault=fault)
        elif split.path == "/esearch.fcgi":
            self._send(*fake.esearch(params), fault=fault)
        elif split.path == "/efetch.fcgi":
            self._send(*fake.efetch(params, fault), fault=fault)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        *,
        fault: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        sent = body[: len(body) // 2] if fault in {"drop", "truncate"} else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body if fault == "drop" else sent)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        try:
            self.wfile.write(sent)
            self.wfile.flush()
        except OSError:  # the client is gone (killed on purpose)
            pass
        if fault == "drop":
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeApis


@contextmanager
def serve(fake: FakeApis) -> Iterator[FakeApis]:
    """Run ``fake`` on a free loopback port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release()
        server.shutdown()
        server.server_close()
        thread.join(5)
