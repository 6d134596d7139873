"""Where the sources' commands write: results on stdout, progress and retries on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, ProgressColumn, TaskID

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(label: str, *columns: ProgressColumn) -> Iterator[tuple[Progress, TaskID]]:
    """A bar on stderr with one task of unknown total, gone when done.

    It shows only on a terminal, so that piped or logged output holds only results.

    :param label: the task's description.
    :param columns: the bar's columns.
    """
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        yield bar, bar.add_task(label, total=None)


def say_retry(message: str) -> None:
    """Tell a retry on stderr.

    :param message: already redacted.
    """
    err.print(message, markup=False)  # a server's words, not rich markup
