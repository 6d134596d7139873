"""Errors of the helpdesk capability.

::

    PermedError
    └── HelpdeskError
        ├── KnowledgeFileError     a knowledge file or entry is malformed (names file, entry, field)
        ├── HelpdeskInputError     an empty question, unknown country code or topic
        │                          (also an InvalidInputError: HTTP 422)
        └── EntryNotFoundError     no entry with that id (also a NotFoundError: HTTP 404)
"""

from __future__ import annotations

from permed_atlas.datafiles import DataFileError
from permed_atlas.errors import InvalidInputError, NotFoundError, PermedError
from permed_atlas.i18n import field_message


class HelpdeskError(PermedError):
    """Base of the helpdesk capability's errors."""


class KnowledgeFileError(HelpdeskError, DataFileError):
    """A knowledge file is malformed (path, entry id or position, field: see DataFileError)."""


class HelpdeskInputError(HelpdeskError, InvalidInputError):
    """A question, country or topic the helpdesk cannot use; ``field`` names it."""

    def __init__(self, message: str, *, field: str) -> None:
        InvalidInputError.__init__(self, field_message(field, message), field=field)


class EntryNotFoundError(HelpdeskError, NotFoundError):
    """No knowledge entry has this id."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"no helpdesk entry with id {entry_id!r}")
        self.entry_id = entry_id
