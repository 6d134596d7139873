"""Federated biobank discovery: nodes answer counts under disclosure control, a hub merges them.

No record leaves a node. See node_app.py (the node's HTTP API), auth.py and
request_auth.py (one token per request, used once), node_store.py and
query_log.py (its samples, answers and log), disclosure.py and cellkey.py (the rules:
the cell key method), hub.py (fan-out), merge.py (counts merged as bounds), registry.py
(nodes.yaml), data_use.py (the intended-use questions) and negotiation.py (access requests).
"""

from permed_atlas.federation.auth import (
    TokenClaims,
    canonical_query,
    check_request_hash,
    check_requester,
    hash_request,
    issue_token,
    verify_token,
)
from permed_atlas.federation.cellkey import (
    PerturbationRow,
    PerturbationTable,
    build_perturbation_table,
    cell_key,
)
from permed_atlas.federation.data_use import data_use_from_values, purpose_choices, use_fields
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
    disclose_released,
    find_differencing_conflict,
    laplace_noise,
    noise_seed,
    perturb,
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
from permed_atlas.federation.hub import Hub, run_hub_query
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
    Selection,
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
from permed_atlas.federation.registry import HubConfig, load_hub_config, registry_path
from permed_atlas.federation.request_auth import NodeRequestAuth

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
    "NodeRequestAuth",
    "NodeStore",
    "NodesConfigError",
    "PerturbationRow",
    "PerturbationTable",
    "QueryHistory",
    "Range",
    "RequesterNotAllowedError",
    "Selection",
    "TokenClaims",
    "answer_access_request",
    "build_perturbation_table",
    "canonical_query",
    "cell_key",
    "check_request_hash",
    "check_requester",
    "count_bounds",
    "create_access_request",
    "data_use_from_values",
    "disclose",
    "disclose_released",
    "find_differencing_conflict",
    "get_access_request",
    "hash_request",
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
    "perturb",
    "purpose_choices",
    "query_from_json",
    "query_to_json",
    "registry_path",
    "run_hub_query",
    "start_command",
    "start_local_nodes",
    "use_fields",
    "verify_token",
]
