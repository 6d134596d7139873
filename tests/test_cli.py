from __future__ import annotations

import subprocess
import sys


def test_permed_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "permed_atlas", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "permed" in result.stdout.lower()
