"""Printing HTML to PDF with headless Chromium, shared by the reports that offer a PDF.

Chromium renders the same HTML the browser shows (inline CSS and SVG), so a
PDF needs no second layout engine; the Delphi report and the helpdesk answer
use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from permed_atlas.errors import PermedError
from permed_atlas.i18n import Message
from permed_atlas.outputfiles import written_beside


class PdfError(PermedError):
    """No Chromium, or Chromium could not print."""


def find_chromium() -> str | None:
    """A Chromium executable for printing PDFs (PERMED_CHROMIUM, then the PATH)."""
    candidate = os.environ.get("PERMED_CHROMIUM")
    if candidate and Path(candidate).exists():
        return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html: str, path: Path, *, timeout: float = 120, shown_as: Path | None = None) -> Path:
    """Print an HTML document to PDF with headless Chromium.

    :param html: a self-contained HTML document.
    :param path: the PDF file to write.
    :param timeout: seconds to wait for Chromium.
    :param shown_as: the file an error names, when ``path`` is a temporary one (a file of a
        set written together) nobody asked for.
    :raises PdfError: when Chromium is missing or fails.
    """
    chromium = find_chromium()
    if chromium is None:
        raise PdfError(
            Message(
                "no PDF: Chromium was not found (set PERMED_CHROMIUM); print the HTML page instead"
            )
        )
    # Chromium writes the PDF itself: it prints beside the target, which is replaced only by
    # a whole PDF, so a crash or a timeout half-way leaves the previous file as it was.
    with tempfile.TemporaryDirectory() as tmp, written_beside(path) as printed:
        source = Path(tmp) / "report.html"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={printed.resolve()}",
            source.as_uri(),
        ]
        completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if completed.returncode != 0 or not printed.exists() or printed.stat().st_size == 0:
            raise PdfError(
                Message(
                    "Chromium could not print %(path)s: %(detail)s",
                    path=shown_as or path,
                    detail=completed.stderr.decode(errors="replace")[-300:],
                )
            )
    return path
