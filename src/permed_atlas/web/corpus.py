"""The web app's one read-only DuckDB connection to the corpus; each request gets a cursor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from permed_atlas.landscape import (
    LandscapeError,
    build_search_index,
    open_corpus,
    search_index_is_current,
)


class CorpusUnavailableError(LandscapeError):
    """The corpus cannot be opened for reading (e.g. an ingest holds its lock)."""


class CorpusHolder:
    """Opens the corpus lazily, builds a missing or stale search index, hands out cursors.

    The connection opens on the first request rather than in ``create_app`` so that
    tests and ``permed demo`` can fill the corpus after building the app.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self.generation = 0

    def _build_index(self) -> None:
        # Writing needs the lock that readers would block, so no reader may be open here.
        try:
            with open_corpus(self.path) as connection:
                build_search_index(connection)
        except LandscapeError as exc:
            raise CorpusUnavailableError(f"cannot build the search index: {exc}") from exc

    def _open(self) -> duckdb.DuckDBPyConnection:
        if not self.path.exists():
            self._build_index()
        try:
            connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise CorpusUnavailableError(f"cannot open the corpus {self.path}: {exc}") from exc
            # This process already has the file open for writing (a test, `permed demo`):
            # share that database instance rather than fail.
            connection = duckdb.connect(str(self.path))
            if not search_index_is_current(connection):
                build_search_index(connection)
            return connection
        except duckdb.Error as exc:
            raise CorpusUnavailableError(f"cannot open the corpus {self.path}: {exc}") from exc
        if search_index_is_current(connection):
            return connection
        connection.close()
        self._build_index()
        return duckdb.connect(str(self.path), read_only=True)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The shared connection, opened on first use."""
        with self._lock:
            if self._connection is None:
                self._connection = self._open()
                self.generation += 1
            return self._connection

    @property
    def version(self) -> str:
        """Names the corpus as currently opened: results cached under it stay valid.

        A read-only connection keeps writers out, so the corpus cannot change until
        it is closed and reopened, which starts a new generation.
        """
        self.connection()
        return f"{self.path}#{self.generation}"

    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request (DuckDB cursors are not shared across threads)."""
        cursor = self.connection().cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        """Close the connection (it reopens on the next request)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
