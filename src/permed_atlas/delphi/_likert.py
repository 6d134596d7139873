"""Private helpers for 1-5 Likert ratings: parsing, quantiles and the normal/chi-square tails.

Written with the standard library only so that the consensus core needs no
numerical package; tests check every function against numpy/scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

LIKERT_VALUES = (1, 2, 3, 4, 5)
NO_OPINION_WORDS = frozenset({"", "na", "n/a", "no opinion", "no_opinion", "none"})


def parse_rating(raw: object) -> int | None:
    """A rating 1-5 as int, None for "no opinion"; ValueError for anything else.

    :param raw: an int, or a string from a form or CSV cell.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(f"rating must be 1-5 or 'no opinion', not {raw!r}")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().lower()
        if text in NO_OPINION_WORDS:
            return None
        try:
            value = int(text)
        except ValueError as exc:
            raise ValueError(f"rating must be 1-5 or 'no opinion', not {raw!r}") from exc
    if value not in LIKERT_VALUES:
        raise ValueError(f"rating must be 1-5 or 'no opinion', not {raw!r}")
    return value


def quantile(sorted_values: Sequence[float], q: float, *, method: str = "linear") -> float:
    """The q-quantile of sorted values.

    ``linear`` interpolates at 0-based position (n-1)q (numpy's default, Hyndman-Fan
    type 7). ``spss`` is SPSS's HAVERAGE, "weighted average at X(w+1)p" (IBM SPSS
    Statistics, EXAMINE /PERCENTILES): the 1-based position (n+1)q, clamped to the
    first and last value (numpy's ``weibull``, Hyndman-Fan type 6).

    :param sorted_values: non-empty values in ascending order.
    :param q: between 0 and 1.
    :param method: ``linear`` or ``spss``.
    """
    n = len(sorted_values)
    if n == 0:
        raise ValueError("quantile of no values")
    if method == "spss":
        position = min(max((n + 1) * q - 1, 0.0), n - 1.0)
    elif method == "linear":
        position = (n - 1) * q
    else:
        raise ValueError(f"unknown quartile method {method!r} (use linear or spss)")
    low = math.floor(position)
    high = min(low + 1, n - 1)
    fraction = position - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n with ties given their average rank (scipy's rankdata 'average')."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = rank
        i = j + 1
    return ranks


def tie_sizes(values: Sequence[float]) -> list[int]:
    """Sizes of the groups of equal values (groups of one included)."""
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return list(counts.values())


def normal_two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def chi2_survival(x: float, df: int) -> float:
    """P(X > x) for a chi-square variable with ``df`` degrees of freedom."""
    if x <= 0:
        return 1.0
    return _regularised_upper_gamma(df / 2, x / 2)


def _regularised_upper_gamma(a: float, x: float) -> float:
    # Series for P when x < a + 1, Lentz's continued fraction for Q otherwise
    # (Numerical Recipes 6.2): both converge fast in their own region.
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        denominator = a
        for _ in range(10_000):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


def signed_rank_exact_p(n: int, statistic: float) -> float:
    """Exact two-sided p of the Wilcoxon signed-rank statistic min(W+, W-), no ties or zeros.

    :param n: number of non-zero differences.
    :param statistic: the smaller of the two rank sums (an integer here).
    """
    total = n * (n + 1) // 2
    # counts[s] = number of sign patterns whose positive ranks sum to s
    counts = [0] * (total + 1)
    counts[0] = 1
    for rank in range(1, n + 1):
        for s in range(total, rank - 1, -1):
            counts[s] += counts[s - rank]
    k = int(statistic)
    tail = float(sum(counts[: k + 1])) / float(2**n)
    return min(1.0, 2 * tail)
