"""The cell key method: record keys, cell keys and the perturbation table (pure).

The method statistical offices use for flexible table builders (ABS
TableBuilder; Eurostat's recommendation for the 2021 census; the open sdcTools
``cellKey`` and ``ptable`` R packages):

* Every record carries a permanent random key, here a 32-bit integer read as a
  number in [0, 1) (``key / 2**32``).
* A count's *cell key* is the sum of the keys of the records it counts, mod 1.
  It depends only on the set of records, so every phrasing of a question that
  selects the same records gets the same cell key, and so the same answer;
  asking again, or with filters that restrict nothing, teaches nothing new.
  Sets that differ by even one record have unrelated cell keys.
* The *perturbation table* (ptable) gives, for each true count ``i``, the
  probabilities ``p(i -> j)`` of releasing ``j``. The released value is found by
  cutting [0, 1) into consecutive intervals of those lengths and taking the one
  the cell key falls in. Because cell keys are uniform, the released value of a
  count follows exactly the designed distribution.

The table is built as ``ptable::create_ptable`` builds it (Enderle, Giessing,
Tent 2018, "Designing confidentiality on the fly"): for each row ``i`` the
target values are ``max(i - D, floor) .. i + D``; the probabilities are the
maximum-entropy distribution with mean deviation 0 (unbiased) and variance
``V``. Maximum entropy under these two moments is ``p(v) ∝ exp(a*v + b*v**2)``,
fitted here by Newton's method on the convex dual. Where a row near zero cannot
reach variance ``V`` while staying unbiased (its deviations are cut at the
floor), it takes the largest variance it can hold (``_ROOM`` of the two-point
maximum) as ptable does by relaxing the variance there. Rows from ``D + 1`` on
have the full symmetric support and share one distribution (ptable's
"symmetry" row). Row 0 releases 0 with probability 1: the empty set has cell
key 0 and no record to protect.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

KEY_BITS = 32
KEY_MODULUS = 1 << KEY_BITS
# A row whose variance cannot reach V takes this share of its largest possible variance.
_ROOM = 0.8


@dataclass(frozen=True)
class PerturbationRow:
    """One row of the ptable: the deviations a true count may get and their intervals.

    :param count: the true count ``i`` of this row (the last row stands for all larger ones).
    :param deviations: the possible ``j - i``, ascending.
    :param probabilities: their probabilities, summing to 1.
    :param upper_bounds: the cumulative probabilities: deviation ``m`` is drawn
        for cell keys in ``[upper_bounds[m-1], upper_bounds[m])``.
    """

    count: int
    deviations: tuple[int, ...]
    probabilities: tuple[float, ...]
    upper_bounds: tuple[float, ...]

    @property
    def variance(self) -> float:
        return sum(p * v * v for v, p in zip(self.deviations, self.probabilities, strict=True))

    @property
    def mean(self) -> float:
        return sum(p * v for v, p in zip(self.deviations, self.probabilities, strict=True))


@dataclass(frozen=True)
class PerturbationTable:
    """A ptable for counts: rows 0..D+1, the last standing for every larger count.

    :param max_deviation: ``D``, the largest change of a count.
    :param variance: ``V``, the variance of the change (for counts far enough from 0).
    :param keep_zeros: a positive count is never released as 0 (so a released
        0 always means none); when False, counts up to D may be released as 0.
    """

    max_deviation: int
    variance: float
    keep_zeros: bool
    rows: tuple[PerturbationRow, ...]

    def row(self, count: int) -> PerturbationRow:
        """The row used for true count ``count``."""
        return self.rows[min(count, len(self.rows) - 1)]

    def deviation(self, count: int, cell_key: float) -> int:
        """The change the table gives a true count for a cell key in [0, 1).

        :param count: the true count (>= 0).
        :param cell_key: the cell key of the counted records.
        """
        if count < 0:
            raise ValueError("a count cannot be negative")
        if not 0.0 <= cell_key < 1.0:
            raise ValueError("a cell key lies in [0, 1)")
        row = self.row(count)
        # The last bound is 1.0 exactly, so every key in [0, 1) finds an interval.
        return row.deviations[
            min(bisect_right(row.upper_bounds, cell_key), len(row.deviations) - 1)
        ]

    def perturb(self, count: int, cell_key: float) -> int:
        """The released value of a true count: ``count`` plus its deviation."""
        return count + self.deviation(count, cell_key)

    def true_range(self, low: int, high: int) -> tuple[int, int]:
        """The true counts that can be released as a value in ``low..high``.

        :param low: the smallest released value the display stands for.
        :param high: the largest.
        """
        d = self.max_deviation
        lower = 0 if low <= 0 else max(1, low - d)
        if high >= 1:
            return lower, high + d
        return lower, 0 if self.keep_zeros else d


def cell_key(key_sum: int) -> float:
    """The cell key in [0, 1) of records whose integer keys add up to ``key_sum``."""
    return (key_sum % KEY_MODULUS) / KEY_MODULUS


@lru_cache(maxsize=32)
def build_perturbation_table(
    *, max_deviation: int, variance: float, keep_zeros: bool = True
) -> PerturbationTable:
    """Build the ptable of maximum deviation D and variance V.

    :param max_deviation: ``D`` >= 0 (0: no perturbation).
    :param variance: ``V`` > 0; must be below ``D**2`` (the two-point maximum
        of the symmetric rows), else no unbiased table exists.
    :param keep_zeros: see :class:`PerturbationTable`.
    :raises ValueError: for parameters no table satisfies.
    """
    d = max_deviation
    if d < 0:
        raise ValueError("the maximum deviation D must be at least 0")
    if d > 0 and not 0 < variance < d * d:
        raise ValueError(f"the variance V must lie in (0, D²) = (0, {d * d}) for D = {d}")
    rows = [PerturbationRow(0, (0,), (1.0,), (1.0,))]
    for count in range(1, d + 2):
        floor = 1 if keep_zeros else 0
        deviations = tuple(range(max(count - d, floor) - count, d + 1))
        probabilities = _max_entropy(deviations, variance) if d else (1.0,)
        rows.append(_row(count, deviations, probabilities))
    return PerturbationTable(d, variance, keep_zeros, tuple(rows))


def _row(
    count: int, deviations: tuple[int, ...], probabilities: tuple[float, ...]
) -> PerturbationRow:
    # Probabilities below 1e-9 are dropped as ptable drops those below 1e-7: a
    # deviation drawn for one key in a billion is not worth an interval.
    kept = [(v, p) for v, p in zip(deviations, probabilities, strict=True) if p >= 1e-9]
    total = sum(p for _, p in kept)
    cumulative: list[float] = []
    running = 0.0
    for _, p in kept:
        running += p / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return PerturbationRow(
        count, tuple(v for v, _ in kept), tuple(p / total for _, p in kept), tuple(cumulative)
    )


def _max_entropy(deviations: tuple[int, ...], variance: float) -> tuple[float, ...]:
    """The maximum-entropy distribution on ``deviations`` with mean 0 and the given variance.

    Where the variance is out of reach it is lowered to ``_ROOM`` of the largest
    an unbiased distribution on these deviations can have; with no negative
    deviation the only unbiased distribution is "no change".
    """
    v = np.array(deviations, dtype=float)
    lowest, highest = v.min(), v.max()
    if lowest >= 0 or highest <= 0:
        return tuple(1.0 if x == 0 else 0.0 for x in deviations)
    target = min(variance, _ROOM * (-lowest * highest))
    a = b = 0.0
    for _ in range(200):
        logits = a * v + b * v * v
        weights = np.exp(logits - logits.max())
        p = weights / weights.sum()
        mean = float(p @ v)
        second = float(p @ (v * v))
        gradient = np.array([mean, second - target])
        if float(np.abs(gradient).max()) < 1e-13:
            break
        cov_vv = second - mean * mean
        third = float(p @ v**3)
        fourth = float(p @ v**4)
        hessian = np.array(
            [[cov_vv, third - mean * second], [third - mean * second, fourth - second * second]]
        )
        step = np.linalg.solve(hessian + 1e-12 * np.eye(2), gradient)
        # Damped: a full Newton step can overshoot while the weights are far from the optimum.
        scale = min(1.0, 5.0 / max(1e-12, float(np.abs(step).max())))
        a -= scale * float(step[0])
        b -= scale * float(step[1])
    else:  # pragma: no cover - the dual is smooth and strictly convex on a feasible target
        raise ArithmeticError(f"the ptable row {deviations} did not converge")
    return tuple(float(x) for x in p)


def ptable_rows_text(table: PerturbationTable) -> list[str]:
    """The table in words, one line per row (for the node's operator and docs)."""
    out = []
    for row in table.rows:
        label = f"{row.count}+" if row is table.rows[-1] and row.count else str(row.count)
        cells = ", ".join(
            f"{v:+d}: {p:.3f}" for v, p in zip(row.deviations, row.probabilities, strict=True)
        )
        out.append(f"i={label}: {cells} (variance {row.variance:.3f})")
    return out


def laplace_deviation(*, seed: int, scale: float) -> int:
    """One rounded draw of Laplace(0, scale) from a generator seeded with ``seed``.

    :param seed: fixed by the node's secret and the counted records, never by the phrasing.
    :param scale: sensitivity / epsilon.
    """
    import random

    u = random.Random(seed).random() - 0.5  # in [-0.5, 0.5)
    return round(-scale * math.copysign(1.0, u) * math.log(1.0 - 2.0 * abs(u)))
