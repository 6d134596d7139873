"""How the hub reads a node's count and merges the nodes' counts as bounds (pure).

A node's "<5" adds [1, 4] (or [0, 4]), a rounded count adds the interval it stands
for, so a region's or the total's bounds are exact sums of what the nodes disclosed
and nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from permed_atlas.federation.models import (
    CountBounds,
    CountQuery,
    DisclosedCount,
    HubResult,
    NodeOutcome,
)
from permed_atlas.transfer import DataUseRequest


def read_count(body: dict[str, Any]) -> DisclosedCount:
    """A node's count response as a disclosed count with bounds.

    :param body: the Beacon count response.
    """
    summary = body["responseSummary"]
    disclosure = (body.get("info") or {}).get("disclosure")
    shown = summary.get("numTotalResults")
    precision = str(
        (disclosure or {}).get("countPrecision") or summary.get("countPrecision", "exact")
    )
    exists = bool(summary["exists"])
    if disclosure and disclosure.get("suppressed"):
        # "<k" stands for 1..k-1 when the node said the cell is not empty, else 0..k-1.
        # A perturbing node states the upper bound of the true count (k-1+D).
        k = int(disclosure["k"])
        upper = int(disclosure.get("upper", k - 1))
        return DisclosedCount(
            str(disclosure["display"]),
            None,
            1 if exists else 0,
            upper,
            True,
            exists,
            precision,  # type: ignore[arg-type]
            **_perturbation_of(disclosure),
        )
    if disclosure:
        return DisclosedCount(
            display=str(disclosure["display"]),
            value=shown if isinstance(shown, int) else None,
            lower=int(disclosure["lower"]),
            upper=int(disclosure["upper"]),
            suppressed=False,
            exists=exists,
            precision=precision,  # type: ignore[arg-type]
            **_perturbation_of(disclosure),
        )
    if isinstance(shown, int):
        return DisclosedCount(str(shown), shown, shown, shown, False, shown > 0, "exact")
    if shown is None:
        raise ValueError("the node said only whether records exist, with no count or threshold")
    # A beacon without our disclosure block: "<k" stands for 0..k-1.
    text = str(shown)
    k = int(text.lstrip("<"))
    return DisclosedCount(text, None, 0, k - 1, True, bool(summary.get("exists")), "imprecise")


def _perturbation_of(disclosure: dict[str, Any]) -> dict[str, Any]:
    # Nodes state {"method": ..., "maxDeviation": ...}; older nodes a bare method name.
    stated = disclosure.get("perturbation", "none")
    if isinstance(stated, dict):
        method, deviation = stated.get("method", "none"), stated.get("maxDeviation", 0)
    else:
        method, deviation = stated, disclosure.get("maxDeviation", 0)
    return {
        "perturbation": str(method),
        "max_deviation": None if deviation is None else int(deviation),
    }


def merge_outcomes(
    query: CountQuery, outcomes: Sequence[NodeOutcome], *, use: DataUseRequest | None = None
) -> HubResult:
    """Sum the nodes' bounds per region and in total.

    :param query: the question asked.
    :param outcomes: one per node.
    :param use: the data use the request stated, if any.
    """
    regions: dict[str, list[int]] = {}
    total = [0, 0, 0]
    for outcome in outcomes:
        slot = regions.setdefault(outcome.region, [0, 0, 0])
        if outcome.count is None:
            continue
        for acc in (slot, total):
            acc[0] += outcome.count.lower
            acc[1] += outcome.count.upper
            acc[2] += 1
    complete = all(o.status in {"ok", "excluded_by_consent"} for o in outcomes)
    return HubResult(
        query=query,
        purpose=(use.purpose,) if use else (),
        outcomes=tuple(outcomes),
        regions={r: CountBounds(*v) for r, v in sorted(regions.items())},
        total=CountBounds(*total),
        complete=complete,
    )


def result_to_json(result: HubResult) -> dict[str, object]:
    """A hub result as plain JSON (per node, per region, total)."""
    return {
        "query": result.query.key(),
        "purpose": list(result.purpose),
        "complete": result.complete,
        "total": {**asdict(result.total), "display": result.total.display},
        "regions": {r: {**asdict(b), "display": b.display} for r, b in result.regions.items()},
        "nodes": [
            {
                "id": o.node_id,
                "name": o.name,
                "region": o.region,
                "country": o.country,
                "status": o.status,
                "reason": o.reason,
                "count": asdict(o.count) if o.count else None,
                "datasets_used": list(o.datasets_used),
                "datasets_excluded": [{"id": i, "reason": r} for i, r in o.datasets_excluded],
                "elapsed_ms": round(o.elapsed_ms, 1),
            }
            for o in result.outcomes
        ],
    }
