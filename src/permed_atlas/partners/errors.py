"""Errors of the partners capability.

::

    PermedError
    └── PartnersError                    profiles and the partner finder
        ├── ProfilesNotBuiltError        `permed partners build` has not run on this corpus
        ├── EmbeddingsUnavailableError   the `embeddings` extra is not installed
        ├── EmbeddingsNotReadyError      the profiles' embeddings are not computed yet (web)
        ├── UnknownAuthorError           (also NotFoundError) no profile with that id
        ├── UnknownInstitutionError      (also NotFoundError) no institution by that id or name
        ├── UnknownTopicError            (also NotFoundError) no topic with that code
        └── InvalidQueryError            (also InvalidInputError) empty text, limit out of range
"""

from __future__ import annotations

from typing import Any

from permed_atlas.errors import InvalidInputError, NotFoundError, PermedError


class PartnersError(PermedError):
    """Base of every error of the partners capability."""


class ProfilesNotBuiltError(PartnersError):
    """The researcher profiles have not been built from the corpus yet."""


class EmbeddingsUnavailableError(PartnersError):
    """``--method embeddings`` needs the optional ``embeddings`` extra."""


class EmbeddingsNotReadyError(PartnersError):
    """The profiles' embeddings of this corpus are not cached; a web request does not compute
    them (`permed partners build --embeddings` does)."""


class UnknownAuthorError(PartnersError, NotFoundError):
    """No researcher profile has this id, or a partial name fits several researchers.

    ``candidates`` holds the researchers whose names contain every word typed
    (:class:`~permed_atlas.partners.models.AuthorCandidate`), most prolific first.
    """

    def __init__(self, message: str, *, candidates: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


class UnknownInstitutionError(PartnersError, NotFoundError):
    """No institution in the profiles has this id or name."""


class UnknownTopicError(PartnersError, NotFoundError):
    """No topic of the tagging rules has this code."""


class InvalidQueryError(PartnersError, InvalidInputError):
    """A finder query that cannot be run; ``field`` names the offending field."""
