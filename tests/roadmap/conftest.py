"""Roadmap test fixtures: one migrated database per session, copied for each test.

Migrating costs about half a second per test; copying the migrated SQLite file
gives each test the same fresh, real database for a fraction of that.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from permed_atlas.db import make_engine, upgrade_database
from permed_atlas.settings import Settings


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roadmap-db") / "platform.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def engine(settings: Settings, migrated_template: Path) -> Iterator[Engine]:
    """A migrated SQLite platform database in the test's data directory."""
    settings.ensure_data_dir()
    shutil.copyfile(migrated_template, settings.data_dir / "platform.sqlite")
    engine = make_engine(settings.platform_database_url)
    yield engine
    engine.dispose()
