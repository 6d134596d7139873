"""Directory fixtures: a migrated platform database (copied from the session template), seeded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from permed_atlas.db import make_engine, session_factory
from permed_atlas.directory import load_seed_directory
from permed_atlas.landscape import region_countries
from permed_atlas.settings import Settings


@pytest.fixture
def db_session(settings: Settings, _migrated_platform_template: Path) -> Iterator[Session]:
    """A session on a fresh migrated SQLite database (no directory rows yet)."""
    settings.ensure_data_dir()
    target = settings.data_dir / "platform.sqlite"
    shutil.copyfile(_migrated_platform_template, target)
    engine = make_engine(f"sqlite:///{target}")
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def seeded(db_session: Session, settings: Settings) -> Session:
    """``db_session`` with the bundled directory loaded and committed."""
    load_seed_directory(db_session, settings=settings)
    db_session.commit()
    return db_session


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> dict[str, frozenset[str]]:
    """The region catalog (landscape region sets plus the directory's groups)."""
    return region_countries(Settings(data_dir=tmp_path_factory.mktemp("catalog")))
