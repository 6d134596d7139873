"""A demo study loaded once per module into its own SQLite file (read-only use)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from permed_atlas.db import make_engine, session_factory, session_scope, upgrade_database


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database holding the demo study; tests must not change it."""
    from permed_atlas.delphi import load_demo_study

    path: Path = tmp_path_factory.mktemp("delphi-demo") / "platform.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with session_scope(engine) as session:
        load_demo_study(session)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_session(demo_engine: Engine):  # type: ignore[no-untyped-def]
    with session_factory(demo_engine)() as session:
        yield session
        session.rollback()


@pytest.fixture
def permed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``permed ...`` in-process on a fresh data directory: ``code, out, err = permed(...)``."""
    from permed_atlas.cli import main

    # The CLI reads the environment once per run (its root callback), so no cache to clear.
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PERMED_ENVIRONMENT", "test")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["permed", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    yield run
