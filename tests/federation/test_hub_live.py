"""The hub against real node servers on loopback: merge, timeouts, a down node, consent."""

from __future__ import annotations

import csv
import time

import pyarrow.parquet as pq
import pytest

from permed_atlas.federation.hub import run_hub_query
from permed_atlas.federation.query import query_from_json
from permed_atlas.transfer import DataUseRequest

from .conftest import DEMO, SLOW_DELAY_S, Federation


def raw_breast_female() -> dict[str, int]:
    """Female C50 samples counted straight from the raw demo tables, each in its own coding."""
    with (DEMO / "de-berlin.csv").open(encoding="utf-8") as handle:
        berlin = sum(
            1
            for r in csv.DictReader(handle)
            if r["Diagnose_ICD10"].startswith("C50") and r["Geschlecht"] == "W"
        )
    lyon_table = pq.read_table(DEMO / "fr-lyon.parquet").to_pylist()
    lyon = sum(
        1 for r in lyon_table if (r["icd10"] or "").startswith("C50") and r["sex"] == "female"
    )
    with (DEMO / "cn-shanghai.csv").open(encoding="utf-8") as handle:
        shanghai = sum(
            1
            for r in csv.DictReader(handle)
            if r["诊断ICD10"].startswith("C50") and r["性别"] == "女"
        )
    return {"de-berlin": berlin, "fr-lyon": lyon, "cn-shanghai": shanghai}


def breast_female():
    return query_from_json({"query": {"filters": [{"id": "ICD10:C50"}, {"id": "sex:female"}]}})


def test_merged_counts_match_the_raw_tables(federation: Federation) -> None:
    result = run_hub_query(federation.hub, breast_female(), requester="merge-test")
    by_node = {o.node_id: o for o in result.outcomes}
    raw = raw_breast_female()
    for node_id, true_count in raw.items():
        outcome = by_node[node_id]
        assert outcome.status == "ok", outcome.reason
        store = federation.stores[node_id]
        assert store.true_count(breast_female()) == true_count
        # The hub reads back exactly what the node released, perturbation stated.
        assert outcome.count == store.release(breast_female())
        assert outcome.count.lower <= true_count <= outcome.count.upper
    # Berlin (k=5, rounding 1) shows the cell-key perturbed count: within D of the truth.
    berlin = by_node["de-berlin"].count
    assert berlin.perturbation == "cell key" and berlin.value is not None
    assert berlin.max_deviation is not None
    assert abs(berlin.value - raw["de-berlin"]) <= berlin.max_deviation
    eu = result.regions["EU"]
    assert eu.nodes == 2
    assert eu.lower <= raw["de-berlin"] + raw["fr-lyon"] <= eu.upper
    assert result.regions["CN"].lower <= raw["cn-shanghai"] <= result.regions["CN"].upper
    assert result.total.lower == sum(by_node[n].count.lower for n in raw)
    assert result.total.upper == sum(by_node[n].count.upper for n in raw)


def test_slow_and_down_nodes_are_reported_not_guessed(federation: Federation) -> None:
    result = run_hub_query(federation.hub_all, breast_female(), requester="failure-test")
    by_node = {o.node_id: o for o in result.outcomes}
    assert by_node["cn-beijing"].status == "timeout"
    assert "1 s" in by_node["cn-beijing"].reason
    assert by_node["cn-beijing"].elapsed_ms < SLOW_DELAY_S * 1000
    assert by_node["eu-down"].status == "unreachable"
    assert by_node["eu-down"].reason
    assert not result.complete
    assert {o.node_id for o in result.missing} == {"cn-beijing", "eu-down"}
    assert result.total.nodes == 3
    # A missing node adds nothing to the bounds: they are the answering nodes' sums.
    assert result.regions["CN"].nodes == 1


def test_fan_out_is_concurrent(federation: Federation) -> None:
    """Five nodes, one slow: the query ends at the slow node's time limit, not its answer."""

    start = time.perf_counter()
    result = run_hub_query(federation.hub_all, breast_female(), requester="concurrency-test")
    assert time.perf_counter() - start < SLOW_DELAY_S
    assert {o.status for o in result.outcomes} == {"ok", "timeout", "unreachable"}


def test_duo_matching_leaves_out_collections_whose_consent_forbids_the_use(
    federation: Federation,
) -> None:
    use = DataUseRequest(purpose="DS", disease="C50.9", country="DE", commercial=False)
    result = run_hub_query(federation.hub, breast_female(), requester="duo-test", use=use)
    by_node = {o.node_id: o for o in result.outcomes}
    lyon = by_node["fr-lyon"]
    assert lyon.status == "ok", lyon
    # Lyon's oncology collection needs documented ethics approval (IRB), not stated here.
    assert lyon.datasets_used == ("biobank-1",)
    assert [d for d, _ in lyon.datasets_excluded] == ["oncology-2"]
    assert "ethics_approval" in lyon.datasets_excluded[0][1]
    # Shanghai's oncology collection is restricted to China (GS=CN): a German requester is out.
    shanghai = by_node["cn-shanghai"]
    assert [d for d, _ in shanghai.datasets_excluded] == ["肿瘤-2"]
    # Berlin's collections (HMB+NCU, GRU) allow non-commercial C50 research.
    assert by_node["de-berlin"].datasets_excluded == ()
    # The restricted count is what the node says for the allowed collection alone.
    store = federation.stores["fr-lyon"]
    only_biobank = query_from_json(
        {
            "query": {
                "filters": [{"id": "ICD10:C50"}, {"id": "sex:female"}],
                "requestParameters": {"datasetIds": ["biobank-1"]},
            }
        }
    )
    assert lyon.count == store.release(only_biobank)


def test_a_use_no_collection_allows_excludes_the_node(federation: Federation) -> None:
    commercial = DataUseRequest(purpose="HMB", country="CN", commercial=True)
    result = run_hub_query(federation.hub, breast_female(), requester="duo-test-2", use=commercial)
    by_node = {o.node_id: o for o in result.outcomes}
    assert by_node["de-berlin"].status == "ok"  # its GRU collection has no NCU
    # Shanghai's oncology collection is restricted to China (GS=CN): a requester who says
    # it is in China still needs the access committee to verify that, so a count leaves it
    # out and says why; its other collection forbids commercial use (NCU).
    shanghai = by_node["cn-shanghai"]
    assert shanghai.status == "excluded_by_consent"
    reasons = dict(shanghai.datasets_excluded)
    assert reasons["肿瘤-2"].startswith("needs committee review: ")
    assert not reasons["人群-1"].startswith("needs committee review")
    lyon = by_node["fr-lyon"]
    assert lyon.status == "ok", lyon
    assert lyon.datasets_used == ("biobank-1",)


def test_every_node_logs_the_requester(federation: Federation) -> None:
    run_hub_query(federation.hub, breast_female(), requester="logged-requester")
    for node_id in ("de-berlin", "fr-lyon", "cn-shanghai"):
        log = federation.stores[node_id].query_log(limit=20)
        assert any(e.requester == "logged-requester" and e.issuer == "permed-hub" for e in log)


@pytest.mark.parametrize("status", ["unauthorized"])
def test_a_hub_with_a_wrong_secret_is_refused(federation: Federation, status: str) -> None:
    from dataclasses import replace

    nodes = tuple(
        replace(n, secret="wrong-secret-0123456789abcdef")
        for n in federation.hub.nodes
        if n.id == "de-berlin"
    )
    result = run_hub_query(
        replace(federation.hub, nodes=nodes), breast_female(), requester="intruder"
    )
    assert result.outcomes[0].status == status
    assert "HTTP 401" in result.outcomes[0].reason
