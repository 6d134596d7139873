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

from permed_atlas.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermedError,
    PermissionDeniedError,
)


class DelphiError(PermedError):
    """Base of the Delphi capability's errors."""


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
        where = path if line is None else f"{path}:{line}"
        if field:
            where = f"{where}: field {field!r}"
        super().__init__(f"{where}: {message}", field=field)
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
