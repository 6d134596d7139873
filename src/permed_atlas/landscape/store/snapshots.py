"""Read-only snapshots of the corpus, so the web app serves while an ingest writes.

DuckDB lets one process write a database file, or several read it, never
both: a server reading ``corpus.duckdb`` would lock every ingest out. So the
app never opens that file. A writer that has finished a consistent state
(ingested, tagged, indexed) publishes it: it checkpoints, copies the file to
``corpus.duckdb.snapshots/<n>.duckdb`` and then replaces ``CURRENT`` (one
``os.replace``, atomic) to name the new copy and the fingerprint of the corpus
it was taken from. The app notices the new ``CURRENT`` and opens the new copy
for the requests that start after it; requests already running finish on the
old one. Copies older than the previous one are deleted by the publisher
(POSIX keeps an open file readable after its name is removed).

The copy costs disk space and time in proportion to the corpus (about a
second per GB on an SSD); a weekly update pays it once.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import CorpusUnavailableError, LandscapeError

log = logging.getLogger(__name__)
CURRENT = "CURRENT"
KEEP = 2  # the current copy and the previous one, which a server may still be reading

# Changes whenever works, their identifiers, contributors, tags or the index change
# (withdrawals change the sources lists, counted by their total length).
_FINGERPRINT_SQL = """
SELECT concat_ws('/',
    (SELECT count(*) FROM works), (SELECT coalesce(max(work_id), 0) FROM works),
    (SELECT coalesce(sum(len(sources)), 0) FROM works), (SELECT count(*) FROM work_ids),
    (SELECT count(*) FROM contributors), (SELECT count(*) FROM affiliations),
    (SELECT count(*) FROM terms), (SELECT count(*) FROM work_flags),
    (SELECT count(*) FROM work_topics), (SELECT count(*) FROM work_regions))
"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The published copy: its file, the fingerprint of the corpus it copies, its number."""

    path: Path
    fingerprint: str
    number: int


def snapshot_dir(corpus_path: Path | str) -> Path:
    """Where the snapshots of ``corpus_path`` live (beside it).

    :param corpus_path: the writer's DuckDB file.
    """
    path = Path(corpus_path)
    return path.with_name(path.name + ".snapshots")


def corpus_fingerprint(connection: duckdb.DuckDBPyConnection) -> str:
    """A string that changes whenever the corpus's content or tags change.

    :param connection: a corpus connection.
    """
    row = connection.execute(_FINGERPRINT_SQL).fetchone()
    try:  # a snapshot taken before the index was rebuilt is stale too
        index = connection.execute(
            "SELECT value FROM search_meta WHERE key = 'fingerprint'"
        ).fetchall()
    except duckdb.CatalogException:
        index = []
    return f"{row[0] if row else ''}|{index[0][0] if index else 'no index'}"


