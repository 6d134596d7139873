"""``permed roadmap ...`` through the real top-level CLI and a real data directory."""

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
from permed_atlas.errors import PermedError


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "data"


def _run(*args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["roadmap", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_list_show_status_scorecard(data_dir: Path, tmp_path: Path) -> None:
    listed = json.loads(_run("list", "--format", "json").stdout)
    assert [r["slug"] for r in listed] == ["ic2permed", "sino-eu-permed"]
    shown = json.loads(_run("show", "ic2permed", "-f", "json").stdout)
    assert shown["pillars"][2]["title"] == "Research and clinical studies in PM"
    assert "Health literacy" in _run("show", "ic2permed").stdout
    assert _run("load", "--demo").exit_code == 0
    status = list(csv.DictReader(io.StringIO(_run("status", "--region", "CN", "-f", "csv").stdout)))
    assert status and {r["region"] for r in status} == {"CN"}
    card = json.loads(_run("scorecard", "ic2permed", "-f", "json").stdout)
    assert card["regions"][:2] == ["EU27", "CN"]
    table = _run("scorecard").stdout
    assert "EU27" in table and "on track" in table
    out = tmp_path / "milan.png"
    assert _run("chart", "dpyd-demo-milan", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_import_observations_dry_run_then_real(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(
        "indicator,date,value,unit,source\ndpyd-demo-lyon,2024-03-01,31,%,records\n",
        encoding="utf-8",
    )
    dry = _run("import-observations", str(path), "--dry-run")
    assert "would store 1" in dry.stdout
    real = _run("import-observations", str(path), "--entered-by", "M. Rossi")
    assert "stored 1" in real.stdout
    status = json.loads(_run("status", "-i", "dpyd-demo-lyon", "-f", "json").stdout)
    assert status[0]["observations"] == 1


def test_bad_file_gives_one_line_and_non_zero_exit(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "indicator,date,value,unit,source\ndpyd-demo-lyon,2019-03-01,31,%,records\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "argv", ["permed", "roadmap", "import-observations", str(path)])
    monkeypatch.setenv("COLUMNS", "40")  # the error is one line however narrow the terminal
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    message = capsys.readouterr().err
    assert len(message.strip().splitlines()) == 1, message
    assert f"{path}:2: field 'date'" in message
    assert "before the baseline date" in message


def test_a_chart_that_fills_the_disk_keeps_the_old_file_and_leaves_no_temporary(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run("load", "--demo").exit_code == 0
    folder = tmp_path / "charts"
    folder.mkdir()
    old = {"milan.svg": b"<svg>last quarter</svg>", "milan.png": b"\x89PNG last quarter"}
    for name, content in old.items():
        (folder / name).write_bytes(content)
    with monkeypatch.context() as patch:
        disk_fills_up(patch, folder)
        for name in old:
            with pytest.raises(PermedError, match=rf"^{re.escape(str(folder / name))}: No space"):
                _run("chart", "dpyd-demo-milan", "-o", str(folder / name))
    assert files_in(folder) == old
    for name in old:
        assert _run("chart", "dpyd-demo-milan", "-o", str(folder / name)).exit_code == 0
    new = files_in(folder)
    assert sorted(new) == sorted(old) and new["milan.png"].startswith(b"\x89PNG\r\n")
    assert new["milan.svg"].startswith(b"<svg") and b"last quarter" not in new["milan.svg"]
