"""The hub in the web app: the federated count page, access requests, and their JSON twins."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio.from_thread
from fastapi import Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from permed_atlas.accounts import User
from permed_atlas.errors import InvalidInputError, NotFoundError
from permed_atlas.federation.data_use import data_use_from_values, purpose_choices, use_fields
from permed_atlas.federation.demo_nodes import LocalNode, local_nodes, probe_nodes, start_command
from permed_atlas.federation.hub import Hub
from permed_atlas.federation.merge import result_to_json
from permed_atlas.federation.models import HubResult
from permed_atlas.federation.negotiation import (
    DECISIONS,
    STATUS_LABELS,
    AccessRequest,
    answer_access_request,
    create_access_request,
    get_access_request,
    list_access_requests,
    matched_outcomes,
)
from permed_atlas.federation.query import build_simple_query
from permed_atlas.federation.registry import HubConfig, load_hub_config, registry_path
from permed_atlas.federation.schemas import (
    AccessRequestPublic,
    AccessRequestsPublic,
    HubResultPublic,
    RegisteredNodePublic,
)
from permed_atlas.i18n import Message
from permed_atlas.icd10 import icd10_choices
from permed_atlas.settings import Settings
from permed_atlas.textinput import email_key
from permed_atlas.web.deps import (
    CsrfProtected,
    CurrentUser,
    FormDep,
    HubWork,
    MemberUser,
    PathId,
    SessionDep,
    SettingsDep,
    audited_redirect,
    client_network,
    json_router,
    page_router,
)
from permed_atlas.web.deps import render as render_page
from permed_atlas.web.templating import templates

router = page_router("federation")
templates.env.globals["federation_status"] = STATUS_LABELS
api_router = json_router("federation")

QUESTION_FIELDS = ("diagnosis", "sex", "material", "age", "year", "entity", "purpose")
# The intended-use facts are the DUO matcher's own (see data_use.py), so the page
# asks every one a consent modifier can need.
QUERY_FIELDS = QUESTION_FIELDS + tuple(item.name for item in use_fields())


def _registry(settings: Settings) -> HubConfig:
    return load_hub_config(registry_path(settings.data_dir))


def _form_values(params: Any) -> dict[str, str]:
    # A field given twice (diagnosis=C50&diagnosis=C18) reads as its comma form: a list
    # field asks for both, any other field gets a clear error. Taking one value would
    # answer another question than the one asked.
    return {
        name: ",".join(str(v).strip() for v in params.getlist(name) if str(v).strip())
        for name in QUERY_FIELDS
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def requester_of(request: Request, settings: Settings, user: User | None) -> str:
    """Whom the hub names to the nodes: the user, else this anonymous client.

    Each anonymous client is its own requester (a keyed hash of its address, so
    the nodes never see the address): one visitor can neither use up the daily
    budget of every other visitor nor see refusals caused by their questions.
    Each node's global daily cap bounds what many clients can ask together.

    A question another site sent the browser to (a link or redirect: ``Sec-Fetch-Site:
    cross-site``; a top-level GET carries the SameSite=Lax cookie) is asked as an anonymous
    visitor: in the user's name it would spend their daily budget and fill their
    differencing history with questions they never asked, and the nodes would log them.
    """
    if user is not None and request.headers.get("sec-fetch-site") != "cross-site":
        return f"user:{user.email}"
    address = client_network(request.client.host if request.client else "unknown")
    digest = hmac.new(
        settings.resolved_secret_key().encode("utf-8"),
        f"federation-client|{address}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"web:client:{digest[:20]}"


async def run_query(settings: Settings, values: dict[str, str], requester: str) -> HubResult:
    """Ask every registered node the question described by the form values.

    :param values: diagnosis, sex, material, age, year, entity, purpose and the
        intended-use facts of :func:`use_fields`, as typed in the form or query string.
    :param requester: from :func:`requester_of`.
    """
    question = build_simple_query(
        diagnosis=_split(values["diagnosis"]),
        sex=_split(values["sex"]),
        material=_split(values["material"]),
        age=values["age"] or None,
        year=values["year"] or None,
        entity=values["entity"] or "biosamples",
    )
    use = data_use_from_values(values)
    async with Hub(_registry(settings)) as hub:
        return await hub.query(question, requester=requester, use=use)


def _managed_nodes(config: HubConfig, user: User | None) -> list[str]:
    if user is None:
        return []
    return [n.id for n in config.nodes if email_key(user.email) in n.managers]


def _request_json(request: AccessRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "requester_id": request.requester_id,
        "title": request.title,
        "description": request.description,
        "purpose": request.purpose,
        "query": request.query_key,
        "created_at": request.created_at.isoformat(),
        "nodes": [
            {
                "node_id": n.node_id,
                "node_name": n.node_name,
                "matched": n.matched,
                "status": n.status,
                "note": n.note,
                "answered_at": n.answered_at.isoformat() if n.answered_at else None,
            }
            for n in request.nodes
        ],
    }


def _may_see(request: AccessRequest, user: User, managed: list[str]) -> bool:
    return (
        user.id == request.requester_id
        or user.role == "admin"
        or any(n.node_id in managed for n in request.nodes)
    )


def _as_seen_by(found: AccessRequest, user: User, managed: list[str]) -> AccessRequest:
    """The request as ``user`` may see it: the requester and admins see every biobank's
    answer; a node's manager only their own nodes' rows, not another biobank's decision,
    its note to the requester or its count."""
    if user.id == found.requester_id or user.role == "admin":
        return found
    return replace(found, nodes=tuple(n for n in found.nodes if n.node_id in managed))


def _inbox(session: Session, user: User, managed: list[str]) -> list[AccessRequest]:
    if not managed:
        return []
    found = list_access_requests(session, node_ids=managed)
    return [_as_seen_by(r, user, managed) for r in found]


def _offline_help(
    config: HubConfig, down: set[str], local: dict[str, LocalNode]
) -> list[dict[str, str]]:
    """For each node that is down: who it is and how to start it (or whom to ask)."""
    return [
        {
            "id": n.id,
            "name": n.name,
            "url": n.url,
            "start": start_command(local[n.id]) if n.id in local else "",
        }
        for n in config.nodes
        if n.id in down
    ]


@router.get("/")
def hub_page(
    _asking: HubWork, request: Request, settings: SettingsDep, user: CurrentUser
) -> Response:
    values = _form_values(request.query_params)
    config = _registry(settings)
    result = None
    if request.query_params.get("run"):
        # the page runs in a worker thread; the nodes are asked on the event loop
        result = anyio.from_thread.run(
            run_query, settings, values, requester_of(request, settings, user)
        )
        down = {o.node_id for o in result.outcomes if o.status == "unreachable"}
    else:
        # The informational endpoint is public: no token is spent on finding out who is up.
        down = anyio.from_thread.run(probe_nodes, config.nodes)
    return render_page(
        request,
        "federation/hub.html",
        {
            "values": values,
            "nodes": config.nodes,
            "result": result,
            "purposes": purpose_choices(),
            "use_fields": use_fields(),
            "result_json": result_to_json(result) if result else None,
            "json_url": "/api/v1/federation/query?" + str(request.query_params),
            "offline": _offline_help(config, down, local_nodes(registry_path(settings.data_dir))),
            "icd10_choices": icd10_choices(),
            "matched": matched_outcomes(result) if result else [],
        },
    )


@api_router.get("/query", response_model=HubResultPublic)
async def query_api(
    _asking: HubWork, request: Request, settings: SettingsDep, user: CurrentUser
) -> Any:
    """Ask every node; the same parameters as the page (diagnosis=C50&sex=female&purpose=HMB)."""
    result = await run_query(
        settings, _form_values(request.query_params), requester_of(request, settings, user)
    )
    return result_to_json(result)


@api_router.get("/nodes", response_model=list[RegisteredNodePublic])
def nodes_api(settings: SettingsDep) -> Any:
    """The registered nodes (without their secrets)."""
    return [
        {
            "id": n.id,
            "name": n.name,
            "url": n.url,
            "region": n.region,
            "country": n.country,
            "timeout_s": n.timeout_s,
        }
        for n in _registry(settings).nodes
    ]


def _back_to_request(
    session: Session, user: User, verb: str, request_id: int, detail: dict[str, object]
) -> Response:
    """Audit a write to an access request and show the request's page."""
    return audited_redirect(
        session,
        user,
        action=f"federation.access_request.{verb}",
        target=f"federation_access_request:{request_id}",
        url=f"/federation/requests/{request_id}",
        detail=detail,
    )


