"""Merging node outcomes into bounds, and reading node responses (no network)."""

from __future__ import annotations

from permed_atlas.federation.merge import merge_outcomes, read_count
from permed_atlas.federation.models import CountQuery, DisclosedCount, NodeOutcome


def outcome(node: str, region: str, count: DisclosedCount | None, status: str = "ok"):  # type: ignore[no-untyped-def]
    return NodeOutcome(node, node, region, "XX", status, count=count)  # type: ignore[arg-type]


def test_suppressed_cells_are_bounds_and_missing_nodes_add_nothing() -> None:
    exact = DisclosedCount("120", 120, 120, 120, False, True, "exact")
    small = DisclosedCount("<5", None, 1, 4, True, True, "imprecise")
    rounded = DisclosedCount("30", 30, 25, 34, False, True, "rounded")
    result = merge_outcomes(
        CountQuery(),
        [
            outcome("a", "EU", exact),
            outcome("b", "EU", small),
            outcome("c", "CN", rounded),
            outcome("d", "CN", None, "timeout"),
            outcome("e", "EU", None, "excluded_by_consent"),
        ],
    )
    assert (result.regions["EU"].lower, result.regions["EU"].upper) == (121, 124)
    assert result.regions["EU"].display == "121-124"
    assert (result.regions["CN"].lower, result.regions["CN"].upper) == (25, 34)
    assert (result.total.lower, result.total.upper, result.total.nodes) == (146, 158, 3)
    assert not result.complete
    assert [o.node_id for o in result.missing] == ["d", "e"]


def test_excluded_by_consent_does_not_make_a_result_incomplete() -> None:
    exact = DisclosedCount("7", 7, 7, 7, False, True, "exact")
    result = merge_outcomes(
        CountQuery(), [outcome("a", "EU", exact), outcome("e", "EU", None, "excluded_by_consent")]
    )
    assert result.complete and result.total.display == "7"


def test_read_count_of_our_nodes_and_of_a_plain_beacon() -> None:
    ours = read_count(
        {
            "responseSummary": {
                "exists": True,
                "numTotalResults": "<10",
                "countPrecision": "imprecise",
            },
            "info": {"disclosure": {"display": "<10", "suppressed": True, "k": 10, "rounding": 10}},
        }
    )
    assert (ours.lower, ours.upper, ours.suppressed) == (1, 9, True)
    plain = read_count({"responseSummary": {"exists": True, "numTotalResults": 42}})
    assert (plain.lower, plain.upper, plain.value) == (42, 42, 42)
    plain_small = read_count({"responseSummary": {"exists": False, "numTotalResults": "<5"}})
    assert (plain_small.lower, plain_small.upper) == (0, 4)


def test_read_count_of_a_perturbing_node_keeps_its_bounds_and_method() -> None:
    small = read_count(
        {
            "responseSummary": {"exists": True, "numTotalResults": "<5"},
            "info": {
                "disclosure": {
                    "display": "<5",
                    "suppressed": True,
                    "k": 5,
                    "rounding": 1,
                    "perturbation": "cell key",
                    "maxDeviation": 3,
                    "upper": 7,
                }
            },
        }
    )
    # A released 1..4 can come from a true count up to 4 + D.
    assert (small.lower, small.upper, small.perturbation, small.max_deviation) == (
        1,
        7,
        "cell key",
        3,
    )
    shown = read_count(
        {
            "responseSummary": {"exists": True, "numTotalResults": 40},
            "info": {
                "disclosure": {
                    "display": "40",
                    "suppressed": False,
                    "k": 5,
                    "rounding": 1,
                    "perturbation": "cell key",
                    "maxDeviation": 3,
                    "lower": 37,
                    "upper": 43,
                }
            },
        }
    )
    assert (shown.lower, shown.upper, shown.value) == (37, 43, 40)
    result = merge_outcomes(CountQuery(), [outcome("a", "EU", small), outcome("b", "EU", shown)])
    assert (result.total.lower, result.total.upper) == (38, 50)
