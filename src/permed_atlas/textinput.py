"""Free text a user types into a form or a query: put on one line, refused when too long.

Shared by the capabilities that take a question, a comment, a note or a description,
so that each refuses an over-long text the same way: its own input error, naming the
field, with a message stating the limit. (The database's own column limits are in
:mod:`permed_atlas.limits`; these are the smaller limits of what a person types.)
"""

from __future__ import annotations

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message


def one_line(text: str | None) -> str:
    """``text`` with each run of white space (line breaks too) as one space, trimmed."""
    return " ".join((text or "").split())


def refuse_too_long(
    text: str,
    *,
    limit: int,
    field: str,
    message: str,
    error: type[InvalidInputError],
) -> None:
    """Raise ``error`` naming ``field`` when ``text`` has more than ``limit`` characters.

    :param limit: the most characters allowed.
    :param field: the form or query field the text came from.
    :param message: the English message, marked with ``gettext_noop``, with a
        ``%(limit)s`` placeholder.
    :param error: the capability's input error (an :class:`InvalidInputError`).
    """
    if len(text) > limit:
        raise error(Message(message, limit=limit), field=field)
