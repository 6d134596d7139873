"""The node's HTTP API: Beacon shapes, auth failures, refusals, budget and logging."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from permed_atlas.federation.auth import issue_token
from permed_atlas.federation.node_app import MAX_BODY_BYTES, create_node_app
from permed_atlas.federation.node_store import NodeStore

from .beacon_schemas import assert_valid_node_response
from .conftest import demo_store, secret_of

NODE = "de-berlin"


class BeaconClient(TestClient):
    """A test client that validates every node response against the Beacon v2 schemas."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        assert_valid_node_response(str(url), response.status_code, response.json())
        return response


@pytest.fixture(scope="module")
def store() -> Iterator[NodeStore]:
    node_store = demo_store(NODE, daily_budget=40)
    yield node_store
    node_store.close()


@pytest.fixture(scope="module")
def client(store: NodeStore) -> TestClient:
    return BeaconClient(create_node_app(store))


def auth(
    requester: str,
    *,
    secret: str | None = None,
    issuer: str = "permed-hub",
    audience: str = NODE,
    now: int | None = None,
    ttl_s: int = 60,
) -> dict[str, str]:
    token = issue_token(
        secret or secret_of(NODE),
        issuer=issuer,
        requester=requester,
        audience=audience,
        now=int(time.time()) if now is None else now,
        ttl_s=ttl_s,
    )
    return {"Authorization": f"Bearer {token}"}


def body(*filters: dict[str, str], granularity: str = "count") -> dict[str, object]:
    return {
        "meta": {"apiVersion": "v2.0"},
        "query": {"filters": list(filters), "requestedGranularity": granularity},
    }


def test_count_response_has_beacon_shape_and_no_records(client: TestClient) -> None:
    response = client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), headers=auth("shape"))
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["beaconId"] == f"org.example.permed.{NODE}"
    assert data["meta"]["returnedGranularity"] == "count"
    assert data["responseSummary"]["exists"] is True
    assert data["responseSummary"]["numTotalResults"] > 100
    assert "response" not in data and "resultSets" not in data


def test_boolean_granularity_says_only_exists(client: TestClient) -> None:
    response = client.get(
        "/api/individuals",
        params={"filters": "ICD10:C61,sex:male", "requestedGranularity": "boolean"},
        headers=auth("boolean"),
    )
    assert response.status_code == 200
    assert response.json()["responseSummary"] == {"exists": True}


def test_individuals_count_distinct_donors(client: TestClient, store: NodeStore) -> None:
    headers = auth("donors")
    samples = client.get("/api/biosamples", params={"filters": "ICD10:E11"}, headers=headers).json()
    donors = client.get("/api/individuals", params={"filters": "ICD10:E11"}, headers=headers).json()
    assert (
        donors["responseSummary"]["numTotalResults"] < samples["responseSummary"]["numTotalResults"]
    )


def test_small_cells_are_suppressed(client: TestClient) -> None:
    response = client.post(
        "/api/biosamples",
        json=body({"id": "ICD10:Q90"}, {"id": "material:SERUM"}),
        headers=auth("small"),
    )
    summary = response.json()["responseSummary"]
    # Below k there is no integer to say: the answer is downgraded to boolean.
    assert summary == {"exists": True}
    assert response.json()["meta"]["returnedGranularity"] == "boolean"
    disclosure = response.json()["info"]["disclosure"]
    assert disclosure["display"] == "<5" and disclosure["suppressed"] is True
    assert "lower" not in disclosure


def test_info_states_the_disclosure_rules(client: TestClient) -> None:
    info = client.get("/api/info").json()["response"]
    control = info["info"]["disclosureControl"]
    assert control["k"] == 5 and control["rounding"] == 1 and control["dailyBudget"] == 40
    assert any("differ by 1 to 4" in rule for rule in control["rules"])
    assert info["info"]["region"] == "EU" and info["info"]["country"] == "DE"


def test_filtering_terms_list_only_common_terms(client: TestClient, store: NodeStore) -> None:
    terms = client.get("/api/filtering_terms", headers=auth("terms")).json()
    ids = {t["id"] for t in terms["response"]["filteringTerms"]}
    assert "ICD10:C50" in ids and "material:SERUM" in ids and "age_at_collection" in ids
    rare = {value for value, n in store.term_counts("diagnosis3") if n < 5}
    assert not {f"ICD10:{v}" for v in rare} & ids


