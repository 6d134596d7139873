"""The root of every PerMed Atlas error.

Each capability hangs its own tree below ``PermedError``::

    PermedError
    ├── SettingsError               unsafe or unusable configuration
    ├── DatabaseError               the platform database cannot be reached or migrated
    ├── BusyError                   too much of one kind of work at once: try again later
    ├── landscape.LandscapeError    ingest, tagging, indicators
    ├── transfer.TransferError      scenario and rule files
    ├── delphi.DelphiError          studies, rounds, responses
    └── ...                         one base per capability

Domain errors carry no HTTP status; the web edge maps them (web/errors.py)
and the CLI prints one line naming the file, line or field and exits non-zero.
"""

from __future__ import annotations

import html


class PermedError(Exception):
    """Base class of all errors raised on purpose by PerMed Atlas.

    Raised with a composed ``permed_atlas.i18n.Message``, an error stays English as text
    (``str()``: the JSON API, the CLI, logs) and shows translated on a page (Jinja calls
    ``__html__``; code calls :meth:`translated`).
    """

    def translated(self) -> str:
        """The message in the current language (as ``str()`` when it is not a Message)."""
        message = self.args[0] if len(self.args) == 1 else None
        translate = getattr(message, "translated", None)
        if callable(translate) and str(message) == str(self):
            return str(translate())
        return str(self)

    def __html__(self) -> str:
        return html.escape(self.translated(), quote=True)


class SettingsError(PermedError):
    """The configuration is unsafe or cannot be used."""


class DatabaseError(PermedError):
    """The platform database cannot be reached, created or migrated."""


class NotFoundError(PermedError):
    """A named thing (work, user, study, ...) does not exist."""


class ConflictError(PermedError):
    """The request clashes with the current state: a closed round, a form saved elsewhere."""


class PermissionDeniedError(PermedError):
    """The caller is not allowed to do this."""


class InvalidInputError(PermedError):
    """Input that names a field (or file and line) and says what is wrong with it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BusyError(PermedError):
    """The server is doing as much of this kind of work as it takes at once; try again later.

    :param message: what is busy, for the person who asked.
    :param retry_after: seconds after which trying again is worthwhile.
    """

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
