"""``permed directory ...`` through the real top-level CLI and a real data directory."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.outputs import disk_fills_up, files_in
from typer.testing import CliRunner

from permed_atlas.cli import app, main
from permed_atlas.directory import DirectoryFileError, EntryNotFoundError, InvalidEntryError
from permed_atlas.errors import PermedError


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "data"


def _run(*args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["directory", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_load_list_show_search_history_export(data_dir: Path, tmp_path: Path) -> None:
    dry = _run("load", "--dry-run")
    assert dry.exit_code == 0 and "would insert" in dry.stdout
    first = _run("load")
    assert "inserted" in first.stdout and "kept 0" in first.stdout
    again = _run("load")
    assert "inserted 0" in again.stdout
    laws = json.loads(_run("list", "--kind", "law", "-f", "json").stdout)
    assert {e["kind"] for e in laws} == {"law"} and any(e["id"] == "pipl" for e in laws)
    shown = json.loads(_run("show", "ep-permed", "-f", "json").stdout)
    assert shown["funders"] == ["european-commission"] and "era-permed" in shown["related_entries"]
    assert "EP PerMed" in _run("show", "ep-permed").stdout
    hits = json.loads(_run("search", "human genetic resources", "-r", "CN", "-f", "json").stdout)
    assert hits[0]["id"] == "hgr-regulations"
    history = json.loads(_run("history", "gdpr", "-f", "json").stdout)
    assert history[0]["origin"] == "seed"
    out = tmp_path / "directory.csv"
    assert _run("export", "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len(json.loads(_run("export", "-f", "json").stdout))


def test_funding_match_and_errors(data_dir: Path, tmp_path: Path) -> None:
    result = _run(
        "funding-match",
        "Sino-European personalised medicine cooperation",
        "--region",
        "DE",
        "--region",
        "CN",
        "-f",
        "json",
    )
    matches = json.loads(result.stdout)
    # Sino-EU-PerMed fits best but has ended: it is marked closed and follows the open ones.
    sino = next(m for m in matches if m["id"] == "sino-eu-permed")
    assert sino["closed"] and sino["matched_terms"]
    assert not matches[0]["closed"]
    with pytest.raises(InvalidEntryError, match="unknown region 'MARS'"):
        _run("funding-match", "cancer", "--region", "MARS")
    with pytest.raises(EntryNotFoundError, match="no directory entry 'nope'"):
        _run("show", "nope")
    # Rich wraps a long checkout path; compare the words, not the line breaks.
    assert re.search(r"\d+ entries, all valid", " ".join(_run("validate").stdout.split()))
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "x.yaml").write_text("entries:\n  - {id: x, kind: nope}\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match=r"x.yaml: entry 1 \(x\): field 'kind'"):
        _run("validate", str(folder))


def test_main_prints_one_line_and_exits_non_zero(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["permed", "directory", "show", "nope"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 1
    assert "no directory entry 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_that_fills_the_disk_keeps_the_old_file_and_leaves_no_temporary(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / f"directory.{fmt}"
    out.write_bytes(b"the export of last week\n")
    with monkeypatch.context() as patch:
        disk_fills_up(patch, folder)
        with pytest.raises(PermedError, match=rf"^{re.escape(str(out))}: No space left"):
            _run("export", "--format", fmt, "-o", str(out))
    assert files_in(folder) == {out.name: b"the export of last week\n"}
    assert _run("export", "--format", fmt, "-o", str(out)).exit_code == 0
    assert files_in(folder) == {out.name: _run("export", "--format", fmt).stdout.encode()}
