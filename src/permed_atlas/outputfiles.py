"""Writing a file a user asked for: whole or not at all.

A report, a network file or a region set is written to a temporary file beside the
target and renamed over it, so a reader never sees half a file; when the write or the
rename fails (an ``--out`` that names a directory, a full disk, Ctrl-C) the temporary
file goes too, so nothing half-written is left beside the target. Files that belong
together (VOSviewer's map and network files) are all written before any is renamed, so
a failure leaves the old pair, not a new file beside an old one.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["written_beside", "written_together"]


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
    directory is refused before any rename, so none of the files is replaced.

    :param paths: the files to (re)write.
    """
    temporaries = tuple(path.with_name(path.name + ".tmp") for path in paths)
    try:
        yield temporaries
        for path in paths:
            if path.is_dir():  # the rename would fail half-way through the files
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for temporary, path in zip(temporaries, paths, strict=True):
            temporary.replace(path)
    except BaseException:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        raise
