"""Writing a file a user asked for: whole or not at all.

A report, a network file or a region set is written to a temporary file beside the
target and renamed over it, so a reader never sees half a file; when the write or the
rename fails (an ``--out`` that names a directory, a full disk, Ctrl-C) the temporary
file goes too, so nothing half-written is left beside the target.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["written_beside"]


@contextmanager
def written_beside(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends.

    :param path: the file to (re)write.
    """
    temporary = path.with_name(path.name + ".tmp")
    try:
        yield temporary
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
