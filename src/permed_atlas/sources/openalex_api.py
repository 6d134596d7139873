"""``permed fetch openalex``: works from the OpenAlex API, page by page, resumable.

The works endpoint is paged with a cursor (``cursor=*``, then each page's
``meta.next_cursor``), 200 works a page at most. Each page is kept as the API sent
it (but for works whose authors it cut at 100, see :func:`_with_all_authors`),
gzipped (200 works are ~3.2 MB of JSON, ~0.6 MB gzipped), as
``page-000001.json.gz`` in one folder per query, written atomically; only then is
the query's state file (hidden, ``.state.json``) moved past it. A fetch killed at
any moment resumes from the page after the last one written, and a page written
twice has the same name, so nothing is stored twice. The folder is then read by the
landscape ingest, whose OpenAlex reader takes API pages as they come.

Why not pyalex (the field's Python client, 0.21): it fits simple scripts, not this.
Its retries are urllib3's, mounted on ``https://`` only (so none against the
loopback test server, and none for a body cut mid-transfer, which requests raises as
``ChunkedEncodingError`` outside the retry loop); it has no jitter; its settings are
one module-wide dict; and it hands back parsed objects, where we keep each page's
bytes as the API sent them, so the corpus can be rebuilt from the files alone. What
we would use of it, the ``filter``/``cursor``/``per-page`` parameters, is three
query parameters.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.outputfiles import write_atomic
from permed_atlas.sources._files import query_folder, resumable_state, write_state
from permed_atlas.sources.errors import FetchError
from permed_atlas.sources.http import IncompleteResponseError, RetryingClient, check_page_size
from permed_atlas.sources.models import FetchSummary

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

MAX_PER_PAGE = 200
_STATE_VERSION = 1
_FRESH = {"next_cursor": "*", "pages": 0, "records": 0, "count": None, "done": False}


@dataclass(frozen=True)
class OpenAlexQuery:
    """What to fetch from ``/works``.

    :param filter: OpenAlex filter syntax, ``key:value`` pairs joined by commas,
        e.g. ``topics.id:T10966,institutions.country_code:CN|DE``.
    :param search: full-text search of titles, abstracts and full texts, or None.
    :param since: only works updated on or after this day (``from_updated_date``).
    """

    filter: str
    search: str | None = None
    since: date | None = None

    def __post_init__(self) -> None:
        for part in self.filter.split(","):
            key, colon, value = part.partition(":")
            if not colon or not key.strip() or not value.strip():
                raise InvalidInputError(
                    Message(
                        "--filter: %(part)s is not key:value (OpenAlex filters are "
                        "key:value pairs joined by commas)",
                        part=repr(part),
                    ),
                    field="filter",
                )

    def api_filter(self) -> str:
        """The ``filter`` parameter sent, ``--since`` included."""
        if self.since is None:
            return self.filter
        return f"{self.filter},from_updated_date:{self.since.isoformat()}"

    def folder_in(self, settings: Settings) -> Path:
        """The query's folder of the data directory: the same query resumes there.

        :param settings: gives the data directory.
        """
        words = f"{self.search or ''} {self.filter}"
        return query_folder(settings, "openalex", words=words, query=self.as_dict())

    def as_dict(self) -> dict[str, str | None]:
        """The query as saved in the state file."""
        return {
            "filter": self.filter,
            "search": self.search,
            "since": self.since.isoformat() if self.since else None,
        }


@dataclass(frozen=True)
class _Page:
    results: int
    next_cursor: str | None
    count: int | None


def _json_body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise IncompleteResponseError(f"not JSON: {exc}") from exc


def _read_page(body: bytes) -> _Page:
    """The page's size and cursor; a cut or malformed body asks for the page again."""
    page = _json_body(body)
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise IncompleteResponseError("no 'results' list")
    meta: Any = page.get("meta")
    if not isinstance(meta, dict):
        raise IncompleteResponseError("no 'meta' object")
    cursor = meta.get("next_cursor")
    count = meta.get("count")
    return _Page(
        len(page["results"]),
        cursor if isinstance(cursor, str) and cursor else None,
        count if isinstance(count, int) else None,
    )


def _read_work(body: bytes) -> dict[str, Any]:
    """One work of ``/works/W…``; a cut or malformed body asks for it again."""
    work = _json_body(body)
    if not isinstance(work, dict) or not isinstance(work.get("id"), str):
        raise IncompleteResponseError("no work 'id'")
    return work


_WORK_ID = re.compile(r"W\d+")


