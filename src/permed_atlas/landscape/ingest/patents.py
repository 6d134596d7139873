"""Patent files of any supported format, told apart by their content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest._common import read_head
from permed_atlas.landscape.ingest.epo import parse_epo
from permed_atlas.landscape.ingest.lens import parse_lens
from permed_atlas.landscape.ingest.uspto import parse_uspto
from permed_atlas.landscape.models import Work

PatentFormat = Literal["lens", "epo", "uspto"]


def detect_patent_format(path: Path | str) -> PatentFormat:
    """Which patent format ``path`` holds, from its first bytes (names and extensions lie).

    :param path: the file, plain or gzipped.
    """
    head = read_head(path, 16384)
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "lens"
    if b"<ep-patent-document" in head:
        return "epo"
    if b"<us-patent-grant" in head or b"<us-patent-application" in head:
        return "uspto"
    if b"Lens ID" in stripped.split(b"\n", 1)[0]:
        # Lens's other export: it has no applicant or inventor countries, which the counts
        # need, so it is named and the export that has them asked for.
        raise IngestError(
            Message(
                "%(path)s: a Lens CSV export, which this version does not read; export the "
                "same search from Lens as JSON Lines (Export, format JSON)",
                path=path,
            )
        )
    if b"<PubmedArticleSet" in head:
        raise IngestError(
            Message("%(path)s: this is PubMed XML; use `permed ingest pubmed`", path=path)
        )
    raise IngestError(
        Message(
            "%(path)s: not a patent file this version reads (Lens JSON "
            "Lines, EPO ep-patent-document XML, USPTO grant/application "
            "XML)",
            path=path,
        )
    )


def parse_patents(path: Path | str) -> Iterator[Work | RecordError]:
    """Yield a Work or a RecordError for each patent document of a file of any supported format.

    :param path: a Lens JSON Lines export, EPO XML or USPTO XML file, plain or gzipped.
    """
    parsers = {"lens": parse_lens, "epo": parse_epo, "uspto": parse_uspto}
    return parsers[detect_patent_format(path)](path)
