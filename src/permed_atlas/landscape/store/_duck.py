"""DuckDB idioms the store's modules share: Arrow tables by name, and one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError


@contextmanager
def registered(connection: duckdb.DuckDBPyConnection, **tables: pa.Table) -> Iterator[None]:
    """Let SQL read each Arrow table by its keyword's name, for the ``with`` block only.

    :param connection: the connection the statements run on.
    :param tables: name -> Arrow table.
    """
    for name, table in tables.items():
        connection.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            connection.unregister(name)


def work_id_table(work_ids: Iterable[int]) -> pa.Table:
    """An Arrow table of one BIGINT column ``work_id``, to join or to filter by.

    :param work_ids: the ids, in the order wanted.
    """
    return pa.table({"work_id": pa.array(list(work_ids), pa.int64())})


@contextmanager
def corpus_transaction(
    connection: duckdb.DuckDBPyConnection,
    *,
    failure: str,
    error: Callable[[str], Exception] = LandscapeError,
) -> Iterator[None]:
    """Run the ``with`` block in one transaction: committed whole, or rolled back whole.

    :param connection: a writable corpus connection with no transaction open.
    :param failure: what could not be done, said before DuckDB's reason in the error.
    :param error: the error to raise, given the message (a caller outside the store
        raises its own capability's error).
    :raises LandscapeError: (or ``error``) DuckDB refused a statement (or the commit).
    """
    try:
        connection.begin()
        try:
            yield
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    except duckdb.Error as exc:
        raise error(Message("%(failure)s: %(exc)s", failure=failure, exc=exc)) from exc
