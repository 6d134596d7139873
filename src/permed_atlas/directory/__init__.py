"""Directory: funders, programmes and calls, laws, standards, initiatives and biobanks.

Shipped as data files (``permed_atlas/data/directory/*.yaml``), loaded into the
platform database, searchable, editable by editors with a kept history, and
matched against project descriptions (funding match).
"""

from permed_atlas.directory.errors import (
    DirectoryError,
    DirectoryFileError,
    EntryNotFoundError,
    InvalidEntryError,
)
from permed_atlas.directory.exports import export_entries
from permed_atlas.directory.files import (
    BUNDLED_DIRECTORY_DIR,
    DirectoryFiles,
    load_directory_files,
    load_funding_topics,
    parse_entry,
)
from permed_atlas.directory.funding import TopicRule, is_closed, rank_funding
from permed_atlas.directory.models import (
    KINDS,
    DirectoryEntry,
    FundingMatch,
    LoadSummary,
    RelatedEntry,
    Revision,
    SearchHit,
)
from permed_atlas.directory.search import search_entries
from permed_atlas.directory.store import (
    get_entry,
    get_revision,
    list_entries,
    list_revisions,
    load_seed_directory,
    match_funding,
    related_entries,
    restore_revision,
    search_directory,
    update_entry,
)

__all__ = [
    "BUNDLED_DIRECTORY_DIR",
    "KINDS",
    "DirectoryEntry",
    "DirectoryError",
    "DirectoryFileError",
    "DirectoryFiles",
    "EntryNotFoundError",
    "FundingMatch",
    "InvalidEntryError",
    "LoadSummary",
    "RelatedEntry",
    "Revision",
    "SearchHit",
    "export_entries",
    "get_entry",
    "get_revision",
    "list_entries",
    "list_revisions",
    "load_directory_files",
    "load_seed_directory",
    "match_funding",
    "parse_entry",
    "rank_funding",
    "is_closed",
    "TopicRule",
    "load_funding_topics",
    "related_entries",
    "restore_revision",
    "search_directory",
    "search_entries",
    "update_entry",
]
