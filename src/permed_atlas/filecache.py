"""Results of reading curated data files, kept until one of those files changes.

Rule, knowledge and ontology files are read by every page and command that needs them;
reading and validating them costs tens to hundreds of milliseconds, while they change
only when someone edits one. A loader decorated with :func:`cached_until_changed` runs
again when the modification time or size of a watched file changes, or a file is added
to or removed from a watched folder; a deployment's edit is seen without a restart.

A file modified in the last :data:`SETTLE_SECONDS` is not trusted to its timestamp: the
file system's clock is coarse (a few milliseconds), so a second write of the same size
could keep the same stamp. While any watched file is that fresh the loader simply runs.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SETTLE_SECONDS = 2.0

Stamp = tuple[tuple[str, int, int], ...]


def files_stamp(paths: Iterable[Path]) -> tuple[Stamp, float]:
    """The stamp of ``paths`` and the newest modification time among them.

    Each path contributes ``(path, mtime_ns, size)``; a folder also contributes every file
    directly inside it, so adding or removing a file changes the stamp. A missing path is
    ``(path, -1, -1)``.

    :param paths: files and folders a loader reads.
    """
    entries: list[tuple[str, int, int]] = []
    newest = 0.0
    for path in paths:
        members = [path]
        if path.is_dir():
            members += sorted(child for child in path.iterdir() if child.is_file())
        for member in members:
            try:
                status = member.stat()
            except OSError:
                entries.append((str(member), -1, -1))
                continue
            entries.append((str(member), status.st_mtime_ns, status.st_size))
            newest = max(newest, status.st_mtime)
    return tuple(entries), newest


def cached_until_changed(
    watched: Callable[P, Iterable[Path]], *, maxsize: int = 8
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Keep a loader's results until a file it reads changes.

    The result must depend only on the contents of the watched paths (and the arguments
    that name them), and must not be changed by callers: every caller gets the same object.
    A loader that raises keeps nothing, so a fixed file is read again.

    :param watched: given the loader's arguments, the files and folders it reads.
    :param maxsize: at most this many results are kept (least recently used go first).
    """

    def decorate(load: Callable[P, T]) -> Callable[P, T]:
        kept: OrderedDict[Stamp, T] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(load)
        def cached(*args: P.args, **kwargs: P.kwargs) -> T:
            stamp, newest = files_stamp(watched(*args, **kwargs))
            with lock:
                if stamp in kept:
                    kept.move_to_end(stamp)
                    return kept[stamp]
            value = load(*args, **kwargs)
            if time.time() - newest >= SETTLE_SECONDS:
                with lock:
                    kept[stamp] = value
                    while len(kept) > maxsize:
                        kept.popitem(last=False)
            return value

        return cached

    return decorate
