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

from permed_atlas.datafiles import DataFileError
from permed_atlas.errors import InvalidInputError, PermedError
from permed_atlas.i18n import field_message, lazy_gettext


class TransferError(PermedError):
    """Base of the transfer capability's errors."""


class RuleFileError(TransferError, DataFileError):
    """A rule file is malformed; ``entry_id`` (also ``rule_id``) is the rule's id.

    :param path: the file.
    :param entry_id: the rule's id, when the problem is inside one rule.
    :param field: the field at fault (dotted path inside the rule).
    """

    entry_label = lazy_gettext("rule")

    @property
    def rule_id(self) -> str | None:
        """The id of the rule at fault, if any."""
        return self.entry_id


class ScenarioError(TransferError, InvalidInputError):
    """A transfer scenario is malformed or contradicts itself; ``field`` names the field."""

    def __init__(self, message: str, *, field: str) -> None:
        InvalidInputError.__init__(self, field_message(field, message), field=field)
        self.reason = message


class DuoError(TransferError):
    """The DUO ontology cannot be loaded."""


class DuoTermError(DuoError, InvalidInputError):
    """An unknown DUO code, or a consent term or request that cannot be read."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        InvalidInputError.__init__(self, message, field=field)
