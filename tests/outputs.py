"""Exports that fail half-way, for the tests that an output file is written whole or not at all.

- :func:`disk_fills_up`: from now on, a file opened for writing in one folder takes a few
  bytes and then raises ``ENOSPC``, as a full disk does, whichever writer opened it
  (``Path.write_text``, ``open``, ``zipfile``).
- :func:`fake_chromium`: a "Chromium" that prints part of a PDF and then fails (or prints it
  whole), set as ``PERMED_CHROMIUM``.
- :func:`files_in`: a folder's files and their bytes, to compare before and after a run.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest


class _FillingFile:
    """A file that takes ``room`` more bytes (or characters) and then refuses, disk full."""

    def __init__(self, file: Any, room: int) -> None:
        self._file = file
        self._room = room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            self._file.write(data[: self._room])  # what a full disk takes, it keeps
            self._file.flush()
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._file.name)
        self._room -= len(data)
        return int(self._file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def disk_fills_up(monkeypatch: pytest.MonkeyPatch, folder: Path, *, after: int = 10) -> None:
    """Make the disk of ``folder`` full once ``after`` bytes of a new write are in.

    :param folder: only files opened for writing directly in it fill up (the data
        directory and everything else are written as usual).
    :param after: how many bytes (characters in text mode) each file takes first.
    """
    real_open = io.open
    full = folder.resolve()

    def filling_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        writes = any(flag in mode for flag in "wax+")
        named = isinstance(file, (str, os.PathLike))
        if writes and named and Path(os.path.abspath(file)).parent.resolve() == full:
            return _FillingFile(handle, after)
        return handle

    monkeypatch.setattr(io, "open", filling_open)
    monkeypatch.setattr(builtins, "open", filling_open)


FAKE_CHROMIUM = """\
import sys
path = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
with open(path, "wb") as out:
    out.write({content!r})
sys.exit({code})
"""


def fake_chromium(
    monkeypatch: pytest.MonkeyPatch, folder: Path, *, prints: bytes, exit_code: int
) -> None:
    """Set ``PERMED_CHROMIUM`` to a script that writes ``prints`` as the PDF and exits.

    :param folder: where the script goes (not the export's folder).
    :param prints: the bytes it writes to ``--print-to-pdf``.
    :param exit_code: non-zero for a Chromium that crashed after printing part of it.
    """
    script = folder / "chromium.py"
    script.write_text(FAKE_CHROMIUM.format(content=prints, code=exit_code), encoding="utf-8")
    launcher = folder / "chromium"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    monkeypatch.setenv("PERMED_CHROMIUM", str(launcher))


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones too) and its bytes."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}
