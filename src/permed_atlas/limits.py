"""The maximum lengths of free text the platform stores (documented in docs/security.md).

One rule for every text column of the platform database, enforced by
:func:`permed_atlas.db.check_text_lengths` on every write (ORM flush and
Core insert/update alike), so a new column is covered the day it is added:

- ``String(n)`` columns: ``n`` characters (PostgreSQL enforces it too);
- ``Text`` columns: :data:`TEXT_MAX_LENGTH`, unless :data:`COLUMN_MAX_LENGTH` says
  otherwise;
- ``JSON`` columns: each string inside, :data:`TEXT_MAX_LENGTH`.

Request bodies as a whole are limited by ``PERMED_MAX_BODY_BYTES`` (413).
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
"""The largest integer a database key or counter holds (SQLite INTEGER, PostgreSQL BIGINT):
a larger one from a request cannot name a row, and SQLite refuses to bind it (OverflowError)."""

TEXT_MAX_LENGTH = 20_000
"""Characters in any text field without a smaller limit (descriptions, statements)."""

COMMENT_MAX_LENGTH = 5_000
"""Characters in a comment or note: an expert's Delphi comment, an edit comment, a note."""

COLUMN_MAX_LENGTH: dict[str, int | None] = {
    "delphi_response.comment": COMMENT_MAX_LENGTH,
    "directory_revision.comment": COMMENT_MAX_LENGTH,
    "federation_access_request_node.note": COMMENT_MAX_LENGTH,
    "roadmap.source_note": COMMENT_MAX_LENGTH,
    "roadmap_indicator.note": COMMENT_MAX_LENGTH,
    # written by the hub from the nodes' answers, not typed by anyone; grows with the nodes
    "federation_access_request.result_json": None,
}
"""Limits of single ``table.column`` that differ from the rule (None: no limit)."""


class TextTooLongError(ValueError):
    """A text value longer than its column allows; names the field and both lengths."""

    def __init__(self, column: str, length: int, limit: int) -> None:
        super().__init__(f"{column}: {length:,} characters, at most {limit:,} allowed")
        self.column = column
        self.length = length
        self.limit = limit


def check_length(column: str, value: object, *, limit: int | None) -> None:
    """Raise :class:`TextTooLongError` when ``value`` (or a string inside it) is too long.

    :param column: ``table.column``, for the message.
    :param value: the value to be stored (strings, lists and dicts are checked).
    :param limit: the column's limit, None for no limit.
    """
    if limit is None:
        return
    if isinstance(value, str):
        if len(value) > limit:
            raise TextTooLongError(column, len(value), limit)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_length(column, key, limit=limit)
            check_length(column, item, limit=limit)
    elif isinstance(value, list | tuple):
        for item in value:
            check_length(column, item, limit=limit)
