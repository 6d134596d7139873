"""The node as a GA4GH Beacon v2: every document validated against the official schemas.

The schemas are the beacon-v2 framework's, release v2.1.1, vendored in
tests/fixtures/beacon-v2 (see its README). The node runs on loopback (real HTTP).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from permed_atlas.federation.beacon import consent_text, duo_data_use
from permed_atlas.federation.hub import Hub
from permed_atlas.federation.mapping import load_node_config
from permed_atlas.federation.query import query_from_json, query_to_json
from permed_atlas.federation.registry import HubConfig
from permed_atlas.federation.request_auth import NodeRequestAuth

from .beacon_schemas import assert_valid, assert_valid_node_response, errors_of
from .conftest import DEMO, Federation, demo_store, secret_of

# Beacon v2's informational endpoints, filtering terms included, are public so that a
# Beacon network or verifier can read them; queries and datasets need a token.
PUBLIC = (
    "/api",
    "/api/info",
    "/api/service-info",
    "/api/map",
    "/api/configuration",
    "/api/entry_types",
    "/api/filtering_terms",
)
DUO_ID = re.compile(r"^DUO:\d{7}$")


def token(node: str, requester: str = "beacon-test") -> NodeRequestAuth:
    """Signs each request with a fresh token for it, as the hub does."""
    return NodeRequestAuth(secret_of(node), issuer="permed-hub", requester=requester, audience=node)


def get(federation: Federation, node: str, path: str, **kwargs: Any) -> httpx.Response:
    response = httpx.get(federation.servers[node].url + path, timeout=15, **kwargs)
    assert_valid_node_response(path, response.status_code, response.json())
    return response


def post(
    federation: Federation,
    node: str,
    path: str,
    body: dict[str, Any],
    requester: str = "beacon-test",
) -> httpx.Response:
    response = httpx.post(
        federation.servers[node].url + path, json=body, auth=token(node, requester), timeout=15
    )
    assert_valid_node_response(path, response.status_code, response.json())
    return response


@pytest.mark.parametrize("node", ["de-berlin", "cn-shanghai"])
@pytest.mark.parametrize("path", PUBLIC)
def test_informational_endpoints_are_public_and_valid(
    federation: Federation, node: str, path: str
) -> None:
    response = get(federation, node, path)  # no token
    assert response.status_code == 200
    beacon_id = response.json().get("meta", {}).get("beaconId") or response.json()["id"]
    assert beacon_id == f"org.example.permed.{node}"


def test_info_and_service_info_name_the_node_in_reverse_domain_notation(
    federation: Federation,
) -> None:
    info = get(federation, "de-berlin", "/api/info").json()["response"]
    assert info["id"] == "org.example.permed.de-berlin"
    control = info["info"]["disclosureControl"]
    assert control["k"] == 5 and control["rules"]
    service = get(federation, "de-berlin", "/api/service-info").json()
    assert service["type"] == {"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.0"}
    # The demo biobank has no web address of its own: the node's root stands in for it.
    assert service["organization"]["url"] == federation.servers["de-berlin"].url + "/"


def test_map_points_at_the_node_itself(federation: Federation) -> None:
    sets = get(federation, "fr-lyon", "/api/map").json()["response"]["endpointSets"]
    assert sets["biosample"]["rootUrl"] == federation.servers["fr-lyon"].url + "/api/biosamples"
    assert set(sets) == {"individual", "biosample", "dataset"}


@pytest.mark.parametrize("path", ["/api/datasets", "/api/biosamples", "/api/individuals"])
def test_data_endpoints_need_a_token_and_say_so_validly(federation: Federation, path: str) -> None:
    response = get(federation, "de-berlin", path)
    assert response.status_code == 401
    assert response.json()["error"]["errorCode"] == 401
    assert get(federation, "de-berlin", path, auth=token("de-berlin")).status_code == 200


def test_counts_are_integers_with_the_disclosure_stated(federation: Federation) -> None:
    data = post(
        federation,
        "fr-lyon",
        "/api/biosamples",
        {
            "meta": {"apiVersion": "v2.0"},
            "query": {"filters": [{"id": "ICD10:C50"}], "requestedGranularity": "count"},
        },
    ).json()
    assert isinstance(data["responseSummary"]["numTotalResults"], int)
    assert data["meta"]["returnedGranularity"] == "count"
    disclosure = data["info"]["disclosure"]
    assert disclosure["rounding"] == 5 and disclosure["k"] == 5
    # Nodes perturb by the cell key method unless told otherwise; the answer says by how much.
    perturbation = disclosure["perturbation"]
    assert perturbation["method"] == "cell key" and perturbation["maxDeviation"] == 3
    assert perturbation["variance"] == 2.0 and perturbation["keepZeros"] is True
    assert disclosure["lower"] <= data["responseSummary"]["numTotalResults"] <= disclosure["upper"]
    assert data["meta"]["receivedRequestSummary"]["filters"] == ["ICD10:C50"]
    assert data["meta"]["returnedSchemas"] == [
        {"entityType": "biosample", "schema": "beacon-biosample-v2.0.0"}
    ]


def test_a_small_count_is_downgraded_to_boolean_never_a_string(federation: Federation) -> None:
    # Q90 and serum: 1 to 4 samples in Berlin, below its threshold k=5.
    data = post(
        federation,
        "de-berlin",
        "/api/biosamples",
        {
            "meta": {"apiVersion": "v2.0"},
            "query": {"filters": [{"id": "ICD10:Q90"}, {"id": "material:SERUM"}]},
        },
    ).json()
    assert data["meta"]["returnedGranularity"] == "boolean"
    assert "numTotalResults" not in data["responseSummary"]
    assert data["info"]["disclosure"]["suppressed"] is True
    assert data["info"]["disclosure"]["k"] == 5
    assert not any(isinstance(v, int) and 1 <= v <= 4 for v in _numbers(data))


def _numbers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        # The node's parameters (threshold, rounding base, the perturbation's maximum
        # deviation and variance) are constants, not counts.
        for key, item in value.items():
            if key not in {"k", "rounding", "perturbation"}:
                yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif not isinstance(value, bool):
        yield value


def test_record_granularity_is_downgraded_to_count_not_refused(federation: Federation) -> None:
    response = post(
        federation,
        "de-berlin",
        "/api/individuals",
        {
            "meta": {"apiVersion": "v2.0"},
            "query": {"filters": [{"id": "ICD10:C50"}], "requestedGranularity": "record"},
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["returnedGranularity"] == "count"
    assert data["meta"]["receivedRequestSummary"]["requestedGranularity"] == "record"
    assert "resultSets" not in data and "response" not in data


def test_the_specs_dataset_restriction_is_honoured(federation: Federation) -> None:
    store = federation.stores["de-berlin"]
    datasets = [d.id for d in store.datasets]
    assert len(datasets) >= 2
    restricted_query = {
        "filters": [{"id": "ICD10:C50"}],
        "requestParameters": {"datasets": {"datasetIds": [datasets[0]]}},
    }
    restricted = post(
        federation,
        "de-berlin",
        "/api/biosamples",
        {"meta": {"apiVersion": "v2.0"}, "query": restricted_query},
        requester="restriction",
    ).json()
    everything = post(
        federation,
        "de-berlin",
        "/api/biosamples",
        {"meta": {"apiVersion": "v2.0"}, "query": {"filters": [{"id": "ICD10:C50"}]}},
        requester="restriction-2",
    ).json()
    expected = store.true_count(
        query_from_json(
            {
                "query": {
                    "filters": [{"id": "ICD10:C50"}],
                    "requestParameters": {"datasetIds": [datasets[0]]},
                }
            }
        )
    )
    assert expected < store.true_count(
        query_from_json({"query": {"filters": [{"id": "ICD10:C50"}]}})
    )
    # The cell key method moves a count by at most its maximum deviation, and the node
    # states bounds that hold the true count: the restricted answer is about the one
    # collection, not the whole node.
    disclosure = restricted["info"]["disclosure"]
    deviation = disclosure["perturbation"]["maxDeviation"]
    assert abs(restricted["responseSummary"]["numTotalResults"] - expected) <= deviation
    assert disclosure["lower"] <= expected <= disclosure["upper"]
    assert everything["responseSummary"]["numTotalResults"] > expected + deviation
    summary = restricted["meta"]["receivedRequestSummary"]
    assert summary["requestParameters"] == {"datasets": {"datasetIds": [datasets[0]]}}


@pytest.mark.parametrize(
    "parameters",
    [
        {"datasets": {"datasetIds": ["no-such-collection"]}},
        {"datasets": {"ids": ["Kohorte-1"]}},
        {"cohorts": {"cohortIds": ["x"]}},
    ],
)
def test_a_restriction_the_node_cannot_apply_is_refused_not_ignored(
    federation: Federation, parameters: dict[str, Any]
) -> None:
    response = post(
        federation,
        "de-berlin",
        "/api/biosamples",
        {
            "meta": {"apiVersion": "v2.0"},
            "query": {"filters": [{"id": "ICD10:C50"}], "requestParameters": parameters},
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["errorMessage"]


def test_refusals_are_valid_error_responses(federation: Federation) -> None:
    bad = post(
        federation,
        "de-berlin",
        "/api/biosamples",
        {"meta": {"apiVersion": "v2.0"}, "query": {"filters": [{"id": "ICD10:XYZ"}]}},
    )
    assert bad.status_code == 400
    assert "filters[0]" in bad.json()["error"]["errorMessage"]


@pytest.mark.parametrize("node", ["de-berlin", "cn-shanghai", "cn-beijing", "fr-lyon"])
def test_duo_terms_carry_the_version_and_modifiers_apart(federation: Federation, node: str) -> None:
    data = get(federation, node, "/api/datasets", auth=token(node)).json()
    terms = [
        t for c in data["response"]["collections"] for t in c["dataUseConditions"]["duoDataUse"]
    ]
    assert terms
    for term in terms:
        assert DUO_ID.match(term["id"]), term
        assert term["version"] == "2021-02-23"
        assert term["label"]
    if node == "cn-shanghai":
        gs = next(t for t in terms if t["id"] == "DUO:0000022")
        assert gs["modifiers"] == [{"id": "ISO3166:CN"}]


def test_consent_round_trips_through_the_beacon_form() -> None:
    labels = {"DUO:0000007": "disease specific research", "DUO:0000022": "geographical"}
    shorthands = {"DS": "DUO:0000007", "GS": "DUO:0000022"}
    for text, expected in [
        ("DUO:0000007=I25|I20", "DUO:0000007=I25|I20"),
        ("GS=EU27", "DUO:0000022=EU27"),
        ("DUO:0000022=CN", "DUO:0000022=CN"),
        ("DUO:0000007=MONDO:0005148", "DUO:0000007=MONDO:0005148"),
        ("DUO:0000042", "DUO:0000042"),
    ]:
        term = duo_data_use(text, labels=labels, shorthands=shorthands, version="2021-02-23")
        assert "=" not in term["id"]
        assert not errors_of(
            "dataset", {"id": "d", "name": "d", "dataUseConditions": {"duoDataUse": [term]}}
        )
        assert consent_text(term) == expected


def test_hub_requests_validate_and_node_answers_validate(federation: Federation) -> None:
    """Everything on the wire between the hub and the nodes, checked against the schemas."""
    seen: list[str] = []

    async def check_request(request: httpx.Request) -> None:
        if request.method == "POST":
            assert_valid("request", orjson.loads(request.content))
            seen.append("request")

    async def check_response(response: httpx.Response) -> None:
        await response.aread()
        assert_valid_node_response(response.request.url.path, response.status_code, response.json())
        seen.append("response")

    from permed_atlas.transfer import DataUseRequest

    async def go() -> None:
        async with httpx.AsyncClient(
            event_hooks={"request": [check_request], "response": [check_response]}
        ) as client:
            config = HubConfig(
                "permed-hub", tuple(n for n in federation.hub.nodes if n.id != "eu-down")
            )
            hub = Hub(config, client=client)
            question = query_from_json(
                {
                    "query": {
                        "filters": [
                            {"id": "ICD10:C50"},
                            {"id": "age_at_collection", "operator": ">=", "value": "40"},
                        ]
                    }
                }
            )
            result = await hub.query(
                question,
                requester="wire-test",
                use=DataUseRequest(purpose="DS", disease="C50.9", country="DE", commercial=False),
            )
            assert {o.status for o in result.outcomes} == {"ok"}, result.outcomes
            lyon = next(o for o in result.outcomes if o.node_id == "fr-lyon")
            assert lyon.datasets_used == ("biobank-1",)

    asyncio.run(go())
    assert seen.count("request") == 3 and seen.count("response") >= 6


def test_the_hubs_body_is_a_valid_beacon_request() -> None:
    question = query_from_json(
        {
            "query": {
                "filters": [{"id": "sex:female"}],
                "requestParameters": {"datasetIds": ["a", "b"]},
            }
        },
        entity="individuals",
    )
    body = query_to_json(question)
    assert_valid("request", body)
    assert body["query"]["requestParameters"] == {"datasets": {"datasetIds": ["a", "b"]}}
    assert query_from_json(body) == question


def test_a_node_config_with_a_non_reverse_domain_beacon_id_is_refused(tmp_path: Any) -> None:
    from permed_atlas.federation.errors import MappingError

    text = (
        (DEMO / "de-berlin.yaml")
        .read_text(encoding="utf-8")
        .replace("beacon_id: org.example.permed.de-berlin", "beacon_id: Biobank Berlin")
    )
    path = tmp_path / "node.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="node.beacon_id"):
        load_node_config(path)


def test_the_shipped_store_still_loads() -> None:
    store = demo_store("cn-beijing")
    assert store.config.identity.beacon_id == "org.example.permed.cn-beijing"
    store.close()


def test_a_full_spec_request_body_is_understood(federation: Federation) -> None:
    """The spec's MAX request example, with this node's filter and collection, is answered."""
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "meta": {
            "apiVersion": "2.0",
            "requestedSchemas": [{"entityType": "biosample", "schema": "beacon-biosample"}],
        },
        "query": {
            "filters": [{"id": "ICD10:C50", "scope": "biosamples"}],
            "includeResultsetResponses": "HIT",
            "pagination": {"limit": 10, "skip": 0},
            "requestParameters": {"datasets": {"datasetIds": ["Kohorte-1"]}},
            "requestedGranularity": "boolean",
            "testMode": False,
        },
    }
    assert_valid("request", body)
    response = post(federation, "de-berlin", "/api/biosamples", body, requester="max-example")
    assert response.status_code == 200
    assert response.json()["responseSummary"] == {"exists": True}
    assert response.json()["meta"]["returnedGranularity"] == "boolean"


def test_a_perturbed_count_says_how_it_was_perturbed(federation: Federation) -> None:
    # Beijing adds Laplace noise (epsilon 1); its count response must say so.
    node = "cn-beijing"
    response = httpx.post(
        federation.servers[node].url + "/api/biosamples",
        timeout=30,
        auth=token(node, "perturbation"),
        json={"meta": {"apiVersion": "v2.0"}, "query": {"filters": [{"id": "ICD10:I25"}]}},
    )
    assert_valid_node_response("/api/biosamples", response.status_code, response.json())
    disclosure = response.json()["info"]["disclosure"]
    assert disclosure["perturbation"]["method"] == "laplace"
    assert disclosure["perturbation"]["epsilon"] == 1.0