def _with_all_authors(
    body: bytes, *, client: RetryingClient, url: str, params: dict[str, str | int]
) -> bytes:
    """The page, each work whose authorships it cut at 100 replaced by the work's own record.

    A list page lists a work's first 100 authorships only and says so with
    ``is_authors_truncated``; the work's record has them all (OpenAlex's documented limit).
    Kept as listed, a consortium paper lost the countries and institutions of its later
    authors without a word. A page with no such work is kept byte for byte.

    :param body: the page as the API sent it.
    :param client: the fetch's client.
    :param url: the works endpoint.
    :param params: the parameters every request carries (e-mail, key).
    """
    page = orjson.loads(body)
    results = page["results"]
    cut = [
        index
        for index, work in enumerate(results)
        if isinstance(work, dict) and work.get("is_authors_truncated") is True
    ]
    for index in cut:
        ident = str(results[index].get("id") or "").rpartition("/")[2]
        if not _WORK_ID.fullmatch(ident):
            raise FetchError(
                Message(
                    "%(url)s: a work with its authors cut has no OpenAlex id: %(value)s",
                    url=url,
                    value=ident[:40],
                )
            )
        _, results[index] = client.get_parsed(f"{url}/{ident}", params=params, parse=_read_work)
    return orjson.dumps(page) if cut else body


def _gzip(body: bytes) -> bytes:
    # mtime=0: the same page gives the same bytes, so a resumed fetch's files equal a clean one's.
    return gzip.compress(body, compresslevel=6, mtime=0)


def fetch_openalex_pages(
    query: OpenAlexQuery,
    *,
    settings: Settings,
    per_page: int = MAX_PER_PAGE,
    restart: bool = False,
    on_progress: Callable[[int, int | None], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> FetchSummary:
    """Fetch every page of ``query`` into its folder under ``settings.fetch_dir / "openalex"``.

    Resumes from the saved cursor when the folder has a state file for the same query.

    :param query: the filter, search and ``--since``.
    :param settings: the API URL, key, e-mail, retry policy and data directory.
    :param per_page: works a page (1-200).
    :param restart: forget the folder's pages and state and start from ``cursor=*``.
    :param on_progress: told (works so far, works matching) after each page.
    :param on_retry: told each retry, in words without the key.
    :raises FetchError: a request that kept failing; what was written stays for a resume.
    """
    check_page_size(per_page, option="--per-page", most=MAX_PER_PAGE)
    folder = query.folder_in(settings)
    with resumable_state(
        folder, query=query.as_dict(), version=_STATE_VERSION, fresh=_FRESH, restart=restart
    ) as (state, resumed):
        if on_progress is not None:
            on_progress(state["records"], state["count"])
        _fetch_pages(
            query,
            folder,
            state,
            settings=settings,
            per_page=per_page,
            on_progress=on_progress,
            on_retry=on_retry,
        )
    files = tuple(folder / f"page-{number:06d}.json.gz" for number in range(1, state["pages"] + 1))
    return FetchSummary(folder, files, state["records"], state["count"], resumed)


def _fetch_pages(
    query: OpenAlexQuery,
    folder: Path,
    state: dict[str, Any],
    *,
    settings: Settings,
    per_page: int,
    on_progress: Callable[[int, int | None], None] | None,
    on_retry: Callable[[str], None] | None,
) -> None:
    """Fetch the pages after the one ``state`` ends at, saving ``state`` after each."""
    key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else None
    common: dict[str, str | int] = {}
    if settings.openalex_email:
        common["mailto"] = settings.openalex_email
    if key:
        common["api_key"] = key
    params: dict[str, str | int] = {"filter": query.api_filter(), "per-page": per_page, **common}
    if query.search:
        params["search"] = query.search
    url = settings.openalex_url.rstrip("/") + "/works"
    with RetryingClient.from_settings(settings, key=key, on_retry=on_retry) as client:
        while not state["done"]:
            body, page = client.get_parsed(
                url, params={**params, "cursor": state["next_cursor"]}, parse=_read_page
            )
            if page.results:
                body = _with_all_authors(body, client=client, url=url, params=common)
                write_atomic(folder / f"page-{state['pages'] + 1:06d}.json.gz", _gzip(body))
                state["pages"] += 1
                state["records"] += page.results
            state["count"] = page.count
            if page.next_cursor == state["next_cursor"] and page.results:
                raise FetchError(
                    Message("%(url)s: the API returned the same cursor again", url=url)
                )
            state["next_cursor"] = page.next_cursor
            state["done"] = page.next_cursor is None or not page.results
            write_state(folder, state)
            if on_progress is not None:
                on_progress(state["records"], state["count"])
