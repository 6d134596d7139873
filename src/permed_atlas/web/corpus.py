"""The web app's read-only view of the corpus: a published snapshot, switched atomically.

The app never keeps the writer's file open (DuckDB would then refuse every
ingest its lock); it reads the snapshot an ingest publishes once its works are
tagged and indexed (:mod:`permed_atlas.landscape.store.snapshots`). Each request
checks, with one ``stat``, whether a newer snapshot was published; requests
that start after it read the new one, those already running finish on the old
one, which is closed when the last of them ends. So an ingest never makes a
request fail.

The app also finishes what an interrupted ingest left (untagged works, a stale
index): when it first opens the corpus and then every ``upkeep_seconds`` in a
background thread, it takes the writer's lock if no one holds it, completes the
corpus and publishes a snapshot when the corpus moved on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape import (
    CorpusUnavailableError,
    complete_and_publish,
    current_marker,
    open_corpus_for_reading,
    open_current_snapshot,
)

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

FIRST_SNAPSHOT_WAIT = 30.0


@dataclass(slots=True)
class _Opened:
    """One opened snapshot (or, as a fallback, the corpus itself) and the requests using it."""

    connection: duckdb.DuckDBPyConnection
    marker: tuple[int, int] | None
    users: int = 0
    retired: bool = False


class CorpusHolder:
    """Opens the current snapshot lazily, switches to newer ones, hands out cursors.

    The connection opens on the first request rather than in ``create_app`` so that
    tests and ``permed demo`` can fill the corpus after building the app.

    :param path: the writer's corpus file (snapshots live beside it).
    :param settings: regions and topic rules for finishing tags; without them the
        holder only rebuilds a stale index.
    :param upkeep_seconds: how often to check for work an interrupted ingest left.
    """

    def __init__(
        self, path: Path, *, settings: Settings | None = None, upkeep_seconds: float = 60.0
    ) -> None:
        self.path = path
        self._settings = settings
        self._opened: _Opened | None = None
        self._lock = threading.Lock()
        self.generation = 0
        self._upkeep_seconds = upkeep_seconds
        self._upkeep_at = time.monotonic() + upkeep_seconds
        self._upkeep: threading.Thread | None = None

    def complete_and_publish(self) -> bool:
        """Finish tagging and indexing and publish a snapshot if the corpus moved on.

        False when another process holds the writer's lock (see
        :func:`permed_atlas.landscape.complete_and_publish`).
        """
        return complete_and_publish(self.path, self._settings)

    @property
    def _memory_limit(self) -> str | None:
        return self._settings.corpus_memory_limit if self._settings else None

    def _open_snapshot(self) -> _Opened | None:
        opened = open_current_snapshot(self.path, memory_limit=self._memory_limit)
        return None if opened is None else _Opened(*opened)

    def _first_open(self) -> _Opened:
        not_busy = self.complete_and_publish()
        opened = self._open_snapshot()
        # No snapshot yet and the lock taken: another process (a worker of this server, an
        # ingest) is writing one; wait a little for it rather than fail the first requests.
        deadline = time.monotonic() + FIRST_SNAPSHOT_WAIT
        while opened is None and not not_busy and time.monotonic() < deadline:
            time.sleep(0.5)
            not_busy = self.complete_and_publish()
            opened = self._open_snapshot()
        if opened is not None:
            return opened
        if not self.path.exists():
            raise CorpusUnavailableError(
                Message(
                    "no corpus at %(path)s yet: an ingest is writing it",
                    path=self.path,
                )
            )
        return _Opened(open_corpus_for_reading(self.path, memory_limit=self._memory_limit), None)

    def _retire(self, opened: _Opened) -> None:
        opened.retired = True
        if opened.users == 0:
            opened.connection.close()

    def _current(self) -> _Opened:
        """The opened snapshot for a new request; the caller holds ``_lock``."""
        if self._opened is None:
            self._opened = self._first_open()
            self.generation += 1
        else:
            marker = current_marker(self.path)
            if marker is not None and marker != self._opened.marker:
                newer = self._open_snapshot()
                if newer is not None:
                    self._retire(self._opened)
                    self._opened = newer
                    self.generation += 1
        if time.monotonic() >= self._upkeep_at and self._upkeep is None:
            self._upkeep = threading.Thread(
                target=self._run_upkeep, daemon=True, name="corpus-upkeep"
            )
            self._upkeep.start()
        return self._opened

    def _run_upkeep(self) -> None:
        try:
            self.complete_and_publish()
        finally:
            with self._lock:
                self._upkeep = None
                self._upkeep_at = time.monotonic() + self._upkeep_seconds

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection new requests read from, opened on first use."""
        with self._lock:
            return self._current().connection

    @property
    def version(self) -> str:
        """Names the corpus as currently opened: results cached under it stay valid.

        A snapshot never changes; a newer one starts a new generation.
        """
        with self._lock:
            self._current()
            return f"{self.path}#{self.generation}"

    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request (DuckDB cursors are not shared across threads).

        The snapshot it reads stays open until the request ends, even if a newer
        one is published meanwhile.
        """
        with self._lock:
            opened = self._current()
            opened.users += 1
        try:
            cursor = opened.connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
        finally:
            with self._lock:
                opened.users -= 1
                if opened.retired and opened.users == 0:
                    opened.connection.close()

    def close(self) -> None:
        """Close the connection (it reopens, completing the corpus, on the next request)."""
        with self._lock:
            if self._opened is not None:
                self._retire(self._opened)
                self._opened = None
