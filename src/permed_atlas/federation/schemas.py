"""The federation's JSON answers (hub queries, nodes, access requests) as pydantic models.

They mirror, key for key, the dicts routes.py and merge.result_to_json build; their base
(``Answer``, forbidding unknown keys) makes a key added there without its field here fail the
response instead of vanishing.
"""

from __future__ import annotations

from pydantic import Field

from permed_atlas.api_schemas import Answer, schema_of
from permed_atlas.federation.models import DisclosedCount, NodeStatus

__all__ = [
    "AccessRequestPublic",
    "AccessRequestsPublic",
    "AddressedNodePublic",
    "BoundsPublic",
    "HubResultPublic",
    "NodeOutcomePublic",
    "RegisteredNodePublic",
]


class BoundsPublic(Answer):
    """A sum of disclosed counts: exact when lower equals upper."""

    lower: int
    upper: int
    nodes: int = Field(description="how many nodes the sum covers")
    display: str = Field(description='"12", or "10-14" when the count is a range')


# asdict(DisclosedCount) is the answer, so its fields are the record's.
NodeCountPublic = schema_of(
    DisclosedCount,
    name="NodeCountPublic",
    doc="What one node disclosed: the shown value and bounds of the true count.",
    fields={"perturbation": Field(description='"cell key", "laplace" or "none"')},
)


class ExcludedDatasetPublic(Answer):
    id: str
    reason: str


class NodeOutcomePublic(Answer):
    """One node's part of a hub query: its count, or why there is none."""

    id: str
    name: str
    region: str
    country: str
    status: NodeStatus
    reason: str
    count: NodeCountPublic | None  # type: ignore[valid-type]
    datasets_used: list[str]
    datasets_excluded: list[ExcludedDatasetPublic]
    elapsed_ms: float


class HubResultPublic(Answer):
    """A hub query's answer: per node, per region and in total."""

    query: str = Field(description="the question's canonical text")
    purpose: list[str]
    complete: bool = Field(description="every node answered")
    total: BoundsPublic
    regions: dict[str, BoundsPublic]
    nodes: list[NodeOutcomePublic]


class RegisteredNodePublic(Answer):
    """A node of the hub's registry (its secret never leaves the hub)."""

    id: str
    name: str
    url: str
    region: str
    country: str
    timeout_s: float


class AddressedNodePublic(Answer):
    node_id: str
    node_name: str
    matched: str
    status: str
    note: str
    answered_at: str | None


class AccessRequestPublic(Answer):
    """An access request and each addressed biobank's answer."""

    id: int
    requester_id: int
    title: str
    description: str
    purpose: str
    query: str
    created_at: str
    nodes: list[AddressedNodePublic]


class AccessRequestsPublic(Answer):
    mine: list[AccessRequestPublic]
    inbox: list[AccessRequestPublic]
    managed_nodes: list[str]
