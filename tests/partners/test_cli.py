"""``permed partners build|profile|find`` through the assembled CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.settings import Settings

from ._corpus import FINDER_PAPERS, make_corpus

runner = CliRunner()


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    settings.ensure_data_dir()
    make_corpus(settings.corpus_path, FINDER_PAPERS, settings).close()
    yield settings


def test_build_profile_and_find(cli_settings: Settings) -> None:
    dry = runner.invoke(app, ["partners", "build", "--dry-run"])
    assert dry.exit_code == 0 and "would build profiles from 19 authorships" in dry.output
    built = runner.invoke(app, ["partners", "build"])
    assert built.exit_code == 0, built.output
    assert "built 7 profiles from 19 authorships" in built.output
    shown = runner.invoke(app, ["partners", "profile", "A4", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["institutions"][0]["name"] == "Peking University"
    table = runner.invoke(app, ["partners", "find", "--author", "Anna Schmidt", "--limit", "3"])
    assert table.exit_code == 0, table.output
    assert "Li Wei" in table.output and "Wang Fang" not in table.output
    assert "similarity 0.6" in " ".join(table.output.split())
    as_csv = runner.invoke(
        app, ["partners", "find", "--topic", "cardiovascular", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert rows[0]["name"] == "Liu Yang" and "shared topics: Cardiovascular" in rows[0]["reasons"]


def test_errors_are_one_line(cli_settings: Settings) -> None:
    from permed_atlas.partners import InvalidQueryError, ProfilesNotBuiltError

    before = runner.invoke(app, ["partners", "find", "--text", "warfarin"])
    assert isinstance(before.exception, ProfilesNotBuiltError)
    assert "permed partners build" in str(before.exception)
    runner.invoke(app, ["partners", "build"])
    both = runner.invoke(app, ["partners", "find", "--text", "a", "--topic", "tcm"])
    assert isinstance(both.exception, InvalidQueryError)
    limit = runner.invoke(app, ["partners", "find", "--text", "warfarin", "--limit", "0"])
    assert isinstance(limit.exception, InvalidQueryError) and limit.exception.field == "limit"


def test_the_web_app_sees_profiles_as_soon_as_they_are_built(cli_settings: Settings) -> None:
    # `permed partners build` wrote the profiles to the corpus only; the web app, which
    # reads published snapshots, kept answering "run `permed partners build`".
    from fastapi.testclient import TestClient

    from permed_atlas.web.app import create_app

    with TestClient(create_app(cli_settings)) as client:
        status = client.get("/api/v1/partners/status")
        assert status.status_code == 200 and status.json()["built"] is False
        built = runner.invoke(app, ["partners", "build"])
        assert built.exit_code == 0, built.output
        assert client.get("/api/v1/partners/status").json()["built"] is True
        found = client.get("/api/v1/partners/find", params={"kind": "text", "q": "warfarin"})
        assert found.status_code == 200, found.text
        assert found.json()["candidates"]
