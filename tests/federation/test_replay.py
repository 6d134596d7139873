"""A captured hub token replayed at a node, as whoever read it from a log or a proxy would.

The hub's token names a requester; before tokens were bound to one request, anyone who
read one could send it again, with any question, for its whole lifetime: the node
answered on the requester's budget, and one captured token with many bodies walked
round the differencing guard. Each test here plays the attacker against a real node
app (TestClient, or uvicorn on loopback where requests must really run at once), with
a token issued exactly as the hub issues it for the request the attacker watched.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from permed_atlas.federation.auth import (
    MAX_CLOCK_SKEW_S,
    hash_request,
    issue_token,
    verify_token,
)
from permed_atlas.federation.hub import Hub
from permed_atlas.federation.mapping import load_node_config
from permed_atlas.federation.node_app import create_node_app
from permed_atlas.federation.node_store import NodeStore, open_node_store
from permed_atlas.federation.query import query_from_json
from permed_atlas.federation.query_log import QueryLog, open_log_database

from .beacon_schemas import assert_valid_node_response
from .conftest import DEMO, DEMO_NODES, Federation, ServerThread, demo_store, secret_of

NODE = "de-berlin"
TTL_S = 120


def question(*filters: str) -> bytes:
    """A count request body as the hub sends it: these exact bytes are what the token binds."""
    return orjson.dumps({"query": {"filters": [{"id": f} for f in filters]}})


def captured(
    requester: str,
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    now: float | None = None,
    ttl_s: int = TTL_S,
) -> dict[str, str]:
    """The Authorization header the hub sent with one request (what a log would show)."""
    token = issue_token(
        secret_of(NODE),
        issuer="permed-hub",
        requester=requester,
        audience=NODE,
        now=int(time.time() if now is None else now),
        request=hash_request(method, path, query=query, body=body),
        ttl_s=ttl_s,
    )
    return {"Authorization": f"Bearer {token}"}


def outcomes_of(store: NodeStore, requester: str) -> list[str]:
    return [e.outcome for e in reversed(store.query_log(limit=1000)) if e.requester == requester]


def refused(response: httpx.Response, words: str) -> None:
    """A 401 as the node's other auth failures are: a Beacon error document naming why."""
    assert response.status_code == 401, response.text
    assert_valid_node_response("/api/biosamples", 401, response.json())
    assert response.json()["error"]["errorCode"] == 401
    assert words in response.json()["error"]["errorMessage"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.fixture
def store() -> Iterator[NodeStore]:
    node_store = demo_store(NODE, daily_budget=2)
    yield node_store
    node_store.close()


@pytest.fixture
def client(store: NodeStore) -> TestClient:
    return TestClient(create_node_app(store))


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_token_sent_twice_is_refused_and_charged_once(
    client: TestClient, store: NodeStore, method: str
) -> None:
    body, query = (question("ICD10:C50"), "") if method == "POST" else (b"", "filters=ICD10:C50")
    stolen = captured("alice", method, "/api/biosamples", query=query, body=body)
    url = "/api/biosamples" + (f"?{query}" if query else "")
    assert client.request(method, url, content=body, headers=stolen).status_code == 200
    refused(client.request(method, url, content=body, headers=stolen), "already used")
    # Alice's budget is 2: the replay did not use her second question.
    other = question("ICD10:C18")
    fresh = captured("alice", "POST", "/api/biosamples", body=other)
    assert client.post("/api/biosamples", content=other, headers=fresh).status_code == 200
    third = captured("alice", "POST", "/api/biosamples", body=other)
    assert client.post("/api/biosamples", content=other, headers=third).status_code == 429
    assert outcomes_of(store, "alice") == ["answered", "unauthorized", "answered", "over_budget"]


def test_a_datasets_token_sent_twice_is_refused(client: TestClient) -> None:
    stolen = captured("alice", "GET", "/api/datasets")
    assert client.get("/api/datasets", headers=stolen).status_code == 200
    refused(client.get("/api/datasets", headers=stolen), "already used")


def test_a_replay_after_the_node_restarts_is_refused(tmp_path: Path) -> None:
    # The nonces are kept in the log file with the budgets: a restart forgets neither.
    config = load_node_config(DEMO / f"{NODE}.yaml")
    log = tmp_path / "node-log.sqlite"
    body = question("ICD10:C50")
    stolen = captured("alice", "POST", "/api/biosamples", body=body)
    first = open_node_store(config, data=DEMO / DEMO_NODES[NODE], log=log, threads=1)
    assert (
        TestClient(create_node_app(first))
        .post("/api/biosamples", content=body, headers=stolen)
        .status_code
        == 200
    )
    first.close()
    again = open_node_store(config, data=DEMO / DEMO_NODES[NODE], log=log, threads=1)
    replay = TestClient(create_node_app(again)).post(
        "/api/biosamples", content=body, headers=stolen
    )
    refused(replay, "already used")
    again.close()


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        # The differencing attack: the token for Q90 with a narrower question each time.
        ("POST", "/api/biosamples", "", question("ICD10:Q90", "sex:female")),
        ("POST", "/api/biosamples", "", question("ICD10:Q90", "sex:male")),
        ("POST", "/api/biosamples", "", question("ICD10:Q90", "material:SERUM")),
        ("POST", "/api/biosamples", "", question("ICD10:Q90") + b" "),  # one byte more
        ("POST", "/api/individuals", "", question("ICD10:Q90")),  # another endpoint
        ("POST", "/api/biosamples", "filters=sex:male", question("ICD10:Q90")),
        ("GET", "/api/biosamples", "filters=ICD10:Q90", b""),  # the same question as a GET
        ("GET", "/api/biosamples", "filters=ICD10:Q90,sex:female", b""),
    ],
)
def test_a_captured_token_with_another_question_is_refused_and_charges_nothing(
    client: TestClient, store: NodeStore, method: str, path: str, query: str, body: bytes
) -> None:
    asked = question("ICD10:Q90")
    stolen = captured("alice", "POST", "/api/biosamples", body=asked)
    url = path + (f"?{query}" if query else "")
    for _ in range(3):  # the requester's budget is 2
        refused(client.request(method, url, content=body, headers=stolen), "another request")
    assert "answered" not in outcomes_of(store, "alice")
    # Nothing was charged and the nonce is unspent: the hub's own request, late, still
    # goes through, and so does alice's next question.
    assert client.post("/api/biosamples", content=asked, headers=stolen).status_code == 200
    other = question("ICD10:C18")
    fresh = captured("alice", "POST", "/api/biosamples", body=other)
    assert client.post("/api/biosamples", content=other, headers=fresh).status_code == 200
    assert outcomes_of(store, "alice") == ["unauthorized"] * 3 + ["answered"] * 2