def current_snapshot(corpus_path: Path | str) -> Snapshot | None:
    """The snapshot ``CURRENT`` names, or None when none was published (or its file is gone).

    :param corpus_path: the writer's DuckDB file.
    """
    folder = snapshot_dir(corpus_path)
    try:
        data = json.loads((folder / CURRENT).read_text(encoding="utf-8"))
        snapshot = Snapshot(
            folder / str(data["file"]), str(data["fingerprint"]), int(data["number"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return snapshot if snapshot.path.is_file() else None


def current_marker(corpus_path: Path | str) -> tuple[int, int] | None:
    """(inode, mtime) of ``CURRENT``: a stat, cheap enough to check on every request.

    :param corpus_path: the writer's DuckDB file.
    """
    try:
        status = os.stat(snapshot_dir(corpus_path) / CURRENT)
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


def snapshot_is_current(connection: duckdb.DuckDBPyConnection, corpus_path: Path | str) -> bool:
    """Whether the published snapshot holds the corpus as ``connection`` sees it now.

    :param connection: a connection to the writer's file.
    :param corpus_path: that file.
    """
    snapshot = current_snapshot(corpus_path)
    return snapshot is not None and snapshot.fingerprint == corpus_fingerprint(connection)


def publish_snapshot(connection: duckdb.DuckDBPyConnection, corpus_path: Path | str) -> Snapshot:
    """Copy the corpus to a new snapshot and make it the current one.

    The caller holds the writer's connection (so nothing else writes) and has
    no transaction open; call it once the corpus is tagged and indexed.

    :param connection: the writable connection to ``corpus_path``.
    :param corpus_path: the writer's DuckDB file.
    """
    source = Path(corpus_path)
    folder = snapshot_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    previous = current_snapshot(source)
    number = (previous.number if previous else 0) + 1
    target = folder / f"{number:08d}.duckdb"
    partial = folder / f".{number:08d}.duckdb.partial"
    try:
        fingerprint = corpus_fingerprint(connection)
        # After a checkpoint the file alone holds every committed change (the WAL is empty),
        # and no one else can write while this connection holds the lock.
        connection.execute("CHECKPOINT")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        _write_current(folder, target.name, fingerprint, number)
    except (OSError, duckdb.Error) as exc:
        partial.unlink(missing_ok=True)
        raise LandscapeError(
            Message(
                "cannot publish a snapshot of %(source)s in %(folder)s: %(exc)s",
                source=source,
                folder=folder,
                exc=exc,
            )
        ) from exc
    _prune(folder, keep_from=number - KEEP + 1)
    return Snapshot(target, fingerprint, number)


def _write_current(folder: Path, name: str, fingerprint: str, number: int) -> None:
    text = json.dumps({"file": name, "fingerprint": fingerprint, "number": number})
    temporary = folder / f".{CURRENT}.{os.getpid()}"
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, folder / CURRENT)  # readers see the old CURRENT or the new, never half


def _prune(folder: Path, *, keep_from: int) -> None:
    for path in folder.glob("*.duckdb"):
        stem = path.name.split(".", 1)[0]
        if stem.isdecimal() and int(stem) < keep_from:
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)


def open_current_snapshot(
    corpus_path: Path | str, *, memory_limit: str | None = None
) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int] | None] | None:
    """A read-only connection to the published snapshot and its marker; None when there is
    none or it cannot be opened (the reader falls back to the corpus file itself).

    :param corpus_path: the writer's corpus file (snapshots live beside it).
    :param memory_limit: DuckDB's memory cap for all the connection's queries together
        (e.g. ``"800MiB"``; they spill beyond it); None: DuckDB's default, 80% of RAM.
    """
    snapshot = current_snapshot(corpus_path)
    marker = current_marker(corpus_path)
    if snapshot is None:
        return None
    try:
        return duckdb.connect(
            str(snapshot.path), read_only=True, config=_reader_config(memory_limit)
        ), marker
    except duckdb.Error as exc:
        log.warning("cannot open the corpus snapshot %s: %s", snapshot.path, exc)
        return None


def open_corpus_for_reading(
    corpus_path: Path, *, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """The corpus file itself, read-only, when no snapshot can be published (the old way).

    :param memory_limit: as for :func:`open_current_snapshot` (not applied when this process
        already has the file open for writing: that connection's cap stays).
    :raises CorpusUnavailableError: when the file cannot be opened.
    """
    try:
        return duckdb.connect(str(corpus_path), read_only=True, config=_reader_config(memory_limit))
    except duckdb.ConnectionException as exc:
        if "different configuration" not in str(exc):
            raise _unavailable(corpus_path, exc) from exc
        # This process already has the file open for writing (a test, `permed demo`):
        # share that database instance rather than fail.
        return duckdb.connect(str(corpus_path))
    except duckdb.Error as exc:
        raise _unavailable(corpus_path, exc) from exc


def _reader_config(memory_limit: str | None) -> dict[str, str | bool | int | float | list[str]]:
    return {"memory_limit": memory_limit} if memory_limit else {}


def _unavailable(corpus_path: Path | str, exc: Exception) -> CorpusUnavailableError:
    return CorpusUnavailableError(
        Message(
            "cannot open the corpus %(corpus_path)s: %(exc)s",
            corpus_path=corpus_path,
            exc=exc,
        )
    )
