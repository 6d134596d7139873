"""Errors of the transfer capability.

::

    PermedError
    └── TransferError
        ├── RuleFileError          a rule file is malformed (names file, rule id, field)
        ├── ScenarioError          bad or contradictory scenario input (names the field)
        │                          also an InvalidInputError
        └── DuoError               the DUO ontology file cannot be read
            └── DuoTermError       an unknown DUO code or a malformed consent term
                                   (also an InvalidInputError)
"""

from __future__ import annotations

from permed_atlas.errors import InvalidInputError, PermedError


class TransferError(PermedError):
    """Base of the transfer capability's errors."""


class RuleFileError(TransferError):
    """A rule file is malformed.

    :param path: the file.
    :param rule_id: the rule's id, when the problem is inside one rule.
    :param field: the field at fault (dotted path inside the rule).
    """

    def __init__(
        self, message: str, *, path: str, rule_id: str | None = None, field: str | None = None
    ) -> None:
        where = path
        if rule_id is not None:
            where += f": rule {rule_id!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.rule_id = rule_id
        self.field = field
        self.reason = message


class ScenarioError(TransferError, InvalidInputError):
    """A transfer scenario is malformed or contradicts itself; ``field`` names the field."""

    def __init__(self, message: str, *, field: str) -> None:
        InvalidInputError.__init__(self, f"{field}: {message}", field=field)
        self.reason = message


class DuoError(TransferError):
    """The DUO ontology cannot be loaded."""


class DuoTermError(DuoError, InvalidInputError):
    """An unknown DUO code, or a consent term or request that cannot be read."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        InvalidInputError.__init__(self, message, field=field)