def test_a_captured_get_token_with_another_query_is_refused(
    client: TestClient, store: NodeStore
) -> None:
    stolen = captured("alice", "GET", "/api/individuals", query="filters=ICD10:Q90")
    for query in ("filters=ICD10:Q90,sex:female", "filters=ICD10:Q90&datasetIds=Kohorte-1"):
        refused(client.get(f"/api/individuals?{query}", headers=stolen), "another request")
    # Spelt differently by a proxy, the question is the same one: answered.
    spelt = client.get("/api/individuals?filters=ICD10%3AQ90", headers=stolen)
    assert spelt.status_code == 200
    assert outcomes_of(store, "alice") == ["unauthorized", "unauthorized", "answered"]


def test_a_captured_token_with_an_oversized_body_charges_nothing(
    client: TestClient, store: NodeStore
) -> None:
    asked = question("ICD10:Q90")
    stolen = captured("alice", "POST", "/api/biosamples", body=asked)
    huge = b'{"query": {"filters": [' + b'{"id": "ICD10:C50"},' * 60_000 + b"{}]}}"
    assert client.post("/api/biosamples", content=huge, headers=stolen).status_code == 413
    # The body was never read, so not shown to be alice's: both her questions are hers.
    assert client.post("/api/biosamples", content=asked, headers=stolen).status_code == 200
    other = question("ICD10:C18")
    fresh = captured("alice", "POST", "/api/biosamples", body=other)
    assert client.post("/api/biosamples", content=other, headers=fresh).status_code == 200
    assert outcomes_of(store, "alice") == ["too_large", "answered", "answered"]


def test_an_older_hubs_token_is_refused_with_a_message_to_upgrade(client: TestClient) -> None:
    now = int(time.time())
    claims = {"iss": "permed-hub", "sub": "alice", "aud": NODE, "iat": now, "exp": now + TTL_S}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(secret_of(NODE).encode(), payload.encode(), hashlib.sha256).digest()
    old = f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    response = client.post(
        "/api/biosamples", content=question(), headers={"Authorization": f"Bearer {old}"}
    )
    refused(response, "must be upgraded")


def test_a_long_lived_token_is_refused_charges_nothing_and_spends_no_nonce(
    client: TestClient, store: NodeStore
) -> None:
    # Signed with the node's real secret, as a hub configured (or patched) to issue day-long
    # tokens would: one read before its use would stay good all day.
    asked = question("ICD10:Q90")
    day_long = captured("alice", "POST", "/api/biosamples", body=asked, ttl_s=86_400)
    for _ in range(3):  # the requester's budget is 2
        refused(client.post("/api/biosamples", content=asked, headers=day_long), "lifetime")
    assert store.remembered_tokens() == 0
    assert "answered" not in outcomes_of(store, "alice")
    for _ in range(2):
        usual = captured("alice", "POST", "/api/biosamples", body=asked)
        assert client.post("/api/biosamples", content=asked, headers=usual).status_code == 200


