"""``permed helpdesk ...`` through the assembled CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.helpdesk import HelpdeskInputError

runner = CliRunner()
EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from permed_atlas.settings import get_settings

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "permed-data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_ask_text_shows_countries_references_and_transfer() -> None:
    result = runner.invoke(app, ["helpdesk", "ask", EXAMPLE, "--no-funding"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Countries: DE, CN" in out
    assert "Regulation (EU) No 536/2014" in out and "source: https://" in out
    assert out.count("not legal advice") == 1 and "data protection officer" in out
    assert out.index("Checklist") < out.index("Sample and data flow (transfer assessor)")
    assert "Flow: CN -> DE" in out and "(HGR Regulations, Art. 27)" in out
    assert "Still to find out" in out and "needed by" not in out and "exporter_ciio" not in out


def test_ask_markdown_export() -> None:
    result = runner.invoke(app, ["helpdesk", "ask", EXAMPLE, "--no-funding", "--format",
                                 "markdown"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# Helpdesk answer: {EXAMPLE}")
    assert "- [ ] Obtain the HGR material export certificate" in result.output


def test_ask_json_reads_the_directory_when_asked_about_funding() -> None:
    result = runner.invoke(app, ["helpdesk", "ask", "Which grants fund trials in Germany?",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["about_funding"] is True
    # A fresh data directory holds no directory rows: the answer says so rather than failing.
    assert data["funding"] or data["funding_note"]
    assert data["by_country"][0]["entries"][0]["entry"]["id"] == "de-dfg-clinical-trials"


def test_compare_text_and_json() -> None:
    result = runner.invoke(app, ["helpdesk", "compare", "--topic", "trial_authorisation",
                                 "--country", "DE", "--country", "CN"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Germany (DE)" in out and "China (mainland) (CN)" in out
    assert "[EU level]" in out and "60 working days" in out
    result = runner.invoke(app, ["helpdesk", "compare", "--topic", "ethics_review", "--country",
                                 "FR", "--country", "CN", "--format", "json"])  # fmt: skip
    assert [c["country"] for c in json.loads(result.output)["columns"]] == ["FR", "CN"]


def test_bad_input_raises_our_error_naming_the_field() -> None:
    result = runner.invoke(app, ["helpdesk", "compare", "--topic", "visa", "--country", "DE",
                                 "--country", "CN"])  # fmt: skip
    assert isinstance(result.exception, HelpdeskInputError) and result.exception.field == "topic"
    result = runner.invoke(app, ["helpdesk", "ask", "  ", "--no-funding"])
    assert isinstance(result.exception, HelpdeskInputError)
    result = runner.invoke(app, ["helpdesk", "list", "--country", "XX"])
    assert isinstance(result.exception, HelpdeskInputError)
    result = runner.invoke(app, ["helpdesk", "ask", "x", "--format", "xml"])
    assert isinstance(result.exception, HelpdeskInputError)


def test_the_entry_point_prints_one_line_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from permed_atlas.cli import main

    monkeypatch.setattr(sys, "argv", ["permed", "helpdesk", "compare", "--topic", "visa",
                                      "--country", "DE", "--country", "CN"])  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "topic: unknown topic 'visa'" in err and "Traceback" not in err


def test_list_filters_and_counts() -> None:
    result = runner.invoke(app, ["helpdesk", "list", "--country", "CN", "--topic",
                                 "human_genetic_resources"])  # fmt: skip
    assert result.exit_code == 0
    assert "cn-hgr-trial-filing" in result.output and "5 entries" in result.output
    data = json.loads(runner.invoke(app, ["helpdesk", "list", "--format", "json"]).output)
    assert len(data) >= 50


def test_validate_shipped_and_broken_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["helpdesk", "validate"])
    assert result.exit_code == 0 and "ok:" in result.output
    broken = tmp_path / "bad.yaml"
    broken.write_text(yaml.safe_dump({"country": "DE", "entries": [{"id": "de-x", "country":
                                      "DE"}]}), encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["helpdesk", "validate", str(broken)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "entry 'de-x', field 'source': is missing" in out
    assert "field 'references'" in out and out.endswith(" 13 problems in 1 file")


def test_evaluate_prints_the_figures() -> None:
    questions = Path(__file__).with_name("questions.yaml")
    result = runner.invoke(app, ["helpdesk", "evaluate", str(questions)])
    assert result.exit_code == 0
    assert "mean precision@3" in result.output and "30." in result.output
