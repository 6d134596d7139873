"""Readers of real publication and patent formats, and the pipeline that stores them.

Each parser is a streaming generator yielding a :class:`~permed_atlas.landscape.models.Work`
per record, or a :class:`~permed_atlas.landscape.errors.RecordError` (not raised)
naming the file and line of a malformed one, and (PubMed update files) a
:class:`~permed_atlas.landscape.models.Deletion`. A file that ends inside a record
raises :class:`~permed_atlas.landscape.errors.TruncatedFileError` after the whole
records before the cut; the pipeline keeps those and reports the cut.
"""

from permed_atlas.landscape.ingest.epo import parse_epo
from permed_atlas.landscape.ingest.lens import parse_lens
from permed_atlas.landscape.ingest.merge import StoredWork, merge_record
from permed_atlas.landscape.ingest.openalex import parse_openalex, rebuild_abstract
from permed_atlas.landscape.ingest.patents import detect_patent_format, parse_patents
from permed_atlas.landscape.ingest.pipeline import (
    SOURCES,
    IngestSummary,
    Source,
    ingest_file,
    ingest_files,
)
from permed_atlas.landscape.ingest.pubmed import parse_pubmed
from permed_atlas.landscape.ingest.uspto import parse_uspto

__all__ = [
    "SOURCES",
    "IngestSummary",
    "Source",
    "StoredWork",
    "detect_patent_format",
    "ingest_file",
    "ingest_files",
    "merge_record",
    "parse_epo",
    "parse_lens",
    "parse_openalex",
    "parse_patents",
    "parse_pubmed",
    "parse_uspto",
    "rebuild_abstract",
]
