"""Writing a file a user asked for: whole or not at all.

Every file a command writes to a path the user named (``--out``, ``--output``: a report,
an export, a chart, a network file, a region set) and every file a fetch keeps is
written to a hidden temporary file beside the target, flushed to disk and renamed over
the target, so a reader sees the old file or the new one, never half of one. When the
write or the rename fails (a renderer that raises, an ``--out`` that names a directory,
a full disk, Ctrl-C) the temporary file goes too and the old file stays as it was. Files
that belong together (VOSviewer's map and network files) are all written before any is
renamed, so a failure leaves the old pair, not a new file beside an old one.

- :func:`write_atomic`: the whole content is in memory (text or bytes).
- :func:`written_beside`: a writer that wants a path or a handle of its own (csv,
  openpyxl, Chromium's PDF printer, DuckDB) writes to the temporary path it yields.
- :func:`written_together`: the same for several files at once.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["write_atomic", "written_beside", "written_together"]


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`written_beside`).

    :param path: the file to (re)write; its folder must exist.
    :param data: its whole content; text is written as UTF-8, line ends as they are.
    """
    with written_beside(path) as temporary:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def written_beside(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends.

    :param path: the file to (re)write.
    """
    with written_together((path,)) as (temporary,):
        yield temporary


@contextmanager
def written_together(paths: tuple[Path, ...]) -> Iterator[tuple[Path, ...]]:
    """Temporary paths beside ``paths`` to write to; renamed over them when the block ends.

    Nothing is renamed until the block has written every file; a target that is a
    directory is refused before any rename, so none of the files is replaced. As
    writing in place did, a read-only target is refused, a replaced file keeps its
    permissions, and a target that is a symbolic link has the file it points to replaced.
    An error while writing names the target, not the temporary file.

    :param paths: the files to (re)write.
    """
    targets = tuple(_through_links(path) for path in paths)
    for target in targets:
        # writing in place was refused there; a rename (the folder is writable) would not be
        if target.is_file() and not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
    temporaries = tuple(_temporary_beside(target) for target in targets)
    try:
        yield temporaries
        for path in paths:
            if path.is_dir():  # the rename would fail half-way through the files
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for temporary, target in zip(temporaries, targets, strict=True):
            _settle(temporary, target)
        for temporary, target in zip(temporaries, targets, strict=True):
            os.replace(temporary, target)
        for folder in dict.fromkeys(target.parent for target in targets):
            _sync_folder(folder)
    except BaseException as exc:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            _name_the_target(exc, dict(zip(map(str, temporaries), map(str, paths), strict=True)))
        raise


def _through_links(path: Path) -> Path:
    # os.replace swaps a link for a plain file; writing in place wrote to what it points to
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _temporary_beside(path: Path) -> Path:
    # hidden (a folder's ingest skips it), and unique: two runs never share a temporary
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _settle(temporary: Path, target: Path) -> None:
    """Give the new file the old one's permissions and put its bytes on the disk."""
    if target.is_file():
        shutil.copymode(target, temporary)
    descriptor = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # before the rename: a power cut never leaves an empty new file
    finally:
        os.close(descriptor)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the rename itself survives a power cut
    finally:
        os.close(descriptor)


def _name_the_target(exc: OSError, targets: dict[str, str]) -> None:
    # "out.csv: No space left on device", not the hidden temporary nobody asked for
    if exc.filename is not None and str(exc.filename) in targets:
        exc.filename = targets[str(exc.filename)]
    if exc.filename2 is not None and str(exc.filename2) in targets:
        exc.filename2 = targets[str(exc.filename2)]