def test_concurrent_replays_of_one_token_are_answered_once() -> None:
    # Real HTTP to uvicorn: a GET is answered in the thread pool, so the replays really
    # race for the nonce, in threads that share the node's log.
    node_store = demo_store(NODE)
    server = ServerThread(create_node_app(node_store)).start()
    query = "filters=ICD10:C50"
    stolen = captured("racer", "GET", "/api/individuals", query=query)
    replays = 8
    start = threading.Barrier(replays)

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as http:
            start.wait()
            return http.get(f"{server.url}/api/individuals?{query}", headers=stolen)

    try:
        with ThreadPoolExecutor(max_workers=replays) as pool:
            responses = list(pool.map(send, range(replays)))
    finally:
        server.stop()
    assert sorted(r.status_code for r in responses) == [200] + [401] * (replays - 1)
    for response in responses:
        if response.status_code == 401:
            refused(response, "already used")
    assert outcomes_of(node_store, "racer").count("answered") == 1
    node_store.close()


def test_two_connections_to_one_log_let_one_of_two_replays_in(tmp_path: Path) -> None:
    # A second process on the same log file would be another connection: the primary key,
    # not the in-process lock, decides.
    path = tmp_path / "log.sqlite"
    logs = [QueryLog(open_log_database(path)) for _ in range(2)]
    now = int(time.time())
    spent = [
        log.spend_token(issuer="h", nonce="n", expires_at=now + TTL_S, now=now) for log in logs
    ]
    assert spent == [True, False]
    for log in logs:
        log.close()


def test_expired_nonces_are_pruned(store: NodeStore) -> None:
    clock = [float(int(time.time()))]
    start = clock[0]
    client = TestClient(create_node_app(store, clock=lambda: clock[0]))

    def ask(requester: str) -> dict[str, str]:
        body = question("ICD10:C50")
        headers = captured(requester, "POST", "/api/biosamples", body=body, now=clock[0])
        assert client.post("/api/biosamples", content=body, headers=headers).status_code == 200
        return headers

    early = [ask(f"early-{i}") for i in range(5)]
    assert store.remembered_tokens() == 5
    clock[0] = start + 100  # every token still valid: every nonce still remembered
    ask("middle")
    assert store.remembered_tokens() == 6
    body = question("ICD10:C50")
    refused(client.post("/api/biosamples", content=body, headers=early[0]), "already used")
    # Past the early tokens' expiry and the allowed clock skew, the next request prunes them.
    clock[0] = start + TTL_S + MAX_CLOCK_SKEW_S + 1
    ask("late")
    assert store.remembered_tokens() == 2  # "middle" (valid until start + 220) and "late"
    # A pruned token is not thereby usable again: it has expired.
    refused(client.post("/api/biosamples", content=body, headers=early[1]), "expired")
    clock[0] = start + 10 * TTL_S
    ask("much-later")
    assert store.remembered_tokens() == 1


def test_the_hub_still_answers_with_a_fresh_token_per_request(federation: Federation) -> None:
    sent: list[httpx.Request] = []

    async def keep(request: httpx.Request) -> None:
        sent.append(request)

    async def ask() -> Any:
        async with httpx.AsyncClient(event_hooks={"request": [keep]}) as http:
            hub = Hub(federation.hub, client=http)
            breast = query_from_json({"query": {"filters": [{"id": "ICD10:C50"}]}})
            first = await hub.query(breast, requester="e2e")
            second = await hub.query(breast, requester="e2e")
            return first, second

    first, second = asyncio.run(ask())
    answering = {"de-berlin", "fr-lyon", "cn-shanghai"}
    for result in (first, second):
        by_node = {o.node_id: o for o in result.outcomes}
        assert {n for n, o in by_node.items() if o.status == "ok"} == answering
        assert by_node["eu-down"].status == "unreachable"
    # One token per node and question, each bound to its own request; sent again, refused.
    nonces = set()
    for request in sent:
        node = next(n for n in federation.hub.nodes if str(request.url).startswith(n.url + "/"))
        if node.id not in answering:
            continue
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = verify_token(
            token, secrets={"permed-hub": node.secret}, audience=node.id, now=int(time.time())
        )
        assert claims.request_hash == hash_request(
            request.method, request.url.path, body=request.content
        )
        nonces.add(claims.nonce)
        replay = httpx.post(
            str(request.url), content=request.content, headers=dict(request.headers), timeout=15
        )
        refused(replay, "already used")
    assert len(nonces) == 2 * len(answering)
