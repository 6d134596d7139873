"""Two transactions at the same moment (on the ``race_engine`` fixture: SQLite, then a real
PostgreSQL): a hook that holds one thread just before a statement while the other runs as
far as it can."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine, event

WAIT = 3.0  # seconds one side is given to get past the paused other


def pause_at(engine: Engine, thread: str, statement: str) -> tuple[threading.Event, Callable]:
    """Hold ``thread`` just before it runs ``statement`` until the returned release is called."""
    reached, release = threading.Event(), threading.Event()

    def hook(conn, cursor, sql: str, *args) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name == thread and sql.lstrip().upper().startswith(statement):
            reached.set()
            release.wait(30)

    event.listen(engine, "before_cursor_execute", hook)
    return reached, release.set
