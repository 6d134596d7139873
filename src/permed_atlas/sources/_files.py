"""Files a fetch writes: each appears whole or not at all, so a killed fetch leaves no half page.

Pages and state go through :func:`permed_atlas.outputfiles.write_atomic`, as every output does.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from permed_atlas.i18n import Message
from permed_atlas.outputfiles import write_atomic
from permed_atlas.sources.errors import FetchStateError

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

STATE_FILE = ".state.json"  # hidden: an ingest of the folder reads only the data files
LOCK_FILE = ".lock"


def read_state(folder: Path) -> dict[str, Any] | None:
    """The saved state of the fetch in ``folder``, None when it has none yet.

    :param folder: the fetch's folder.
    """
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        state = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FetchStateError(
            Message(
                "%(path)s: unreadable resume state (%(exc)s); delete the file or pass --restart",
                path=path,
                exc=exc,
            )
        ) from exc
    if not isinstance(state, dict):
        raise FetchStateError(
            Message(
                "%(path)s: resume state is not a JSON object; pass --restart",
                path=path,
            )
        )
    return state


def write_state(folder: Path, state: dict[str, Any]) -> None:
    """Save the state of the fetch in ``folder`` (atomically).

    :param folder: the fetch's folder.
    :param state: JSON-serialisable state.
    """
    write_atomic(folder / STATE_FILE, orjson.dumps(state, option=orjson.OPT_INDENT_2))


def clear_folder(folder: Path) -> None:
    """Remove a fetch's pages and state (``--restart``), keeping the folder.

    :param folder: the fetch's folder; only its own files are removed, no sub-folders.
    """
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path.name != LOCK_FILE:
                path.unlink()


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the fetch folder's lock: two runs of one query would write the same pages.

    The kernel drops the lock when its process ends, however it ends (a SIGKILL too), so
    a killed fetch never leaves a stale lock behind.

    :param folder: the fetch's folder (created if missing).
    :raises FetchStateError: another process holds it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise FetchStateError(
                Message(
                    "%(folder)s: another fetch of this query is running",
                    folder=folder,
                )
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def query_folder(
    settings: Settings, source: str, *, words: str, query: Mapping[str, str | None]
) -> Path:
    """The folder of the data directory a query's fetch writes and resumes in.

    Its name is readable (the query's words) and unique (a digest of the whole query), so
    the same query always resumes in the same folder and two queries never share one.

    :param settings: gives the data directory.
    :param source: the source's folder under ``fetch_dir`` (``openalex``, ``pubmed``).
    :param words: the words of the query shown in the name.
    :param query: the query as saved in the state file.
    """
    readable = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-")[:60].rstrip("-").lower()
    digest = hashlib.sha256(orjson.dumps(query)).hexdigest()[:12]
    return settings.fetch_dir / source / f"{readable}-{digest}"


@contextmanager
def resumable_state(
    folder: Path,
    *,
    query: Mapping[str, str | None],
    version: int,
    fresh: Mapping[str, Any],
    restart: bool,
) -> Iterator[tuple[dict[str, Any], bool]]:
    """Hold the folder's lock (:func:`folder_lock`) around a fetch; the ``with`` block gets
    the state the fetch starts from, and whether it resumes a saved one.

    :param folder: the fetch's folder.
    :param query: the query as saved in the state file.
    :param version: the source's state format; a state of another one is refused.
    :param fresh: the source's own fields of a state that has fetched nothing yet.
    :param restart: forget the folder's files and state first (``--restart``).
    :raises FetchStateError: the folder's state was written for another query or format.
    """
    with folder_lock(folder):
        if restart:
            clear_folder(folder)
        state = read_state(folder)
        if state is None:
            yield {"version": version, "query": dict(query), **fresh}, False
            return
        if state.get("query") != query or state.get("version") != version:
            raise FetchStateError(
                Message(
                    "%(folder)s: its state was written for another query; pass "
                    "--restart to fetch anew",
                    folder=folder,
                )
            )
        yield state, True
