"""No node ever shows a count in 1..k-1, whatever sequence of questions it is sent (real HTTP).

The threshold applies after the cell key perturbation, so what is checked is
the released count: never in 1..k-1, and its stated bounds hold the true count.
(The attacks that combine answers are in test_attacks.py.)"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permed_atlas.federation.query import query_from_json
from permed_atlas.federation.request_auth import NodeRequestAuth

from .conftest import Federation, secret_of

NODES = ("de-berlin", "fr-lyon", "cn-shanghai")
DIAGNOSES = (
    "C50",
    "C50.9",
    "C50.4",
    "C61",
    "Q90",
    "Q90.0",
    "C91",
    "G30",
    "C50-C58",
    "chapter:II",
    "chapter:XVII",
    "E11",
)
MATERIALS = ("SERUM", "PLASMA", "DNA", "TISSUE_FROZEN", "URINE")

filter_sets = st.fixed_dictionaries(
    {},
    optional={
        "diagnosis": st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=2),
        "sex": st.sampled_from(("female", "male")),
        "material": st.lists(st.sampled_from(MATERIALS), min_size=1, max_size=2),
        "age_low": st.integers(18, 90),
        "age_high": st.integers(18, 90),
        "year": st.integers(2000, 2024),
    },
)
questions = st.tuples(
    st.sampled_from(NODES),
    filter_sets,
    st.sampled_from(("biosamples", "individuals")),
    st.sampled_from(("count", "count", "boolean")),
)


def to_filters(spec: dict[str, Any]) -> list[dict[str, str]]:
    out = [{"id": f"ICD10:{d}"} for d in spec.get("diagnosis", [])]
    if "sex" in spec:
        out.append({"id": f"sex:{spec['sex']}"})
    out += [{"id": f"material:{m}"} for m in spec.get("material", [])]
    if "age_low" in spec:
        out.append({"id": "age_at_collection", "operator": ">=", "value": str(spec["age_low"])})
    if "age_high" in spec:
        out.append(
            {
                "id": "age_at_collection",
                "operator": "<=",
                "value": str(max(spec["age_high"], spec.get("age_low", 0))),
            }
        )
    if "year" in spec:
        out.append({"id": "collection_year", "operator": "=", "value": str(spec["year"])})
    return out


def shown_counts(body: dict[str, Any]) -> list[object]:
    """Every value in a response that states a count (bounds are checked apart)."""
    summary = body.get("responseSummary", {})
    disclosure = body.get("info", {}).get("disclosure", {})
    values: list[object] = [
        summary.get("numTotalResults"),
        disclosure.get("display"),
        *summary.get("countAdjustedTo", []),
    ]
    return [v for v in values if v is not None]


_requester_serial = iter(range(10**9))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(questions, min_size=1, max_size=10), refine=st.booleans())
def test_no_response_ever_shows_a_small_count(
    federation: Federation, sequence: list[tuple[str, dict[str, Any], str, str]], refine: bool
) -> None:
    requester = f"adversary-{next(_requester_serial)}"
    if refine:
        # The classic attack: the same question again with one more narrow filter each time.
        base = sequence[0]
        sequence = [base] + [
            (base[0], {**base[1], **extra[1]}, base[2], base[3]) for extra in sequence[1:]
        ]
    with httpx.Client(timeout=10) as client:
        for node_id, spec, entity, granularity in sequence:
            k = federation.stores[node_id].config.rules.k
            signer = NodeRequestAuth(
                secret_of(node_id), issuer="permed-hub", requester=requester, audience=node_id
            )
            body = {"query": {"filters": to_filters(spec), "requestedGranularity": granularity}}
            response = client.post(
                f"{federation.servers[node_id].url}/api/{entity}",
                json=body,
                auth=signer,
            )
            assert response.status_code in {200, 409}, response.text
            if response.status_code == 409:
                assert "differencing guard" in response.json()["error"]["errorMessage"]
                continue
            answer = response.json()
            for value in shown_counts(answer):
                if isinstance(value, int):
                    assert not 1 <= value <= k - 1, (node_id, spec, value)
                else:
                    assert value == f"<{k}" or value == "0" or int(value) >= k, value
            disclosure = answer.get("info", {}).get("disclosure")
            if disclosure:
                store = federation.stores[node_id]
                query = query_from_json(body, entity=entity)  # type: ignore[arg-type]
                truth = store.true_count(query)
                assert disclosure.get("lower", 0) <= truth <= disclosure.get("upper", k - 1)
                # A suppressed cell states no number in 1..k-1, not even a bound.
                if disclosure["suppressed"]:
                    assert "lower" not in disclosure
                    assert disclosure.get("upper", k) >= k
