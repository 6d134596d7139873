"""Access requests: from a hub query result to the biobanks that matched, and their answers.

Design: requests live in the platform database (the hub's side), not at the
nodes. A node only ever answers counts; the people who decide on access are
the node's managers, named by e-mail in the hub's nodes.yaml and logged in to
the platform. A request is addressed to every node whose answer could hold
samples (status ok and an upper bound above zero); each addressed node gets
its own row, which only that node's managers may answer (approved, rejected,
or needs_info with a note). The caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.db import model_from_row
from permed_atlas.errors import NotFoundError, PermissionDeniedError
from permed_atlas.federation.errors import AccessRequestError
from permed_atlas.federation.models import HubResult, NodeOutcome
from permed_atlas.federation.tables import AccessRequestNodeRow, AccessRequestRow
from permed_atlas.i18n import Message, TranslatedLabels
from permed_atlas.i18n import gettext_noop as N_

DECISIONS = ("approved", "rejected", "needs_info")

STATUS_LABELS = TranslatedLabels({
    "ok": N_("ok"), "timeout": N_("timeout"), "unreachable": N_("unreachable"),
    "unauthorized": N_("not authorised"), "forbidden": N_("forbidden"), "refused": N_("refused"),
    "over_budget": N_("query budget used up"), "excluded_by_consent": N_("excluded by consent"),
    "error": N_("error"), "pending": N_("pending"), "approved": N_("approved"),
    "rejected": N_("rejected"), "needs_info": N_("needs more information"),
})  # fmt: skip
"""A biobank's answer and an access request's state, as pages show them (the API keeps codes)."""


@dataclass(frozen=True)
class AddressedNode:
    """One biobank an access request is addressed to, with its manager's answer."""

    node_id: str
    node_name: str
    matched: str
    status: str
    note: str
    answered_by_id: int | None
    answered_at: datetime | None


@dataclass(frozen=True)
class AccessRequest:
    """A requester's access request and where it stands at each biobank."""

    id: int
    requester_id: int
    title: str
    description: str
    purpose: str
    query_key: str
    result: dict[str, object]
    created_at: datetime
    nodes: tuple[AddressedNode, ...]


def _to_model(row: AccessRequestRow, nodes: list[AccessRequestNodeRow]) -> AccessRequest:
    return model_from_row(
        AccessRequest,
        row,
        result=json.loads(row.result_json),
        nodes=tuple(
            AddressedNode(
                n.node_id, n.node_name, n.matched, n.status, n.note, n.answered_by_id, n.answered_at
            )
            for n in sorted(nodes, key=lambda n: n.node_id)
        ),
    )


def matched_outcomes(result: HubResult) -> list[NodeOutcome]:
    """The nodes whose answer may hold samples: the ones an access request goes to."""
    return [o for o in result.outcomes if o.status == "ok" and o.count and o.count.upper > 0]


def create_access_request(
    session: Session,
    *,
    requester_id: int,
    title: str,
    description: str,
    result: HubResult,
    result_json: dict[str, object],
    now: datetime,
) -> AccessRequest:
    """Turn a hub result into a request addressed to the biobanks that matched.

    :param requester_id: the platform user asking.
    :param title: a short title.
    :param description: what the samples are for.
    :param result: the hub result the request is made from.
    :param result_json: the same result as JSON, kept with the request.
    :param now: the time of the request.
    :raises AccessRequestError: when the title is empty or no node matched.
    """
    if not title.strip():
        raise AccessRequestError(Message("title must not be empty"), field="title")
    matched = matched_outcomes(result)
    if not matched:
        raise AccessRequestError(
            Message("no biobank matched this query, so there is nobody to ask"),
            field="result",
        )
    row = AccessRequestRow(
        requester_id=requester_id,
        title=title.strip()[:300],
        description=description.strip(),
        purpose=",".join(result.purpose),
        query_key=result.query.key(),
        result_json=json.dumps(result_json, sort_keys=True),
        created_at=now,
    )
    session.add(row)
    session.flush()
    nodes = [
        AccessRequestNodeRow(
            request_id=row.id,
            node_id=o.node_id,
            node_name=o.name,
            matched=o.count.display if o.count else "",
            status="pending",
            note="",
        )
        for o in matched
    ]
    session.add_all(nodes)
    session.flush()
    return _to_model(row, nodes)


def get_access_request(session: Session, request_id: int) -> AccessRequest:
    """One access request with its addressed nodes.

    :raises NotFoundError: when there is no such request.
    """
    row = session.get(AccessRequestRow, request_id)
    if row is None:
        raise NotFoundError(
            Message("access request %(request_id)s does not exist", request_id=request_id)
        )
    nodes = list(
        session.scalars(
            select(AccessRequestNodeRow).where(AccessRequestNodeRow.request_id == request_id)
        )
    )
    return _to_model(row, nodes)


def list_access_requests(
    session: Session,
    *,
    requester_id: int | None = None,
    node_ids: Collection[str] | None = None,
) -> list[AccessRequest]:
    """Requests made by one requester, or addressed to some nodes (a manager's inbox), newest first.

    :param requester_id: only this requester's requests.
    :param node_ids: only requests addressed to one of these nodes.
    """
    stmt = select(AccessRequestRow).order_by(AccessRequestRow.id.desc())
    if requester_id is not None:
        stmt = stmt.where(AccessRequestRow.requester_id == requester_id)
    if node_ids is not None:
        stmt = stmt.where(
            AccessRequestRow.id.in_(
                select(AccessRequestNodeRow.request_id).where(
                    AccessRequestNodeRow.node_id.in_(list(node_ids))
                )
            )
        )
    rows = list(session.scalars(stmt))
    if not rows:
        return []
    nodes = list(
        session.scalars(
            select(AccessRequestNodeRow).where(
                AccessRequestNodeRow.request_id.in_([r.id for r in rows])
            )
        )
    )
    return [_to_model(r, [n for n in nodes if n.request_id == r.id]) for r in rows]


def answer_access_request(
    session: Session,
    request_id: int,
    *,
    node_id: str,
    decision: str,
    note: str,
    manager_id: int,
    managed_nodes: Collection[str],
    now: datetime,
) -> AccessRequest:
    """Record a node manager's answer to a request addressed to their node.

    :param request_id: the request.
    :param node_id: the node answering.
    :param decision: approved, rejected or needs_info.
    :param note: the manager's message to the requester.
    :param manager_id: the platform user answering.
    :param managed_nodes: the nodes this user manages (from nodes.yaml).
    :raises PermissionDeniedError: when the user does not manage ``node_id``.
    :raises AccessRequestError: for an unknown decision or a node not addressed.
    """
    if decision not in DECISIONS:
        raise AccessRequestError(
            Message("decision must be one of %(decisions)s", decisions=DECISIONS),
            field="decision",
        )
    if node_id not in managed_nodes:
        raise PermissionDeniedError(
            Message("you do not manage node %(node_id)s", node_id=repr(node_id))
        )
    row = session.scalars(
        select(AccessRequestNodeRow).where(
            AccessRequestNodeRow.request_id == request_id, AccessRequestNodeRow.node_id == node_id
        )
    ).first()
    if row is None:
        raise AccessRequestError(
            Message(
                "access request %(request_id)s is not addressed to node %(node_id)s",
                request_id=request_id,
                node_id=repr(node_id),
            ),
            field="node_id",
        )
    row.status = decision
    row.note = note.strip()
    row.answered_by_id = manager_id
    row.answered_at = now
    session.flush()
    return get_access_request(session, request_id)