@router.post("/requests")
def create_request_form(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    user: MemberUser,
    _csrf: CsrfProtected,
    form: FormDep,
    _asking: HubWork,
    title: Annotated[str, Form(max_length=300)],
    description: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    values = _form_values(form)
    # The query is asked again here rather than trusting counts sent back by the browser;
    # the nodes are asked on the event loop, the database is written in this worker thread.
    result = anyio.from_thread.run(
        run_query, settings, values, requester_of(request, settings, user)
    )
    created = create_access_request(
        session,
        requester_id=user.id,
        title=title,
        description=description,
        result=result,
        result_json=result_to_json(result),
        now=datetime.now(UTC),
    )
    return _back_to_request(
        session, user, "create", created.id, {"nodes": [n.node_id for n in created.nodes]}
    )


@router.get("/requests")
def requests_page(
    request: Request, settings: SettingsDep, session: SessionDep, user: MemberUser
) -> Response:
    managed = _managed_nodes(_registry(settings), user)
    return render_page(
        request,
        "federation/requests.html",
        {
            "mine": list_access_requests(session, requester_id=user.id),
            "inbox": _inbox(session, user, managed),
            "managed": managed,
        },
    )


@api_router.get("/requests", response_model=AccessRequestsPublic)
def requests_api(settings: SettingsDep, session: SessionDep, user: MemberUser) -> Any:
    managed = _managed_nodes(_registry(settings), user)
    return {
        "mine": [_request_json(r) for r in list_access_requests(session, requester_id=user.id)],
        "inbox": [_request_json(r) for r in _inbox(session, user, managed)],
        "managed_nodes": managed,
    }


def _visible_request(
    settings: Settings, session: Any, request_id: PathId, user: User
) -> tuple[AccessRequest, list[str]]:
    # One answer, 404, whether the request is missing or someone else's: a 403 for the
    # latter would let any member list which ids exist, and so how many requests were made.
    unseen = NotFoundError(
        Message(
            "no access request %(request_id)s among yours or those addressed to you",
            request_id=request_id,
        )
    )
    try:
        found = get_access_request(session, request_id)
    except NotFoundError:
        raise unseen from None
    managed = _managed_nodes(_registry(settings), user)
    if not _may_see(found, user, managed):
        raise unseen
    return _as_seen_by(found, user, managed), managed


@router.get("/requests/{request_id}")
def request_page(
    request: Request,
    request_id: PathId,
    settings: SettingsDep,
    session: SessionDep,
    user: MemberUser,
) -> Response:
    found, managed = _visible_request(settings, session, request_id, user)
    return render_page(
        request,
        "federation/request.html",
        {
            "item": found,
            "managed": managed,
            "decisions": DECISIONS,
        },
    )


@api_router.get("/requests/{request_id}", response_model=AccessRequestPublic)
def request_api(
    request_id: PathId, settings: SettingsDep, session: SessionDep, user: MemberUser
) -> Any:
    found, _ = _visible_request(settings, session, request_id, user)
    return _request_json(found)


@router.post("/requests/{request_id}/answer")
def answer_form(
    request_id: PathId,
    settings: SettingsDep,
    session: SessionDep,
    user: MemberUser,
    _csrf: CsrfProtected,
    node_id: Annotated[str, Form(max_length=100)],
    decision: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    managed = _managed_nodes(_registry(settings), user)
    if decision not in DECISIONS:
        raise InvalidInputError(
            Message("decision must be one of %(decisions)s", decisions=DECISIONS),
            field="decision",
        )
    answer_access_request(
        session,
        request_id,
        node_id=node_id,
        decision=decision,
        note=note,
        manager_id=user.id,
        managed_nodes=managed,
        now=datetime.now(UTC),
    )
    return _back_to_request(
        session, user, "answer", request_id, {"node_id": node_id, "decision": decision}
    )
