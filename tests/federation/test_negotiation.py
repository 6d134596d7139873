"""Access requests in the platform database: addressing, answering, permissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from permed_atlas.accounts import create_user
from permed_atlas.errors import NotFoundError, PermissionDeniedError
from permed_atlas.federation.errors import AccessRequestError
from permed_atlas.federation.merge import merge_outcomes, result_to_json
from permed_atlas.federation.models import CountQuery, DisclosedCount, NodeOutcome
from permed_atlas.federation.negotiation import (
    answer_access_request,
    create_access_request,
    get_access_request,
    list_access_requests,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def result(*outcomes: NodeOutcome):  # type: ignore[no-untyped-def]
    return merge_outcomes(CountQuery(), outcomes)


def node(node_id: str, count: DisclosedCount | None, status: str = "ok") -> NodeOutcome:
    return NodeOutcome(node_id, node_id.title(), "EU", "DE", status, count=count)  # type: ignore[arg-type]


HIT = DisclosedCount("12", 12, 12, 12, False, True, "exact")
ZERO = DisclosedCount("0", 0, 0, 0, False, False, "exact")
SMALL = DisclosedCount("<5", None, 1, 4, True, True, "imprecise")


def test_request_is_addressed_to_possible_matches_only(session: Session) -> None:
    user = create_user(session, email="r@example.org", password="a-long-password", role="member")
    hub_result = result(
        node("a", HIT), node("b", SMALL), node("c", ZERO), node("d", None, "timeout")
    )
    made = create_access_request(
        session,
        requester_id=user.id,
        title="Sera",
        description="why",
        result=hub_result,
        result_json=result_to_json(hub_result),
        now=NOW,
    )
    session.commit()
    assert [n.node_id for n in made.nodes] == ["a", "b"]
    assert [n.matched for n in made.nodes] == ["12", "<5"]
    assert get_access_request(session, made.id).result["total"]["lower"] == 13
    assert [r.id for r in list_access_requests(session, requester_id=user.id)] == [made.id]
    assert [r.id for r in list_access_requests(session, node_ids=["b"])] == [made.id]
    assert list_access_requests(session, node_ids=["c"]) == []


def test_answers_only_by_the_nodes_managers(session: Session) -> None:
    user = create_user(session, email="r2@example.org", password="a-long-password", role="member")
    manager = create_user(session, email="m@example.org", password="a-long-password", role="member")
    hub_result = result(node("a", HIT), node("b", HIT))
    made = create_access_request(
        session,
        requester_id=user.id,
        title="T",
        description="",
        result=hub_result,
        result_json={},
        now=NOW,
    )
    with pytest.raises(PermissionDeniedError):
        answer_access_request(
            session,
            made.id,
            node_id="a",
            decision="approved",
            note="",
            manager_id=manager.id,
            managed_nodes=["b"],
            now=NOW,
        )
    with pytest.raises(AccessRequestError):
        answer_access_request(
            session,
            made.id,
            node_id="a",
            decision="maybe",
            note="",
            manager_id=manager.id,
            managed_nodes=["a"],
            now=NOW,
        )
    with pytest.raises(AccessRequestError):
        answer_access_request(
            session,
            made.id,
            node_id="z",
            decision="approved",
            note="",
            manager_id=manager.id,
            managed_nodes=["z"],
            now=NOW,
        )
    answered = answer_access_request(
        session,
        made.id,
        node_id="b",
        decision="needs_info",
        note="which project?",
        manager_id=manager.id,
        managed_nodes=["b"],
        now=NOW,
    )
    b = next(n for n in answered.nodes if n.node_id == "b")
    assert (b.status, b.note, b.answered_by_id) == ("needs_info", "which project?", manager.id)
    assert next(n for n in answered.nodes if n.node_id == "a").status == "pending"


def test_nothing_to_ask_and_bad_titles_are_refused(session: Session) -> None:
    user = create_user(session, email="r3@example.org", password="a-long-password", role="member")
    with pytest.raises(AccessRequestError, match="no biobank matched"):
        create_access_request(
            session,
            requester_id=user.id,
            title="T",
            description="",
            result=result(node("c", ZERO)),
            result_json={},
            now=NOW,
        )
    with pytest.raises(AccessRequestError, match="title"):
        create_access_request(
            session,
            requester_id=user.id,
            title="  ",
            description="",
            result=result(node("a", HIT)),
            result_json={},
            now=NOW,
        )
    with pytest.raises(NotFoundError):
        get_access_request(session, 999)
