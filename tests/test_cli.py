from __future__ import annotations

import subprocess
import sys


def test_permed_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "permed" in result.stdout.lower()


def test_permed_errors_exit_non_zero_with_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {**os.environ, "PERMED_DATA_DIR": str(tmp_path / "d")}
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
    assert "missing.jsonl" in result.stderr


def test_usage_errors_exit_non_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode == 2
