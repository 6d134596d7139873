"""The directory in the platform database: seed loading, edits with revisions, links, queries.

Each function takes a Session; the caller owns the transaction. Seed rule:
``load_seed_directory`` inserts entries missing from the database and updates
entries no editor has touched; an entry an editor changed (or restored) is kept
as the editor left it, and the load reports it as kept.
"""

from permed_atlas.directory.store.entries import (
    entry_state,
    get_entry,
    list_entries,
    match_funding,
    related_entries,
    search_directory,
)
from permed_atlas.directory.store.revisions import (
    MAX_COMMENT,
    check_in_db,
    clean_comment,
    get_revision,
    insert_entry,
    list_revisions,
    restore_revision,
    update_entry,
)
from permed_atlas.directory.store.seed import load_seed_directory

__all__ = [
    "MAX_COMMENT",
    "check_in_db",
    "clean_comment",
    "entry_state",
    "get_entry",
    "get_revision",
    "insert_entry",
    "list_entries",
    "list_revisions",
    "load_seed_directory",
    "match_funding",
    "related_entries",
    "restore_revision",
    "search_directory",
    "update_entry",
]
