"""Errors of the directory capability.

::

    PermedError
    └── DirectoryError
        ├── DirectoryFileError       (also InvalidInputError) a data file or entry is malformed;
        │                            names the file, the entry and the field
        ├── InvalidEntryError        (also InvalidInputError) an edit, query or region is refused
        └── EntryNotFoundError       (also NotFoundError) unknown entry or revision

Every message names the file, entry or field at fault.
"""

from __future__ import annotations

from permed_atlas.errors import InvalidInputError, NotFoundError, PermedError


class DirectoryError(PermedError):
    """Base of the directory's errors."""


class DirectoryFileError(DirectoryError, InvalidInputError):
    """A directory data file, or one entry in it, is malformed."""


class InvalidEntryError(DirectoryError, InvalidInputError):
    """An edit, a search or a funding query that cannot be done as asked."""


class EntryNotFoundError(DirectoryError, NotFoundError):
    """No directory entry (or revision) with that id."""
