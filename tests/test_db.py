from __future__ import annotations

import os

import pytest
from sqlalchemy import inspect

from permed_atlas.db import current_revisions, head_revisions, make_engine, upgrade_database
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
