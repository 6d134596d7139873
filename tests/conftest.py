"""Shared fixtures: a fresh data directory and platform database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from permed_atlas.db import make_engine, session_factory, upgrade_database
from permed_atlas.settings import Settings

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def realdata() -> Path:
    """The shared folder of real sample records (../shared/realdata beside the repo)."""
    path = Path(os.environ.get("PERMED_REALDATA", REALDATA))
    if not path.is_dir():
        pytest.fail(f"real sample data not found at {path}; set PERMED_REALDATA")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data directory, with a fixed test secret."""
    return Settings(
        data_dir=tmp_path / "permed-data",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated SQLite platform database in the test's data directory."""
    settings.ensure_data_dir()
    engine = make_engine(settings.platform_database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; the test owns the transaction."""
    with session_factory(engine)() as session:
        yield session
