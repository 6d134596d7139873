"""Free text a user types into a form or a query: put on one line, refused when too long;
and the one form an email address is compared in (:func:`email_key`).

Shared by the capabilities that take a question, a comment, a note or a description,
so that each refuses an over-long text the same way: its own input error, naming the
field, with a message stating the limit. (The database's own column limits are in
:mod:`permed_atlas.limits`; these are the smaller limits of what a person types.)
"""

from __future__ import annotations

import unicodedata

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


# Scripts with letters that look like Latin ones: a part of an address mixing two of them
# ("аda", Cyrillic а) is a lookalike of another account, not a second person's address.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


def email_key(email: str) -> str:
    """The form an email address is stored, compared and looked up in.

    NFKC with case folding (Unicode's caseless identifier match), trimmed: a full-width
    address typed with a Chinese input method, a decomposed ``ä`` and ``ß`` meet the
    address they look like, where ``lower()`` kept each a login of its own.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).casefold())
    return folded.strip()


def email_lookalike_problem(address: str) -> str | None:
    """Why ``address`` (already an :func:`email_key`) would pass for another, or None.

    An invisible character (a zero-width space, a direction override) or a part mixing
    Latin, Cyrillic and Greek letters makes an address that reads like an existing one.
    """
    if any(not c.isprintable() or c.isspace() for c in address):
        return "invisible"
    local, _, domain = address.partition("@")
    for part in (local, *domain.split(".")):
        scripts = {unicodedata.name(c, "?").split()[0] for c in part if c.isalpha()}
        if len(scripts & _CONFUSABLE_SCRIPTS) > 1:
            return "mixed-script"
    return None
