"""Consensus statistics against numpy/scipy computed independently on known data."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats

from permed_atlas.delphi._likert import chi2_survival, parse_rating, quantile
from permed_atlas.delphi.consensus import (
    compare_regions,
    compare_rounds,
    judge,
    kendalls_w,
    summarise_ratings,
    wilcoxon_signed_rank,
)
from permed_atlas.delphi.models import ConsensusRule

RULE = ConsensusRule()
KNOWN = [5, 4, 4, 3, 5, 2, None, 4, 1, 5, 4, None, 3]


def test_summary_matches_numpy_on_known_ratings() -> None:
    s = summarise_ratings(KNOWN, rule=RULE)
    valid = np.array([r for r in KNOWN if r is not None], dtype=float)
    assert (s.n_responses, s.n_valid, s.n_no_opinion) == (13, 11, 2)
    assert s.counts == (1, 1, 2, 4, 3)
    assert s.share_agree == pytest.approx(np.mean(valid >= 4))  # 7/11
    assert s.share_disagree == pytest.approx(np.mean(valid <= 2))
    assert s.median == pytest.approx(np.median(valid))
    assert s.q1 == pytest.approx(np.percentile(valid, 25))
    assert s.q3 == pytest.approx(np.percentile(valid, 75))
    assert s.iqr == pytest.approx(stats.iqr(valid))
    assert s.mean == pytest.approx(valid.mean())
    assert s.sd == pytest.approx(valid.std(ddof=1))
    assert s.verdict == "none"  # 7/11 = 63.6% < 70%


@pytest.mark.parametrize("seed", range(25))
def test_summary_matches_numpy_on_random_ratings(seed: int) -> None:
    rng = random.Random(seed)
    ratings = [rng.choice([1, 2, 3, 4, 5, None]) for _ in range(rng.randint(1, 60))]
    valid = np.array([r for r in ratings if r is not None], dtype=float)
    s = summarise_ratings(ratings, rule=RULE)
    if valid.size == 0:
        assert s.median is None and s.verdict == "none"
        return
    assert s.median == pytest.approx(np.median(valid))
    assert s.iqr == pytest.approx(np.percentile(valid, 75) - np.percentile(valid, 25))
    assert s.mean == pytest.approx(valid.mean())
    if valid.size > 1:
        assert s.sd == pytest.approx(valid.std(ddof=1))
    else:
        assert s.sd is None


def test_quantile_is_numpy_linear() -> None:
    values = sorted([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    for q in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1):
        assert quantile(values, q) == pytest.approx(np.quantile(values, q))


def test_exactly_seventy_percent_is_consensus() -> None:
    assert summarise_ratings([4] * 7 + [3] * 3, rule=RULE).verdict == "include"
    assert summarise_ratings([4] * 69 + [3] * 31, rule=RULE).verdict == "none"
    assert summarise_ratings([1] * 5 + [2] * 2 + [5] * 3, rule=RULE).verdict == "exclude"


def test_no_opinion_is_not_a_valid_rating() -> None:
    # 7 of 10 valid are 4-5: share agree 70% however many said "no opinion"
    s = summarise_ratings([5] * 7 + [2] * 3 + [None] * 20, rule=RULE)
    assert s.share_agree == pytest.approx(0.7)
    # 10 valid ratings of 30 answers are below the default minimum (half): no verdict
    assert s.verdict == "none"
    # a rule content with a third of the answers judges the same figures
    assert judge(s, rule=ConsensusRule(min_valid_share=1 / 3)) == "include"


def test_median_iqr_rule() -> None:
    rule = ConsensusRule(kind="median_iqr", median_min=4, iqr_max=1)
    tight = summarise_ratings([4, 4, 4, 5, 4, 3, 4, 5], rule=rule)
    assert tight.median == 4 and tight.iqr <= 1 and tight.verdict == "include"
    wide = summarise_ratings([1, 5, 5, 2, 5, 1, 4, 5], rule=rule)
    assert wide.verdict == "none"
    low = summarise_ratings([1, 2, 2, 1, 2, 3], rule=rule)
    assert low.verdict == "exclude"
    both = ConsensusRule(kind="share_and_median_iqr")
    # share 75% but IQR 2.25 > 1: the combined rule refuses
    spread = summarise_ratings([5, 5, 5, 4, 4, 4, 1, 1], rule=both)
    assert spread.share_agree == pytest.approx(0.75)
    assert judge(spread, rule=ConsensusRule()) == "include"
    assert spread.verdict == "none"


def test_empty_ratings() -> None:
    s = summarise_ratings([], rule=RULE)
    assert s.n_valid == 0 and s.share_agree is None and s.verdict == "none"


WILCOXON_CASES = [
    [1.5, -0.2, 2.3, 0.7, -1.1, 3.2, 0.4, 1.9],  # no ties, no zeros: exact
    [1, 1, 2, -1, 0, 1, 2, 1, -1, 0, 1],  # ties and zeros, n <= 13: permutation
    [1, 0, 0, -1, 1, 2, 1, 1, 0, -2, 1, 1, 1, 2, 0, 1, -1, 1, 1, 1],  # ties, n > 13: normal
    [x / 7 for x in range(-20, 41)],  # n > 50, zero among them
]


@pytest.mark.parametrize("differences", WILCOXON_CASES)
def test_wilcoxon_matches_scipy(differences: list[float]) -> None:
    mine = wilcoxon_signed_rank(differences)
    ref = stats.wilcoxon(differences)
    assert mine.statistic == pytest.approx(ref.statistic)
    assert mine.p_value == pytest.approx(ref.pvalue, rel=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_wilcoxon_matches_scipy_on_random_likert_changes(seed: int) -> None:
    rng = random.Random(seed)
    # scipy's own permutation branch (n <= 13 with ties) takes seconds, so random cases
    # stay above it (normal approximation) or tiny; the fixed cases cover n = 11.
    before = [rng.randint(1, 5) for _ in range(rng.choice([5, 6, 14, 30, 45]))]
    after = [min(5, max(1, b + rng.choice([-1, 0, 0, 1, 1]))) for b in before]
    differences = [a - b for a, b in zip(after, before, strict=True)]
    if not any(differences):
        return
    mine = wilcoxon_signed_rank(differences)
    ref = stats.wilcoxon(after, before)
    assert mine.statistic == pytest.approx(ref.statistic)
    assert mine.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_wilcoxon_all_zero_differences_has_no_p_value() -> None:
    result = wilcoxon_signed_rank([0, 0, 0, 0])
    assert result.method == "none" and result.p_value is None and result.statistic is None


def test_compare_rounds_counts_changes_over_paired_experts() -> None:
    before = {"a": 3, "b": 4, "c": 2, "d": None, "e": 5, "f": 3}
    after = {"a": 4, "b": 4, "c": 3, "d": 4, "e": 5, "g": 5}
    st = compare_rounds(before, after)
    # pairs: a, b, c, e (d had no opinion before, f and g answered once)
    assert st.n_paired == 4 and st.n_changed == 2
    assert st.share_changed == pytest.approx(0.5)
    assert st.mean_change == pytest.approx(0.5)
    ref = stats.wilcoxon([4, 4, 3, 5], [3, 4, 2, 5])
    assert st.wilcoxon.p_value == pytest.approx(ref.pvalue)
    unchanged = compare_rounds({"a": 3, "b": 4}, {"a": 3, "b": 4})
    assert unchanged.share_changed == 0 and unchanged.wilcoxon.p_value is None


def _kendall_reference(matrix: np.ndarray) -> tuple[float, float]:
    """Kendall's W with tie correction, computed independently with scipy's rankdata."""
    m, n = matrix.shape
    ranks = np.apply_along_axis(stats.rankdata, 1, matrix)
    s = ((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2).sum()
    ties = 0.0
    for row in matrix:
        _, counts = np.unique(row, return_counts=True)
        ties += (counts**3 - counts).sum()
    w = 12 * s / (m**2 * (n**3 - n) - m * ties)
    return w, stats.chi2.sf(m * (n - 1) * w, n - 1)


def test_kendalls_w_matches_independent_computation() -> None:
    rng = np.random.default_rng(7)
    base = np.array([5, 4, 4, 2, 3, 1, 5, 3])
    matrix = np.clip(base + rng.integers(-1, 2, size=(15, 8)), 1, 5)
    ratings = {e: {i: int(matrix[e, i]) for i in range(8)} for e in range(15)}
    ratings[99] = {i: 4 for i in range(7)}  # incomplete rater: left out
    result = kendalls_w(ratings, list(range(8)))
    w, p = _kendall_reference(matrix)
    assert result.n_raters == 15 and result.n_items == 8 and result.df == 7
    assert result.w == pytest.approx(w)
    assert result.p_value == pytest.approx(p, rel=1e-9)


def test_kendalls_w_is_one_for_perfect_agreement_without_ties() -> None:
    ratings = {e: {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5} for e in range(6)}
    assert kendalls_w(ratings, ["a", "b", "c", "d", "e"]).w == pytest.approx(1.0)
    assert kendalls_w({1: {"a": 3}}, ["a"]).w is None


@pytest.mark.parametrize("df", [1, 2, 3, 7, 19, 40])
@pytest.mark.parametrize("x", [0.01, 0.5, 2.0, 7.5, 30.0, 90.0])
def test_chi2_survival_matches_scipy(df: int, x: float) -> None:
    assert chi2_survival(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-8, abs=1e-15)


def test_region_difference_is_flagged_by_the_stated_rule() -> None:
    eu = [5, 5, 4, 4, 4, 3, 4, 5, 4, 4]  # 90% agree
    cn = [3, 4, 3, 4, 2, 3, 5, 3, 4, 3]  # 40% agree
    other = [1, 1]  # too few to compare
    result = compare_regions({"EU": eu, "CN": cn, "Other": other}, rule=RULE)
    assert result.flagged
    assert any("50 points" in r for r in result.reasons)
    assert "consensus in EU only" in result.reasons
    assert all("Other" not in r for r in result.reasons)
    close = compare_regions({"EU": [4, 4, 5, 3, 4], "CN": [4, 5, 4, 4, 3]}, rule=RULE)
    assert not close.flagged


def test_parse_rating() -> None:
    assert [parse_rating(v) for v in (1, "5", " 3 ", "na", "No opinion", None, "")] == [
        1,
        5,
        3,
        None,
        None,
        None,
        None,
    ]
    for bad in (0.5, "6", 7, "-1", "four", True):
        with pytest.raises(ValueError, match="1-5"):
            parse_rating(bad)


def test_rule_description_states_thresholds() -> None:
    assert "70%" in RULE.describe()
    assert math.isclose(RULE.agree_share, 0.7)
