"""Files handed to an import: not UTF-8, a folder, a YAML key given twice.

Each import command is run through the real ``permed`` entry point on a real data
directory: a bad file ends in one error line naming the file (and the line), exit
code 1, no traceback, and the database keeps what it held.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from permed_atlas.cli import app, main
from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.userfiles import load_yaml

# A CSV saved by a spreadsheet in Windows-1252: "é" is the single byte 0xE9.
LATIN1 = "name,email,country\nRené Dupont,rene@example.org,FR\n".encode("cp1252")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No COLUMNS here: a CLI module's console made at import keeps the width it sees then
    # (Rich), and a narrow one would cut the tables of every later test in this worker.
    # Under capture the consoles soft-wrap, so an error stays one line at any width.
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _permed(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """Run ``permed args`` as the console script does; its error line (it must fail)."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["permed", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    message = capsys.readouterr().err
    assert len(message.strip().splitlines()) == 1, message
    assert "Traceback" not in message
    return message


def _ok(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# Every command that reads a file a user hands it; {} is the file (or folder) given.
IMPORTS = [
    ["delphi", "import-panel", "demo-eu-china-pm", "{}"],
    ["delphi", "import-responses", "demo-eu-china-pm", "{}"],
    ["delphi", "create-study", "{}"],
    ["roadmap", "import-observations", "{}"],
    ["roadmap", "import-roadmap", "{}"],
]


@pytest.mark.parametrize("command", IMPORTS, ids=lambda c: " ".join(c[:2]))
def test_a_file_not_in_utf8_or_a_folder_is_named_not_a_traceback(
    command: list[str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ok("delphi", "create-study", str(BUNDLED_DATA_DIR / "delphi" / "demo_study.yaml"))
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(LATIN1)
    args = [part.replace("{}", str(sheet)) for part in command]
    message = _permed(args, monkeypatch, capsys)
    assert f"{sheet}:2: not UTF-8 text" in message
    folder = tmp_path / "exports"
    folder.mkdir()
    args = [part.replace("{}", str(folder)) for part in command]
    assert f"{folder}: is a folder, not a file" in _permed(args, monkeypatch, capsys)


def test_a_directory_file_not_in_utf8_is_named(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "entries"
    folder.mkdir()
    (folder / "funders.yaml").write_bytes(
        "entries:\n  - id: x\n    name: Fundação\n".encode("cp1252")
    )
    for command in (
        ["directory", "load", "--folder", str(folder)],
        ["directory", "validate", str(folder)],
    ):
        message = _permed(command, monkeypatch, capsys)
        assert f"{folder / 'funders.yaml'}:3: not UTF-8 text" in message, command


def test_a_roadmap_with_a_key_given_twice_is_refused_and_nothing_stored(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundled = BUNDLED_DATA_DIR / "roadmap" / "roadmaps" / "sino-eu-permed.yaml"
    text = bundled.read_text(encoding="utf-8").replace(
        "slug: sino-eu-permed\n", "slug: my-roadmap\nslug: my-other-roadmap\n"
    )
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    before = json.loads(_ok("roadmap", "list", "--format", "json"))
    message = _permed(["roadmap", "import-roadmap", str(path)], monkeypatch, capsys)
    line = text.splitlines().index("slug: my-other-roadmap") + 1
    assert f"{path}:{line}: not valid YAML" in message
    assert "'slug' is given twice" in message
    assert json.loads(_ok("roadmap", "list", "--format", "json")) == before


def test_a_node_config_mapping_one_code_twice_is_refused(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "W: female, W: male" would silently count every female donor as male
    folder = BUNDLED_DATA_DIR / "federation"
    text = (folder / "de-berlin.yaml").read_text(encoding="utf-8")
    assert "sex: {W: female, M: male," in text
    config = tmp_path / "bb.yaml"
    config.write_text(text.replace("sex: {W: female, M: male,", "sex: {W: female, W: male,"))
    args = ["node", "check", "--data", str(folder / "de-berlin.csv"), "--config", str(config)]
    message = _permed(args, monkeypatch, capsys)
    assert f"{config}: cannot read node config" in message
    assert "the key 'W' is given twice" in message


def test_a_directory_entry_with_a_field_given_twice_is_refused(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "entries"
    folder.mkdir()
    text = (BUNDLED_DATA_DIR / "directory" / "biobanks.yaml").read_text(encoding="utf-8")
    doubled = text.replace("    country: GB\n", "    country: GB\n    country: CN\n", 1)
    (folder / "biobanks.yaml").write_text(doubled, encoding="utf-8")
    message = _permed(["directory", "load", "--folder", str(folder)], monkeypatch, capsys)
    line = doubled.splitlines().index("    country: CN") + 1
    assert "biobanks.yaml: not valid YAML" in message and f"line {line}" in message
    assert "'country' is given twice" in message


def test_load_yaml_refuses_a_repeated_key_but_lets_a_merge_be_overridden() -> None:
    with pytest.raises(yaml.YAMLError, match="'a' is given twice"):
        load_yaml("x:\n  a: 1\n  b: 2\n  a: 3\n")
    merged = load_yaml("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  a: 3\n")
    assert merged["x"] == {"a": 3, "b": 2}


def test_every_bundled_yaml_file_has_each_key_once() -> None:
    for path in sorted(BUNDLED_DATA_DIR.rglob("*.yaml")):
        load_yaml(path.read_text(encoding="utf-8"))


def test_a_cell_over_the_csv_field_limit_is_refused_by_its_column_and_nothing_stored(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ok("roadmap", "load", "--demo")
    before = json.loads(_ok("roadmap", "status", "-i", "dpyd-demo-lyon", "-f", "json"))
    path = tmp_path / "obs.csv"
    path.write_text(
        "indicator,date,value,unit,source\n"
        f"dpyd-demo-lyon,2025-03-01,31,%,records\ndpyd-demo-lyon,2025-06-01,33,%,{'x' * 200_000}\n",
        encoding="utf-8",
    )
    message = _permed(["roadmap", "import-observations", str(path)], monkeypatch, capsys)
    assert "roadmap_observation.source: 200,000 characters, at most 20,000 allowed" in message
    after = json.loads(_ok("roadmap", "status", "-i", "dpyd-demo-lyon", "-f", "json"))
    assert after == before
