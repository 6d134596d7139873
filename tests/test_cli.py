from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from permed_atlas.cli_state import counted


def test_permed_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "permed" in result.stdout.lower()


def test_permed_errors_exit_non_zero_with_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    # A narrow terminal: the error still comes as one line, its path unbroken.
    env = {**os.environ, "PERMED_DATA_DIR": str(tmp_path / "d"), "COLUMNS": "40"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "permed_atlas",
            "ingest",
            "openalex",
            str(tmp_path / "missing.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(tmp_path / "missing.jsonl") in result.stderr


def test_a_message_piped_to_a_file_is_one_line_however_narrow_the_terminal(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import os

    data_dir = tmp_path / "a-directory-name-long-enough-to-fold" / "permed-data"
    env = {**os.environ, "PERMED_DATA_DIR": str(data_dir), "COLUMNS": "40"}
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "tag", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1, result.stdout
    assert f"would tag {data_dir / 'corpus.duckdb'} with" in result.stdout


def test_usage_errors_exit_non_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode == 2


# --- start-up cost: `permed --help` must not import the capabilities ------------------------

# Each of these costs between 0.1 and 1 s to import; a help screen needs none of them.
HEAVY_MODULES = [
    "altair", "fastapi", "starlette", "sqlalchemy", "duckdb", "jinja2", "networkx", "numpy",
    "scipy", "pydantic_settings", "permed_atlas.web", "permed_atlas.db", "permed_atlas.settings",
]  # fmt: skip

_LIST_MODULES_AFTER = """
import sys
from pathlib import Path

import pytest
from permed_atlas.cli import app
try:
    app(sys.argv[1:], prog_name="permed")
except SystemExit:
    pass
print("--- modules ---")
print("\\n".join(sorted(sys.modules)))
"""


def _modules_imported_by(*arguments: str) -> tuple[str, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _LIST_MODULES_AFTER, *arguments], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    output, modules = result.stdout.split("--- modules ---", 1)
    return output, set(modules.split())


def _loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


def test_permed_help_imports_no_capability_and_no_heavy_library() -> None:
    from permed_atlas.capabilities import CAPABILITIES

    output, modules = _modules_imported_by("--help")
    for capability in CAPABILITIES:
        for name in [*capability.commands, *capability.groups]:
            assert name in output
        assert _loaded(modules, f"permed_atlas.{capability.name}") == []
    for heavy in HEAVY_MODULES:
        assert _loaded(modules, heavy) == [], f"`permed --help` imports {heavy}"


def test_a_capability_command_imports_only_that_capability() -> None:
    output, modules = _modules_imported_by("transfer", "assess", "--help")
    assert "--from" in output
    assert _loaded(modules, "permed_atlas.transfer.cli")
    for other in ["landscape", "delphi", "roadmap", "directory", "web", "partners", "accounts"]:
        assert _loaded(modules, f"permed_atlas.{other}") == []
    for heavy in ["altair", "fastapi", "sqlalchemy", "duckdb", "networkx", "numpy"]:
        assert _loaded(modules, heavy) == [], f"`permed transfer assess --help` imports {heavy}"


def test_declared_commands_are_exactly_what_each_cli_module_provides() -> None:
    """capabilities.py names each command and its summary; the modules must agree."""
    from permed_atlas.capabilities import CAPABILITIES
    from permed_atlas.cli import _capability_group, load_command

    for capability in CAPABILITIES:
        provided = set(_capability_group(capability.name).commands)
        declared = {**capability.commands, **capability.groups}
        assert provided == set(declared), f"{capability.name}: cli.py provides {sorted(provided)}"
        for name, summary in declared.items():
            real = load_command(name)
            first_paragraph = (real.short_help or real.help or "").split("\n\n")[0]
            assert " ".join(first_paragraph.split()) == " ".join(summary.split()), (
                f"the summary of `permed {name}` in capabilities.py differs from its help"
            )
            assert hasattr(real, "list_commands") == (name in capability.groups), name


def test_unknown_command_suggests_a_close_one_without_loading_everything() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "ingst"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "'ingest'" in result.stderr


# --- settings: read once per run, in the root callback's state -----------------------------


def test_each_run_reads_the_environment_once_without_clearing_a_cache(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    for name in ("first", "second"):
        monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / name))
        result = CliRunner().invoke(app, ["init"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name / "platform.sqlite").is_file()


def test_a_sub_app_run_on_its_own_gets_settings_too(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from permed_atlas.landscape.analysis_cli import regions_app

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(regions_app, ["list"])
    assert result.exit_code == 0, result.output
    assert "EU27 (bundled)" in result.output


def test_given_settings_win_over_the_environment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.cli_state import CliState
    from permed_atlas.settings import Settings

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "env"))
    given = Settings(data_dir=tmp_path / "given", environment="test")
    assert CliState(given).settings is given
    state = CliState()
    assert state.settings.data_dir == tmp_path / "env"
    assert state.settings is state.settings  # read once


def _permed(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "permed_atlas", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "40", **env},
    )


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for variable, value in [("PERMED_PORT", "abc"), ("PERMED_WEB_THREADS", "0")]:
        result = _permed("init", env={"PERMED_DATA_DIR": str(tmp_path / "d"), variable: value})
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr  # no traceback, no pydantic report
        assert lines[0].startswith(f"error: {variable}: '{value}': "), lines
    zh = _permed(
        "--lang", "zh", "init", env={"PERMED_DATA_DIR": str(tmp_path), "PERMED_PORT": "-5"}
    )
    assert zh.stderr.strip() == "错误: PERMED_PORT：'-5'：必须至少为 1", zh.stderr


def test_a_data_directory_that_is_a_file_is_one_line_for_every_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`permed init` says what is wrong; commands that make their own sub-folder name the path."""
    data_dir = tmp_path / "permed-data"
    data_dir.write_text("a file someone left here", encoding="utf-8")
    env = {"PERMED_DATA_DIR": str(data_dir)}
    init = _permed("init", env=env)
    assert init.returncode == 1
    assert init.stderr.strip() == f"error: PERMED_DATA_DIR: {data_dir} is a file, not a directory"
    for command in (["tag"], ["fetch", "pubmed", "--query", "x"]):
        result = _permed(*command, env=env)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {data_dir}"), (command, lines)
    assert data_dir.read_text(encoding="utf-8") == "a file someone left here"


def test_serve_and_demo_on_a_port_in_use_say_so_in_one_line_before_anything_else(
    tmp_path: Path,
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        data_dir = tmp_path / "d"
        env = {"PERMED_DATA_DIR": str(data_dir), "PERMED_PORT": str(port)}
        for command in (["serve"], ["demo", "--no-nodes"]):
            result = _permed(*command, env=env)
            assert result.returncode == 1, (command, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, (command, lines)  # not uvicorn's log lines, exit 3
            assert f"cannot listen on 127.0.0.1:{port} (" in lines[0], lines
            assert "PerMed Atlas on" not in result.stdout  # the address is not announced
        # the demo stopped before loading its data a second time
        assert not (data_dir / "corpus.duckdb").exists()


@pytest.mark.parametrize(
    ("n", "words", "expected"),
    [
        (1, ("node",), "1 node"),
        (0, ("node",), "0 nodes"),
        (2, ("entry", "entries"), "2 entries"),
        (1, ("entry", "entries"), "1 entry"),
        (12_000, ("work",), "12,000 works"),
    ],
)
def test_counts_take_the_number_of_their_noun(n, words, expected) -> None:
    assert counted(n, *words) == expected


def test_output_cut_short_by_the_reader_ends_quietly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # `permed transfer assess --help | head -50` printed "error: cannot read or write a
    # file: Broken pipe" after the 50 lines, most times (when head left while the help was
    # still being written); three runs make sure one of them meets a closed pipe.
    import os
    import shlex

    env = {**os.environ, "PERMED_DATA_DIR": str(tmp_path / "d"), "COLUMNS": "80"}
    permed = shlex.join([sys.executable, "-m", "permed_atlas", "transfer", "assess", "--help"])
    for _ in range(3):
        run = subprocess.run(
            ["sh", "-c", f"{permed} | head -50 > /dev/null"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert run.returncode == 0  # head's
        assert "error" not in run.stderr.lower() and "Traceback" not in run.stderr
