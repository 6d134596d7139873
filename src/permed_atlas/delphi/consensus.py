"""Pure statistics and rules: item summaries, consensus verdicts, stability, Kendall's W, regions.

Only the standard library: every figure is checked against numpy/scipy in the tests.
Conventions, stated once: "no opinion" (None) is not a valid rating and is left
out of every share and statistic; quartiles follow the study's ``quartile_method``
(linear interpolation by default); the standard deviation is the sample one (ddof=1).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from permed_atlas.delphi._likert import (
    average_ranks,
    chi2_survival,
    normal_two_sided_p,
    quantile,
    tie_sizes,
)
from permed_atlas.delphi.models import (
    QUARTILE_METHOD_TEXT,
    ConsensusRule,
    ItemSummary,
    KendallW,
    RegionComparison,
    Stability,
    Verdict,
    WilcoxonResult,
)
from permed_atlas.delphi.reasons import OutcomeReason, closing_reason
from permed_atlas.i18n import gettext
from permed_atlas.i18n.composed import Message

# scipy's "auto": exact distribution up to 50 differences without ties or zeros,
# an exact sign-flip permutation up to 13 observations, else the normal approximation.
_EXACT_MAX_N = 50
_PERMUTATION_MAX_N = 13

K = TypeVar("K", bound=Hashable)
ItemKey = TypeVar("ItemKey", bound=Hashable)


def summarise_ratings(
    ratings: Sequence[int | None], *, rule: ConsensusRule, n_invited: int = 0
) -> ItemSummary:
    """Descriptive statistics and the consensus verdict of one item's ratings.

    :param ratings: one entry per responding expert, 1-5 or None for "no opinion".
    :param rule: the study's consensus rule.
    :param n_invited: the experts invited to the round, the base of the rule's
        ``min_valid_share``; 0 (unknown, a round without invitations) takes the answers.
    """
    valid = sorted(r for r in ratings if r is not None)
    counts = tuple(valid.count(v) for v in (1, 2, 3, 4, 5))
    n_valid = len(valid)
    needed = count_valid_needed(rule, n_asked=max(n_invited, len(ratings)))
    if n_valid == 0:
        return ItemSummary(
            n_responses=len(ratings),
            n_valid=0,
            n_no_opinion=len(ratings),
            counts=(0, 0, 0, 0, 0),
            share_agree=None,
            share_disagree=None,
            median=None,
            q1=None,
            q3=None,
            iqr=None,
            mean=None,
            sd=None,
            verdict="none",
            n_invited=n_invited,
            valid_needed=needed,
        )
    q1, q3 = (quantile(valid, q, method=rule.quartile_method) for q in (0.25, 0.75))
    median = quantile(valid, 0.5)  # every method agrees on the median
    share_agree = (counts[3] + counts[4]) / n_valid
    share_disagree = (counts[0] + counts[1]) / n_valid
    partial = ItemSummary(
        n_responses=len(ratings),
        n_valid=n_valid,
        n_no_opinion=len(ratings) - n_valid,
        counts=counts,  # type: ignore[arg-type]
        share_agree=share_agree,
        share_disagree=share_disagree,
        median=median,
        q1=q1,
        q3=q3,
        iqr=q3 - q1,
        mean=statistics.fmean(valid),
        sd=statistics.stdev(valid) if n_valid > 1 else None,
        verdict="none",
        n_invited=n_invited,
        valid_needed=needed,
    )
    return _with_verdict(partial, judge(partial, rule=rule))


def count_valid_needed(rule: ConsensusRule, *, n_asked: int) -> int:
    """The valid ratings an item needs for a verdict: ``min_valid_share`` of those asked.

    :param rule: the study's consensus rule.
    :param n_asked: the experts asked to rate the item (invited, else those who answered).
    """
    # the epsilon keeps 0.5 of 10 at 5, not 6 through 5.000000001
    return math.ceil(rule.min_valid_share * n_asked - 1e-9)


def _with_verdict(summary: ItemSummary, verdict: Verdict) -> ItemSummary:
    from dataclasses import replace

    return replace(summary, verdict=verdict)


def judge(summary: ItemSummary, *, rule: ConsensusRule) -> Verdict:
    """The consensus verdict of an item: ``include``, ``exclude`` or ``none``.

    :param summary: the item's statistics (its own verdict is ignored).
    :param rule: the study's consensus rule.
    """
    if summary.n_valid == 0 or summary.share_agree is None or summary.median is None:
        return "none"
    n_asked = max(summary.n_invited, summary.n_responses)
    if summary.n_valid < count_valid_needed(rule, n_asked=n_asked):
        # one valid rating among many "no opinion"s or absent experts speaks for nobody
        return "none"
    # A tiny epsilon keeps 7 of 10 (0.7000000001 or 0.6999999) on the right side of 70%.
    eps = 1e-9
    share_disagree = summary.share_disagree or 0.0
    share_in = summary.share_agree + eps >= rule.agree_share
    share_out = share_disagree + eps >= rule.exclude_share
    if rule.opposite_max is not None:
        # the cap is strict ("fewer than 15%"): exactly 15% rating the other end fails it
        share_in = share_in and share_disagree + eps < rule.opposite_max
        share_out = share_out and summary.share_agree + eps < rule.opposite_max
    tight = summary.iqr is not None and summary.iqr <= rule.iqr_max + eps
    median_in = tight and summary.median >= rule.median_min
    median_out = tight and summary.median <= rule.median_max_exclude
    if rule.kind == "share":
        inc, exc = share_in, share_out
    elif rule.kind == "median_iqr":
        inc, exc = median_in, median_out
    else:
        inc, exc = share_in and median_in, share_out and median_out
    if inc:
        return "include"
    if exc:
        return "exclude"
    return "none"


def wilcoxon_signed_rank(differences: Sequence[float]) -> WilcoxonResult:
    """Two-sided Wilcoxon signed-rank test of paired differences (zeros dropped, as scipy).

    All-zero (or no) differences give no statistic and no p-value: nobody moved.

    :param differences: later rating minus earlier rating, one per expert.
    """
    nonzero = [d for d in differences if d != 0]
    n = len(nonzero)
    if n == 0:
        return WilcoxonResult(statistic=None, p_value=None, n_nonzero=0, method="none")
    ranks = average_ranks([abs(d) for d in nonzero])
    r_plus = sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0)
    r_minus = sum(r for r, d in zip(ranks, nonzero, strict=True) if d < 0)
    statistic = min(r_plus, r_minus)
    ties = tie_sizes([abs(d) for d in nonzero])
    has_ties = any(t > 1 for t in ties)
    has_zeros = n < len(differences)
    if len(differences) <= _EXACT_MAX_N and not has_ties and not has_zeros:
        from permed_atlas.delphi._likert import signed_rank_exact_p

        return WilcoxonResult(statistic, signed_rank_exact_p(n, statistic), n, "exact")
    if len(differences) <= _PERMUTATION_MAX_N:
        p = _sign_flip_p(ranks, r_plus)
        return WilcoxonResult(statistic, p, n, "permutation")
    mean = n * (n + 1) / 4
    variance = (n * (n + 1) * (2 * n + 1) - sum(t**3 - t for t in ties) / 2) / 24
    if variance <= 0:
        return WilcoxonResult(statistic, None, n, "normal")
    z = (r_plus - mean) / math.sqrt(variance)
    return WilcoxonResult(statistic, normal_two_sided_p(z), n, "normal")


def _sign_flip_p(ranks: Sequence[float], r_plus: float) -> float:
    # Average ranks are multiples of 1/2, so doubled ranks are integers and
    # the distribution of the doubled positive-rank sum can be counted exactly.
    doubled = [round(2 * r) for r in ranks]
    total = sum(doubled)
    counts = [0] * (total + 1)
    counts[0] = 1
    for value in doubled:
        for s in range(total, value - 1, -1):
            counts[s] += counts[s - value]
    observed = round(2 * r_plus)
    patterns = float(2 ** len(doubled))
    less = sum(counts[: observed + 1]) / patterns
    greater = sum(counts[observed:]) / patterns
    return min(1.0, 2 * min(less, greater))


def compare_rounds(before: Mapping[K, int | None], after: Mapping[K, int | None]) -> Stability:
    """Stability of one item between two rounds over the experts with valid ratings in both.

    :param before: expert -> rating in the earlier round.
    :param after: expert -> rating in the later round.
    """
    paired = [
        (before[k], after[k])
        for k in before
        if k in after and before[k] is not None and after[k] is not None
    ]
    differences = [float(b - a) for a, b in paired]  # type: ignore[operator]
    n_changed = sum(1 for d in differences if d != 0)
    return Stability(
        n_paired=len(paired),
        n_changed=n_changed,
        share_changed=n_changed / len(paired) if paired else None,
        mean_change=statistics.fmean(differences) if differences else None,
        wilcoxon=wilcoxon_signed_rank(differences),
    )


def kendalls_w(
    ratings: Mapping[K, Mapping[ItemKey, int | None]], items: Sequence[ItemKey]
) -> KendallW:
    """Kendall's W (tie-corrected) over the raters who gave a valid rating to every item.

    :param ratings: rater -> item -> rating.
    :param items: the items to rank.
    """
    n = len(items)
    complete = [
        [float(by_item[i]) for i in items]  # type: ignore[arg-type]
        for by_item in ratings.values()
        if all(by_item.get(i) is not None for i in items)
    ]
    m = len(complete)
    if m < 2 or n < 2:
        return KendallW(w=None, n_raters=m, n_items=n, chi2=None, df=max(n - 1, 0), p_value=None)
    rank_rows = [average_ranks(row) for row in complete]
    rank_sums = [sum(row[j] for row in rank_rows) for j in range(n)]
    mean_sum = m * (n + 1) / 2
    s = sum((r - mean_sum) ** 2 for r in rank_sums)
    tie_term = sum(t**3 - t for row in complete for t in tie_sizes(row))
    denominator = m**2 * (n**3 - n) - m * tie_term
    if denominator <= 0:
        # every rater gave every item the same rating: no ranking to agree on
        return KendallW(w=None, n_raters=m, n_items=n, chi2=None, df=n - 1, p_value=None)
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return KendallW(
        w=w, n_raters=m, n_items=n, chi2=chi2, df=n - 1, p_value=chi2_survival(chi2, n - 1)
    )


def compare_regions(
    by_region: Mapping[str, Sequence[int | None]], *, rule: ConsensusRule
) -> RegionComparison:
    """Per-region summaries, flagged when two regions differ by the rule's gap or in verdict.

    Regions with fewer than ``rule.min_region_n`` valid ratings are summarised but not compared.

    :param by_region: region group -> that region's ratings of one item.
    :param rule: the study's consensus rule.
    """
    summaries = {region: summarise_ratings(r, rule=rule) for region, r in by_region.items()}
    comparable = sorted(region for region, s in summaries.items() if s.n_valid >= rule.min_region_n)
    reasons: list[str] = []
    for i, first in enumerate(comparable):
        for second in comparable[i + 1 :]:
            a, b = summaries[first], summaries[second]
            gap = abs((a.share_agree or 0.0) - (b.share_agree or 0.0))
            if gap + 1e-9 >= rule.region_gap:
                reasons.append(
                    Message(
                        "share agree %(first)s %(first_share)s vs %(second)s "
                        "%(second_share)s (%(gap)s points)",
                        first=first,
                        first_share=format(a.share_agree, ".0%"),
                        second=second,
                        second_share=format(b.share_agree, ".0%"),
                        gap=format(gap * 100, ".0f"),
                    )
                )
            if (a.verdict == "include") != (b.verdict == "include"):
                winner = first if a.verdict == "include" else second
                reasons.append(Message("consensus in %(region)s only", region=winner))
    return RegionComparison(summaries=summaries, flagged=bool(reasons), reasons=tuple(reasons))


def suppress_small_groups(
    by_group: Mapping[str, Sequence[int | None]], *, min_size: int
) -> dict[str, Sequence[int | None]]:
    """The groups that may be shown: each and every withheld set has ``min_size`` valid ratings.

    A group below ``min_size`` is withheld; when the withheld groups together still
    have fewer than ``min_size`` valid ratings, the next smallest groups are withheld
    too, because the item's total minus the shown groups would reveal them.

    :param by_group: group -> that group's ratings of one item.
    :param min_size: the smallest number of valid ratings a shown group may have.
    """

    def valid(ratings: Sequence[int | None]) -> int:
        return sum(1 for r in ratings if r is not None)

    order = sorted(by_group, key=lambda g: (valid(by_group[g]), g))
    withheld = [g for g in order if valid(by_group[g]) < min_size]
    shown = [g for g in order if g not in withheld]
    while withheld and shown and sum(valid(by_group[g]) for g in withheld) < min_size:
        withheld.append(shown.pop(0))
    return {g: by_group[g] for g in shown}


def describe_methods(rule: ConsensusRule, *, min_group_size: int) -> str:
    """The statistical methods behind every figure, stated for readers of pages and reports.

    :param rule: the study's consensus rule (its quartile method).
    :param min_group_size: the smallest region group whose figures are shown.
    """
    return gettext(
        "Statistics use valid ratings only ('no opinion' excluded); %(quartiles)s; median as "
        "the middle value; SD with n-1. Stability: experts who rated an item in consecutive "
        "rounds, two-sided Wilcoxon signed-rank test with zero differences dropped (Wilcoxon's "
        "method) and tied ranks averaged; exact distribution up to 50 pairs without ties or "
        "zeros, exact sign-flip permutation up to 13 pairs, otherwise the normal approximation "
        "with tie correction and no continuity correction (as scipy's 'auto'). Kendall's W with "
        "tie correction over experts who rated every item of a round. Region groups with fewer "
        "than %(min_group_size)s valid ratings are not shown. Pages show shares as whole "
        "percentages; CSV and XLSX exports round shares, quartiles, means and SDs to 4 decimals "
        "and p-values to 6; the JSON API and `permed delphi stats --format json` give full "
        "precision."
    ) % {
        "quartiles": gettext(QUARTILE_METHOD_TEXT[rule.quartile_method]),
        "min_group_size": min_group_size,
    }


def describe_region_rule(rule: ConsensusRule) -> str:
    """One sentence stating when a cross-region difference is flagged (current language)."""
    return gettext(
        "Flagged when two regions with at least %(min_n)s valid ratings differ by %(gap)s or "
        "more points in share agree, or one reaches inclusion consensus and the other does not."
    ) % {"min_n": rule.min_region_n, "gap": f"{rule.region_gap * 100:.0f}"}


_OUTCOMES = {"include": "consensus_include", "exclude": "consensus_exclude"}


def item_outcome(summary: ItemSummary, *, round_number: int) -> tuple[str, OutcomeReason]:
    """An item's outcome when its round closes, and the reason recorded with it.

    :param summary: the item's figures in the round.
    :param round_number: the round, named in the reason.
    :return: (outcome, reason): ``consensus_include``, ``consensus_exclude`` or
        ``pending`` (no consensus), and the reason with the figures behind it.
    """
    reason = closing_reason(
        summary.verdict,
        round_number=round_number,
        share_agree=summary.share_agree,
        share_disagree=summary.share_disagree,
        median=summary.median,
        iqr=summary.iqr,
        n_valid=summary.n_valid,
        shortfall=summary.shortfall(),
    )
    return _OUTCOMES.get(summary.verdict, "pending"), reason
