"""Errors of the Delphi capability.

::

    PermedError
    └── DelphiError
        ├── StudyNotFoundError      (also NotFoundError) no such study, survey, round or item
        ├── InvalidTokenError       (also NotFoundError) an unknown or expired invitation link
        ├── RoundClosedError        (also ConflictError) the round takes no responses (now)
        ├── RatingError             (also InvalidInputError) a rating outside 1-5 or an unknown item
        ├── DuplicateSubmissionError (also ConflictError) the form was saved elsewhere meanwhile
        ├── PanelFileError          (also InvalidInputError) a bad panel CSV row; names line, field
        ├── StudyFileError          (also InvalidInputError) a study YAML is malformed
        ├── RoundStateError         a round operation that does not fit the round's state
        ├── ResultsNotPublishedError (also PermissionDeniedError) results the viewer may not see
        └── ResponsesFileError      (also InvalidInputError) a bad row in a responses CSV
"""

from __future__ import annotations

from typing import Any, TypeVar

from permed_atlas.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermedError,
    PermissionDeniedError,
)
from permed_atlas.i18n import Message


class DelphiError(PermedError):
    """Base of the Delphi capability's errors.

    An error an expert may see on the rating form keeps its English message (``str()``:
    the JSON API, logs) and, set by :func:`expert_error`, the catalog message it was made
    from, so the form shows it in the invitation's language (:meth:`translated`).
    """

    template: str | None = None
    values: dict[str, Any] = {}  # noqa: RUF012 - replaced per instance, never mutated

    def translated(self) -> str:
        """The message in the current language (English when it has no catalog message)."""
        if self.template is None:
            return super().translated()
        from permed_atlas.i18n import gettext

        return gettext(self.template) % self.values


_E = TypeVar("_E", bound=DelphiError)


def expert_error(cls: type[_E], template: str, /, *, field: str | None = None, **values: Any) -> _E:
    """An error whose message is ``template % values``, translatable on the rating form.

    :param cls: the error class.
    :param template: the English message, marked for the catalogs with ``gettext_noop``.
    :param field: the form field, for errors that take one.
    """
    message = template % values
    error = cls(message, field=field) if issubclass(cls, InvalidInputError) else cls(message)
    error.template = template
    error.values = values
    return error


class StudyNotFoundError(DelphiError, NotFoundError):
    """A study, survey, round, item, expert or action that does not exist."""


class InvalidTokenError(DelphiError, NotFoundError):
    """An invitation token that is unknown, revoked or expired."""


class RoundClosedError(DelphiError, ConflictError):
    """The round is closed (or not open yet) and takes no responses."""


class RatingError(DelphiError, InvalidInputError):
    """A rating that is not 1-5 or "no opinion", or names an item outside the round."""


class DuplicateSubmissionError(DelphiError, ConflictError):
    """The same response form was submitted again after another save."""


class PanelFileError(DelphiError, InvalidInputError):
    """A bad row in a panel CSV file; the message names the file, line and field.

    :param path: the file name as given.
    :param line: 1-based line number in the file (the header is line 1).
    """

    def __init__(self, message: str, *, path: str, line: int | None, field: str | None) -> None:
        where: str = path if line is None else f"{path}:{line}"
        if field:
            where = Message("%(where)s: field %(field)s", where=where, field=repr(field))
        # an uploaded file's problem is shown on the coordinator's page, in their language
        reason = Message("%(where)s: %(reason)s", where=where, reason=message)
        super().__init__(reason, field=field)
        self.path = path
        self.line = line
        self.reason = message


class StudyFileError(DelphiError, InvalidInputError):
    """A study definition (YAML) that is malformed; names the file and field."""


class RoundStateError(DelphiError):
    """An operation that the round's state does not allow (closing a closed round, ...)."""


class ResultsNotPublishedError(DelphiError, PermissionDeniedError):
    """Results that only the study's coordinators may see (unpublished, or an open round)."""


class ResponsesFileError(PanelFileError):
    """A bad row in a long responses CSV (expert, round, item, rating, comment)."""
