"""Errors of the roadmap capability.

::

    PermedError
    └── RoadmapError
        ├── RoadmapNotFoundError     (also NotFoundError) unknown roadmap, indicator or action
        ├── RoadmapExistsError       a roadmap or indicator with that code is already stored
        ├── InvalidRoadmapError      (also InvalidInputError) a malformed roadmap or indicator
        ├── ScopeError               (also InvalidInputError) unknown region, country or centre
        ├── ObservationError         (also InvalidInputError) wrong unit, early date, bad value
        │   └── ObservationImportError   a CSV file has bad rows; names every line and field
        └── ProjectionError          too few points to fit a trend

Every message names the file, line or field at fault.
"""

from __future__ import annotations

from permed_atlas.errors import InvalidInputError, NotFoundError, PermedError


class RoadmapError(PermedError):
    """Base of the roadmap's errors."""


class RoadmapNotFoundError(RoadmapError, NotFoundError):
    """A roadmap, indicator or action that does not exist."""


class RoadmapExistsError(RoadmapError, InvalidInputError):
    """A roadmap or indicator with the same code is already stored."""


class InvalidRoadmapError(RoadmapError, InvalidInputError):
    """A roadmap or indicator spec (file or form) is malformed."""


class ScopeError(RoadmapError, InvalidInputError):
    """An indicator's scope names an unknown region, country or centre."""


class ObservationError(RoadmapError, InvalidInputError):
    """An observation that does not fit its indicator."""


class ObservationImportError(ObservationError):
    """A CSV file of observations has bad rows; nothing from it was stored.

    :param path: the file.
    :param problems: ``(line, field, message)`` for every bad row found.
    """

    def __init__(self, path: str, problems: list[tuple[int, str, str]]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more bad rows)" if len(problems) > 1 else ""
        super().__init__(
            f"{path}:{first[0]}: field {first[1]!r}: {first[2]}{more}; nothing was stored",
            field=first[1],
        )
        self.path = path
        self.problems = problems


class ProjectionError(RoadmapError):
    """Too few points (or all on one date) to fit a trend."""
