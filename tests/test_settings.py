from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.errors import SettingsError
from permed_atlas.settings import Settings


def test_defaults_use_one_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERMED_DATA_DIR", raising=False)
    monkeypatch.delenv("PERMED_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.data_dir == Path("permed-data")
    assert settings.platform_database_url.endswith("permed-data/platform.sqlite")
    assert settings.corpus_path == Path("permed-data/corpus.duckdb")


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("PERMED_DATABASE_URL", "postgresql+psycopg://u@localhost/x")
    settings = Settings()
    assert settings.data_dir == tmp_path / "d"
    assert settings.platform_database_url == "postgresql+psycopg://u@localhost/x"


def test_production_refuses_missing_secret() -> None:
    with pytest.raises(SettingsError, match="PERMED_SECRET_KEY"):
        Settings(environment="production")


def test_short_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        Settings(secret_key="short")


def test_generated_secret_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    key = settings.resolved_secret_key()
    assert len(key) >= 32
    assert settings.resolved_secret_key() == key
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o777 == 0o600
