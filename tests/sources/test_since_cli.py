"""``--since`` takes a day, YYYY-MM-DD, in every command that has it; anything else is a
usage error (exit 2) before any request is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app


@pytest.mark.parametrize(
    "command",
    [
        ["fetch", "openalex", "--filter", "publication_year:2020"],
        ["fetch", "pubmed", "--query", "china"],
        ["sync", "openalex-snapshot"],
    ],
)
def test_since_must_be_a_day(command: list[str], tmp_path: Path) -> None:
    env = {"PERMED_DATA_DIR": str(tmp_path), "PERMED_ENVIRONMENT": "test"}
    result = CliRunner().invoke(app, [*command, "--since", "2024-13-01"], env=env)
    assert result.exit_code == 2, result.output
    assert "2024-13-01" in result.output
    assert not (tmp_path / "corpus.duckdb").exists()