def test_datasets_carry_duo_codes(client: TestClient) -> None:
    collections = client.get("/api/datasets", headers=auth("ds")).json()["response"]["collections"]
    assert {
        c["id"]: [d["id"] for d in c["dataUseConditions"]["duoDataUse"]] for c in collections
    } == {"Kohorte-1": ["DUO:0000042"], "Onkologie-2": ["DUO:0000006", "DUO:0000046"]}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        ("wrong-secret", 401),
        ("unknown-issuer", 401),
        ("expired", 401),
        ("other-audience", 401),
    ],
)
def test_bad_tokens_get_401(client: TestClient, headers: object, status: int) -> None:
    if headers == "wrong-secret":
        headers = auth("x", secret="a-different-secret-0123456789abcdef")
    elif headers == "unknown-issuer":
        headers = auth("x", issuer="rogue-hub")
    elif headers == "expired":
        headers = auth("x", now=int(time.time()) - 3600, ttl_s=60)
    elif headers == "other-audience":
        headers = auth("x", audience="fr-lyon")
    response = client.post("/api/biosamples", json=body(), headers=headers)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.json()["error"]["errorCode"] == status
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_body_over_the_limit_gets_413_before_the_token_is_read(store: NodeStore) -> None:
    # The body is read before the token is checked: unbounded, any client could make the
    # node hold any amount of memory (200 MiB was read whole before its 401).
    plain = TestClient(create_node_app(store))
    padding = b" " * (MAX_BODY_BYTES + 1)
    for headers in ({"Authorization": "Bearer nonsense"}, auth("big")):
        response = plain.post("/api/individuals", content=padding, headers=headers)
        assert response.status_code == 413

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 4096 + 1):
            yield b" " * 4096

    assert plain.post("/api/biosamples", content=streamed()).status_code == 413
    response = plain.post("/api/biosamples", json=body({"id": "ICD10:C50"}), headers=auth("big"))
    assert response.status_code == 200


def test_requester_not_on_the_allow_list_gets_403() -> None:
    picky = demo_store(NODE)
    object.__setattr__(picky, "config", _with_allow_list(picky, ("alice", "permed-hub:bob")))
    client = BeaconClient(create_node_app(picky))
    assert client.post("/api/biosamples", json=body(), headers=auth("mallory")).status_code == 403
    assert client.post("/api/biosamples", json=body(), headers=auth("alice")).status_code == 200
    assert client.post("/api/biosamples", json=body(), headers=auth("bob")).status_code == 200
    outcomes = [e.outcome for e in picky.query_log()]
    assert "forbidden" in outcomes and outcomes.count("answered") == 2
    picky.close()


def _with_allow_list(store: NodeStore, allowed: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(store.config, allowed_requesters=allowed)


def test_bad_filters_get_400_naming_the_filter(client: TestClient) -> None:
    response = client.post("/api/biosamples", json=body({"id": "ICD10:XYZ"}), headers=auth("bad"))
    assert response.status_code == 400
    assert "filters[0]" in response.json()["error"]["errorMessage"]
    response = client.post(
        "/api/biosamples", json=body({"id": "material:GOLD"}), headers=auth("bad")
    )
    assert response.status_code == 400


def test_differencing_is_refused_with_409() -> None:
    # Without perturbation (D = 0) the guard compares the true counts named below.
    exact = demo_store(NODE, ckm_max_deviation=0)
    client = TestClient(create_node_app(exact))
    headers = auth("differ")
    first = client.post("/api/biosamples", json=body({"id": "ICD10:Q90"}), headers=headers)
    assert first.status_code == 200
    # Q90 holds 10 samples, 8 of them female: asking both would reveal the 2 male samples.
    narrow = client.post(
        "/api/biosamples", json=body({"id": "ICD10:Q90"}, {"id": "sex:female"}), headers=headers
    )
    assert narrow.status_code == 409
    assert "differencing guard" in narrow.json()["error"]["errorMessage"]
    # Another requester has no history, so the same narrow question is answered.
    other = client.post(
        "/api/biosamples",
        json=body({"id": "ICD10:Q90"}, {"id": "sex:female"}),
        headers=auth("someone-else"),
    )
    assert other.status_code == 200
    exact.close()


def test_daily_budget_gives_429(client: TestClient) -> None:
    headers = auth("greedy")
    codes = [
        client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), headers=headers).status_code
        for _ in range(41)
    ]
    assert codes[:40] == [200] * 40
    assert codes[40] == 429
