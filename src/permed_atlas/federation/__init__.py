"""Federated biobank discovery: nodes answer counts under disclosure control, a hub merges them.

No record leaves a node. See node_app.py (the node's HTTP API), disclosure.py
(the rules), hub.py (fan-out and merge) and negotiation.py (access requests).
"""

from permed_atlas.federation.auth import TokenClaims, check_requester, issue_token, verify_token
from permed_atlas.federation.demo_nodes import (
    DemoFederation,
    LocalNode,
    local_nodes,
    probe_nodes,
    start_command,
    start_local_nodes,
)
from permed_atlas.federation.disclosure import (
    QueryHistory,
    count_bounds,
    disclose,
    find_differencing_conflict,
    laplace_noise,
    noise_seed,
)
from permed_atlas.federation.errors import (
    AccessRequestError,
    AuthError,
    BudgetExceededError,
    DifferencingRefusedError,
    FederationError,
    FilterError,
    MappingError,
    NodesConfigError,
    RequesterNotAllowedError,
)
from permed_atlas.federation.hub import (
    Hub,
    HubConfig,
    load_hub_config,
    registry_path,
    run_hub_query,
)
from permed_atlas.federation.icd10 import IcdPattern, normalise_code, parse_pattern
from permed_atlas.federation.mapping import NodeConfig, load_node_config
from permed_atlas.federation.models import (
    CountBounds,
    CountQuery,
    Dataset,
    DisclosedCount,
    DisclosureRules,
    HubResult,
    NodeEndpoint,
    NodeOutcome,
    Range,
)
from permed_atlas.federation.negotiation import (
    AccessRequest,
    AddressedNode,
    answer_access_request,
    create_access_request,
    get_access_request,
    list_access_requests,
)
from permed_atlas.federation.node_store import NodeStore, open_node_store
from permed_atlas.federation.query import query_from_json, query_to_json

__all__ = [
    "AccessRequest",
    "AccessRequestError",
    "AddressedNode",
    "AuthError",
    "BudgetExceededError",
    "CountBounds",
    "CountQuery",
    "Dataset",
    "DemoFederation",
    "DifferencingRefusedError",
    "DisclosedCount",
    "DisclosureRules",
    "FederationError",
    "FilterError",
    "Hub",
    "HubConfig",
    "HubResult",
    "IcdPattern",
    "LocalNode",
    "MappingError",
    "NodeConfig",
    "NodeEndpoint",
    "NodeOutcome",
    "NodeStore",
    "NodesConfigError",
    "QueryHistory",
    "Range",
    "RequesterNotAllowedError",
    "TokenClaims",
    "answer_access_request",
    "check_requester",
    "count_bounds",
    "create_access_request",
    "disclose",
    "find_differencing_conflict",
    "get_access_request",
    "issue_token",
    "laplace_noise",
    "list_access_requests",
    "load_hub_config",
    "load_node_config",
    "local_nodes",
    "noise_seed",
    "normalise_code",
    "open_node_store",
    "parse_pattern",
    "probe_nodes",
    "query_from_json",
    "query_to_json",
    "registry_path",
    "run_hub_query",
    "start_command",
    "start_local_nodes",
    "verify_token",
]
