from __future__ import annotations

import os
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect

from permed_atlas.db import (
    current_revisions,
    head_revisions,
    make_engine,
    model_from_row,
    upgrade_database,
)
from permed_atlas.settings import Settings


def test_upgrade_creates_every_mapped_table(settings: Settings) -> None:
    settings.ensure_data_dir()
    engine = make_engine(settings.platform_database_url)
    upgrade_database(engine)
    assert current_revisions(engine) == head_revisions()
    import permed_atlas.tables  # noqa: F401
    from permed_atlas.db import Base

    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    # a second upgrade is a no-op
    upgrade_database(engine)
    assert current_revisions(engine) == head_revisions()


def test_sqlite_runs_in_wal_mode(settings: Settings) -> None:
    settings.ensure_data_dir()
    engine = make_engine(settings.platform_database_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_migrations_run_on_postgres() -> None:
    url = os.environ.get("PERMED_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(
            "PERMED_TEST_POSTGRES_URL not set: scripts/start-postgres.sh could not start a server"
        )
    engine = make_engine(url)
    upgrade_database(engine)
    assert current_revisions(engine) == head_revisions()
    engine.dispose()


@dataclass(frozen=True)
class _Entry:
    id: int
    name: str
    note: str = "none"


def test_model_from_row_copies_the_columns_and_takes_the_given_values() -> None:
    row = SimpleNamespace(id=3, name="x", extra="not a field")
    assert model_from_row(_Entry, row) == _Entry(3, "x")
    assert model_from_row(_Entry, row, name="y") == _Entry(3, "y")
    assert model_from_row(_Entry, SimpleNamespace(id=1, name="a", note="n")).note == "n"


def test_model_from_row_refuses_a_field_neither_row_nor_caller_gives() -> None:
    with pytest.raises(AttributeError, match="name"):
        model_from_row(_Entry, SimpleNamespace(id=1))
