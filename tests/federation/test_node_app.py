"""The node's HTTP API: Beacon shapes, auth failures, refusals, budget and logging."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from permed_atlas.federation.auth import hash_request, issue_token
from permed_atlas.federation.node_app import create_node_app
from permed_atlas.federation.node_requests import MAX_BODY_BYTES
from permed_atlas.federation.node_store import NodeStore
from permed_atlas.federation.request_auth import NodeRequestAuth

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
) -> NodeRequestAuth:
    """Signs each request it is given with a fresh token for that request, as the hub does."""
    return NodeRequestAuth(
        secret or secret_of(NODE),
        issuer=issuer,
        requester=requester,
        audience=audience,
        clock=time.time if now is None else lambda: now,
        ttl_s=ttl_s,
    )


def body(*filters: dict[str, str], granularity: str = "count") -> dict[str, object]:
    return {
        "meta": {"apiVersion": "v2.0"},
        "query": {"filters": list(filters), "requestedGranularity": granularity},
    }


def test_count_response_has_beacon_shape_and_no_records(client: TestClient) -> None:
    response = client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), auth=auth("shape"))
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
        auth=auth("boolean"),
    )
    assert response.status_code == 200
    assert response.json()["responseSummary"] == {"exists": True}


def test_individuals_count_distinct_donors(client: TestClient, store: NodeStore) -> None:
    signer = auth("donors")
    samples = client.get("/api/biosamples", params={"filters": "ICD10:E11"}, auth=signer).json()
    donors = client.get("/api/individuals", params={"filters": "ICD10:E11"}, auth=signer).json()
    assert (
        donors["responseSummary"]["numTotalResults"] < samples["responseSummary"]["numTotalResults"]
    )


def test_small_cells_are_suppressed(client: TestClient) -> None:
    response = client.post(
        "/api/biosamples",
        json=body({"id": "ICD10:Q90"}, {"id": "material:SERUM"}),
        auth=auth("small"),
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
    terms = client.get("/api/filtering_terms", auth=auth("terms")).json()
    ids = {t["id"] for t in terms["response"]["filteringTerms"]}
    assert "ICD10:C50" in ids and "material:SERUM" in ids and "age_at_collection" in ids
    rare = {value for value, n in store.term_counts("diagnosis3") if n < 2}
    assert not {f"ICD10:{v}" for v in rare} & ids  # k-1 = 4 and D = 3: never shown as 5


@pytest.mark.parametrize("node", ["de-berlin", "fr-lyon"])
def test_the_public_term_list_says_no_more_than_the_terms_counts(node: str) -> None:
    """A term is listed exactly when its count is shown as a number, never by its true count.

    Listed by the true count, fr-lyon's Q90 (4 samples, shown as 5) was missing from the
    list: anyone, without a token, learnt that the "5" stands for fewer than 5.
    """
    node_store = demo_store(node)
    node_client = BeaconClient(create_node_app(node_store))
    signer = NodeRequestAuth(secret_of(node), issuer="permed-hub", requester="terms", audience=node)
    listed = {
        t["id"]
        for t in node_client.get("/api/filtering_terms").json()["response"]["filteringTerms"]
    }
    for column, prefix in (("diagnosis3", "ICD10"), ("material", "material"), ("sex", "sex")):
        for value, _ in node_store.term_counts(column):
            term = f"{prefix}:{value}"
            counted = node_client.post(
                "/api/biosamples",
                json=body({"id": term}),
                auth=signer,
            ).json()
            shown = counted["meta"]["returnedGranularity"] == "count"
            assert (term in listed) == shown, (term, counted["responseSummary"])
    node_store.close()


def test_datasets_carry_duo_codes(client: TestClient) -> None:
    collections = client.get("/api/datasets", auth=auth("ds")).json()["response"]["collections"]
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
    signer = None
    if headers == "wrong-secret":
        signer = auth("x", secret="a-different-secret-0123456789abcdef")
    elif headers == "unknown-issuer":
        signer = auth("x", issuer="rogue-hub")
    elif headers == "expired":
        signer = auth("x", now=int(time.time()) - 3600, ttl_s=60)
    elif headers == "other-audience":
        signer = auth("x", audience="fr-lyon")
    if signer is not None:
        response = client.post("/api/biosamples", json=body(), auth=signer)
    else:
        response = client.post("/api/biosamples", json=body(), auth=signer)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.json()["error"]["errorCode"] == status
    assert response.headers["www-authenticate"] == "Bearer"


def test_requester_not_on_the_allow_list_gets_403() -> None:
    picky = demo_store(NODE)
    object.__setattr__(picky, "config", _with_allow_list(picky, ("alice", "permed-hub:bob")))
    client = BeaconClient(create_node_app(picky))
    assert client.post("/api/biosamples", json=body(), auth=auth("mallory")).status_code == 403
    assert client.post("/api/biosamples", json=body(), auth=auth("alice")).status_code == 200
    assert client.post("/api/biosamples", json=body(), auth=auth("bob")).status_code == 200
    outcomes = [e.outcome for e in picky.query_log()]
    assert "forbidden" in outcomes and outcomes.count("answered") == 2
    picky.close()


def _with_allow_list(store: NodeStore, allowed: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(store.config, allowed_requesters=allowed)


def test_bad_filters_get_400_naming_the_filter(client: TestClient) -> None:
    response = client.post("/api/biosamples", json=body({"id": "ICD10:XYZ"}), auth=auth("bad"))
    assert response.status_code == 400
    assert "filters[0]" in response.json()["error"]["errorMessage"]
    response = client.post("/api/biosamples", json=body({"id": "material:GOLD"}), auth=auth("bad"))
    assert response.status_code == 400


def test_differencing_is_refused_with_409() -> None:
    # Without perturbation (D = 0) the guard compares the true counts named below.
    exact = demo_store(NODE, ckm_max_deviation=0)
    client = TestClient(create_node_app(exact))
    signer = auth("differ")
    first = client.post("/api/biosamples", json=body({"id": "ICD10:Q90"}), auth=signer)
    assert first.status_code == 200
    # Q90 holds 10 samples, 8 of them female: asking both would reveal the 2 male samples.
    narrow = client.post(
        "/api/biosamples", json=body({"id": "ICD10:Q90"}, {"id": "sex:female"}), auth=signer
    )
    assert narrow.status_code == 409
    assert "differencing guard" in narrow.json()["error"]["errorMessage"]
    # Another requester has no history, so the same narrow question is answered.
    other = client.post(
        "/api/biosamples",
        json=body({"id": "ICD10:Q90"}, {"id": "sex:female"}),
        auth=auth("someone-else"),
    )
    assert other.status_code == 200
    exact.close()


def test_daily_budget_gives_429(client: TestClient) -> None:
    signer = auth("greedy")
    codes = [
        client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), auth=signer).status_code
        for _ in range(41)
    ]
    assert codes[:40] == [200] * 40
    assert codes[40] == 429


@pytest.mark.parametrize(
    ("item", "named"),
    [
        # "NOT female" must not be answered with the count of female samples.
        ({"id": "sex:female", "operator": "!"}, "'!'"),
        ({"id": "sex", "operator": "!", "value": "female"}, "'!'"),
        ({"id": "ICD10:C50", "operator": ">"}, "'>'"),
        # C50 alone, without C50.0-C50.9: the node only counts a code with the codes under it.
        ({"id": "ICD10:C50", "includeDescendantTerms": False}, "includeDescendantTerms"),
        ({"id": "ICD10:C50", "similarity": "high"}, "'high'"),
        ({"id": "ICD10:C50", "scope": "runs"}, "'runs'"),
        ({"id": "sex:female", "value": "male"}, "takes no value"),
        ({"id": "ICD10:C50", "opertor": "!"}, "opertor"),
        ({"id": "age_at_collection", "operator": "~", "value": "40"}, "unknown operator '~'"),
    ],
)
def test_a_filter_option_the_node_cannot_apply_gets_400(
    client: TestClient, item: dict[str, object], named: str
) -> None:
    response = client.post("/api/biosamples", json=body(item), auth=auth("options"))
    assert response.status_code == 400
    message = response.json()["error"]["errorMessage"]
    assert message.startswith("filters[0]: ") and named in message


def test_filter_options_that_change_nothing_are_answered(client: TestClient) -> None:
    plain = client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), auth=auth("same"))
    spelled_out = client.post(
        "/api/biosamples",
        json=body(
            {
                "id": "ICD10:C50",
                "operator": "=",
                "scope": "biosamples",
                "includeDescendantTerms": True,
                "similarity": "exact",
            },
            # sex has no descendants; the spec writes scopes singular too
            {"id": "sex:female", "includeDescendantTerms": False, "scope": "individual"},
        ),
        auth=auth("same"),
    )
    assert plain.status_code == spelled_out.status_code == 200
    female = client.post(
        "/api/biosamples", json=body({"id": "ICD10:C50"}, {"id": "sex:female"}), auth=auth("f")
    )
    assert spelled_out.json()["responseSummary"] == female.json()["responseSummary"]


def test_a_get_parameter_the_node_does_not_read_gets_400(client: TestClient) -> None:
    # Misspelt, the collection restriction would be dropped and every collection counted.
    response = client.get(
        "/api/biosamples?filters=ICD10:C50&datasetId=nope", auth=auth("get-params")
    )
    assert response.status_code == 400
    assert "datasetId" in response.json()["error"]["errorMessage"]
    paged = client.get(
        "/api/biosamples?filters=ICD10:C50&skip=0&limit=10&requestedGranularity=record",
        auth=auth("get-params"),
    )
    assert paged.status_code == 200 and paged.json()["meta"]["returnedGranularity"] == "count"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/runs", 404),
        ("GET", "/api/biosamples/S0001", 404),
        ("GET", "/api/individuals/D1/biosamples", 404),
        ("DELETE", "/api/biosamples", 405),
        ("PUT", "/api/datasets", 405),
    ],
)
def test_unknown_paths_and_methods_get_a_beacon_error(
    client: TestClient, method: str, path: str, status: int
) -> None:
    # BeaconClient checks the document against beaconErrorResponse.
    response = client.request(method, path, auth=auth("lost"))
    assert response.status_code == status
    assert response.json()["error"]["errorCode"] == status


def test_a_diagnosis_in_other_digits_is_read_or_refused_never_counted_as_zero(
    client: TestClient,
) -> None:
    plain = client.post("/api/biosamples", json=body({"id": "ICD10:C50"}), auth=auth("digits"))
    full_width = client.post(
        "/api/biosamples", json=body({"id": "ICD10:\uff23\uff15\uff10"}), auth=auth("digits")
    )
    assert full_width.json()["responseSummary"] == plain.json()["responseSummary"]
    assert plain.json()["responseSummary"]["numTotalResults"] > 100
    arabic_indic = client.post(
        "/api/biosamples", json=body({"id": "ICD10:C\u0665\u0660"}), auth=auth("digits")
    )
    assert arabic_indic.status_code == 400
    assert "not an ICD-10 code" in arabic_indic.json()["error"]["errorMessage"]


def test_a_body_over_the_limit_gets_413_and_is_not_read_without_a_token(
    client: TestClient, store: NodeStore
) -> None:
    huge = (
        b'{"query": {"filters": [' + b'{"id": "ICD10:C50"},' * 60_000 + b'{"id": "sex:female"}]}}'
    )
    assert len(huge) > MAX_BODY_BYTES
    unsigned = client.post("/api/biosamples", content=huge)
    assert unsigned.status_code == 401  # the token is checked before the body is read
    declared = client.post("/api/biosamples", content=huge, auth=auth("huge"))
    assert declared.status_code == 413
    assert str(MAX_BODY_BYTES) in declared.json()["error"]["errorMessage"]
    # Sent in chunks without a Content-Length, the body is still cut off at the limit.
    # (Signed here: the client-side auth hashes a body in memory, not a stream.)
    chunks = (huge[i : i + 65536] for i in range(0, len(huge), 65536))
    token = issue_token(
        secret_of(NODE),
        issuer="permed-hub",
        requester="huge",
        audience=NODE,
        now=int(time.time()),
        request=hash_request("POST", "/api/biosamples", body=huge),
    )
    streamed = client.post(
        "/api/biosamples", content=chunks, headers={"Authorization": f"Bearer {token}"}
    )
    assert streamed.status_code == 413
    # Not counted against the requester: a body never read cannot be matched with its token.
    assert store.query_log(limit=1)[0].outcome == "too_large"


def test_a_refusal_names_the_earlier_question_as_it_was_asked() -> None:
    """Named by its canonical form, it would say which filters restricted nothing."""
    exact = demo_store(NODE, ckm_max_deviation=0)
    client = BeaconClient(create_node_app(exact))
    signer = auth("worded")
    # "age >= 0" restricts nothing here (no Q90 sample lacks an age): the canonical form
    # drops it, and showing that form would tell the requester so.
    asked = body({"id": "ICD10:Q90"}, {"id": "age_at_collection", "operator": ">=", "value": "0"})
    assert client.post("/api/biosamples", json=asked, auth=signer).status_code == 200
    narrow = client.post(
        "/api/biosamples", json=body({"id": "ICD10:Q90"}, {"id": "sex:female"}), auth=signer
    )
    assert narrow.status_code == 409
    message = narrow.json()["error"]["errorMessage"]
    assert "diagnosis=Q90" in message and "age=0.." in message
    exact.close()


def test_repeated_get_parameters_add_up_or_are_refused(
    client: TestClient, store: NodeStore
) -> None:
    def summary(url: str) -> Any:
        response = client.get(url, auth=auth("repeated"))
        assert response.status_code == 200, response.json()
        return response.json()["responseSummary"]

    # Read as one parameter, only the last filter counted: every sample aged 60 or more.
    both = summary("/api/biosamples?filters=ICD10:C50&filters=age_at_collection>=60")
    assert both == summary("/api/biosamples?filters=ICD10:C50,age_at_collection>=60")
    assert both != summary("/api/biosamples?filters=age_at_collection>=60")
    first, second = (d.id for d in store.datasets[:2])
    assert summary(f"/api/individuals?datasetIds={first}&datasetIds={second}") == summary(
        f"/api/individuals?datasetIds={first},{second}"
    )
    twice = client.get(
        "/api/biosamples?filters=ICD10:C50&requestedGranularity=count&requestedGranularity=boolean",
        auth=auth("repeated"),
    )
    assert twice.status_code == 400
    assert "requestedGranularity" in twice.json()["error"]["errorMessage"]
