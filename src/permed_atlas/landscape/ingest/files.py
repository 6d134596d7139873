"""Which files an ingest reads: directories stand for the files inside them, and each file
is checked (there, not empty, readable, the right format) before anything is stored."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import IngestError
from permed_atlas.landscape.ingest._common import read_head
from permed_atlas.landscape.ingest.patents import detect_patent_format

# Names a directory's data files end with, per source. OpenAlex snapshot parts are
# "part_000.gz"; PubMed's FTP folders hold a ".md5" beside each ".xml.gz", and the
# OpenAlex snapshot a "manifest": neither is read.
DATA_SUFFIXES: dict[str, tuple[str, ...]] = {
    "openalex": (".json", ".jsonl", ".gz"),
    "pubmed": (".xml", ".gz"),
    "patents": (".json", ".jsonl", ".xml", ".gz"),
}


def _data_files(directory: Path, source: str) -> list[Path]:
    suffixes = DATA_SUFFIXES[source]
    found = []
    for path in directory.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if not hidden and path.is_file() and path.name.lower().endswith(suffixes):
            found.append(path)
    return sorted(found)


def check_file(path: Path, *, source: str) -> None:
    """Raise :class:`IngestError` naming ``path`` unless it is a non-empty, readable file of
    ``source``'s format; reads only its first kilobytes.

    :param path: the file.
    :param source: "openalex", "pubmed" or "patents".
    """
    if source == "patents":
        detect_patent_format(path)
        return
    head = read_head(path, 16384)  # missing, directory, empty, unreadable, cut: all raise here
    if source == "openalex" and head.lstrip()[:1] not in (b"{", b"["):
        raise IngestError(
            Message(
                "%(path)s: not OpenAlex JSON (it does not start with { or [)",
                path=path,
            )
        )
    if source == "pubmed" and b"<PubmedArticleSet" not in head:
        raise IngestError(
            Message(
                "%(path)s: not PubMed XML (no <PubmedArticleSet> at its start)",
                path=path,
            )
        )


def expand_paths(paths: Iterable[Path | str], *, source: str) -> list[Path]:
    """The files to read, in order: a directory gives its data files (recursively, sorted,
    hidden ones skipped); every file is checked before any is read.

    :param paths: files or directories, as the user named them.
    :param source: "openalex", "pubmed" or "patents".
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = _data_files(path, source)
            if not inside:
                looked = ", ".join(f"*{suffix}" for suffix in DATA_SUFFIXES[source])
                raise IngestError(
                    Message(
                        "%(path)s: directory holds no %(source)s files (%(looked)s)",
                        path=path,
                        source=source,
                        looked=looked,
                    )
                )
            files.extend(inside)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise IngestError(Message("%(path)s: not a regular file", path=path))
        else:
            raise IngestError(Message("%(path)s: no such file", path=path))
    for file in files:
        check_file(file, source=source)
    return files
