"""Errors of the federation capability.

::

    PermedError
    └── FederationError                  base of this capability
        ├── MappingError                 (InvalidInputError) bad mapping config or data row
        ├── FilterError                  (InvalidInputError) a filter that cannot be read
        ├── AuthError                    missing, malformed, forged, unknown or expired token (401)
        ├── RequesterNotAllowedError     (PermissionDenied) valid token, not on allow list (403)
        ├── BudgetExceededError          the requester used up today's query budget (429)
        ├── DifferencingRefusedError     the differencing guard refused the query (409)
        ├── NodesConfigError             (InvalidInputError, DataFileError) bad nodes.yaml
        └── AccessRequestError           negotiation: unknown request, bad decision
"""

from __future__ import annotations

from permed_atlas.datafiles import DataFileError
from permed_atlas.errors import InvalidInputError, PermedError, PermissionDeniedError
from permed_atlas.i18n import lazy_gettext


class FederationError(PermedError):
    """Base of every error raised by the federation capability."""


class MappingError(FederationError, InvalidInputError):
    """A mapping config or a data row that cannot be mapped; names the file, line and column."""


class FilterError(FederationError, InvalidInputError):
    """A query filter that cannot be parsed or names an unknown term."""


class AuthError(FederationError):
    """The token is missing, malformed, forged, from an unknown issuer or expired."""


class RequesterNotAllowedError(FederationError, PermissionDeniedError):
    """The token is valid but this node does not answer this requester."""


class BudgetExceededError(FederationError):
    """The requester has used up the node's query budget for the day."""


class DifferencingRefusedError(FederationError):
    """The query differs from an earlier one by a small cell and is refused."""


class NodesConfigError(FederationError, DataFileError, InvalidInputError):
    """The hub's nodes.yaml cannot be used (path, node id or position, field: see DataFileError)."""

    entry_label = lazy_gettext("node")


class AccessRequestError(FederationError, InvalidInputError):
    """An access request that does not exist or an answer that is not allowed."""
