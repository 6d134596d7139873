"""Disclosure control at the node (pure).

The rules, applied in this order to the true count ``n`` of a question:

1. Perturbation by the cell key method (see cellkey.py): ``n' = n + d`` where
   ``d`` is read from the node's perturbation table at row ``n`` by the cell key
   of the counted records. The same records always get the same ``d``, however
   the question is phrased. Optionally (``noise_epsilon``), a rounded Laplace
   deviation replaces the table; its generator is seeded by an HMAC of the
   node's secret and the counted records (their count and key sum), never by
   the phrasing, so averaging re-phrasings learns nothing either.
2. Threshold, on the perturbed count: ``1 <= n' <= k-1`` is shown as "<k"
   (and a 0 too when zeros are hidden).
3. Rounding: otherwise ``n'`` is rounded half-up to a multiple of the base and
   raised to the smallest multiple that is at least k.

The bounds stated with a count are the true counts that could have produced
it (with Laplace noise, which is unbounded: the noisy counts).

The differencing guard (an extra layer): a question Q of requester R is
refused when R got an answer, within the window, to an earlier question P
whose filters nest with Q's (one is within the other, see
:meth:`CountQuery.within`) and whose shown counts could differ by 1..k-1.
Questions are identified by the records they select (``Selection.key``), so
a re-phrasing is the same question, and compared on their canonical filters
(filters that restrict nothing dropped). The guard compares what is shown
(each display read as the interval of perturbed counts it stands for, see
:func:`shown_interval`), never the true or the hidden perturbed count, so a
refusal tells no more than the displays would have: a guard comparing the
hidden perturbed count of a "<k" answer refuses it next to a parent shown as
s exactly when that count is at least s-(k-1), and a few parents of known
count then pin down what "<k" hides.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from collections.abc import Iterable
from datetime import datetime
from typing import TypeAlias

from permed_atlas.federation.cellkey import (
    PerturbationTable,
    build_perturbation_table,
    laplace_deviation,
)
from permed_atlas.federation.models import (
    CountQuery,
    DisclosedCount,
    DisclosureRules,
    Precision,
)


def round_half_up(n: int, *, base: int) -> int:
    """``n`` rounded half-up to a multiple of ``base``."""
    return ((2 * n + base) // (2 * base)) * base


def smallest_shown(rules: DisclosureRules) -> int:
    """The smallest non-zero count a node with these rules ever shows."""
    return math.ceil(rules.k / rules.rounding) * rules.rounding


def noise_seed(*, secret: bytes, query_key: str) -> int:
    """A 64-bit seed fixed by the node's secret and the counted records (not the requester).

    :param query_key: the selection key of the counted records (:attr:`Selection.key`).
    """
    digest = hmac.new(secret, query_key.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def laplace_noise(*, seed: int, scale: float) -> float:
    """One draw of Laplace(0, scale) from a generator seeded with ``seed``.

    :param seed: from :func:`noise_seed`.
    :param scale: sensitivity / epsilon.
    """
    u = random.Random(seed).random() - 0.5  # in [-0.5, 0.5)
    return -scale * math.copysign(1.0, u) * math.log(1.0 - 2.0 * abs(u))


def perturb(
    true_count: int,
    *,
    rules: DisclosureRules,
    cell_key: float = 0.0,
    secret: bytes = b"",
    selection_key: str = "",
) -> tuple[int, str]:
    """The perturbed count (before threshold and rounding) and the method used.

    :param true_count: the count in the node's store.
    :param rules: the node's disclosure rules.
    :param cell_key: the cell key of the counted records (cell key method).
    :param secret: the node's noise secret (Laplace only).
    :param selection_key: identifies the counted records (Laplace only).
    """
    if true_count < 0:
        raise ValueError("a count cannot be negative")
    if rules.noise_epsilon is not None:
        if true_count == 0 and rules.show_zeros:
            return 0, "laplace"
        scale = rules.noise_sensitivity / rules.noise_epsilon
        seed = noise_seed(secret=secret, query_key=selection_key)
        return max(0, true_count + laplace_deviation(seed=seed, scale=scale)), "laplace"
    if rules.ckm_max_deviation:
        return _ptable(rules).perturb(true_count, cell_key), "cell key"
    return true_count, "none"


def disclose(
    true_count: int,
    *,
    rules: DisclosureRules,
    cell_key: float = 0.0,
    secret: bytes = b"",
    selection_key: str = "",
) -> DisclosedCount:
    """Turn a true count into what the node may say: perturb, then threshold, then round.

    :param true_count: the count in the node's store.
    :param rules: the node's disclosure rules.
    :param cell_key: the cell key of the counted records.
    :param secret: the node's noise secret (Laplace only).
    :param selection_key: identifies the counted records (Laplace only).
    """
    released, method = perturb(
        true_count, rules=rules, cell_key=cell_key, secret=secret, selection_key=selection_key
    )
    return disclose_released(released, rules=rules, method=method)


def _ptable(rules: DisclosureRules) -> PerturbationTable:
    """The node's cell key table: perturbing and bounding a count must use the same one."""
    return build_perturbation_table(
        max_deviation=rules.ckm_max_deviation,
        variance=rules.ckm_variance,
        keep_zeros=rules.ckm_keep_zeros,
    )


def disclose_released(released: int, *, rules: DisclosureRules, method: str) -> DisclosedCount:
    """Threshold and round an already perturbed count, with the true count's bounds.

    :param released: the perturbed count.
    :param rules: the node's disclosure rules.
    :param method: "cell key", "laplace" or "none", as :func:`perturb` said.
    """
    deviation: int | None = rules.ckm_max_deviation if method == "cell key" else 0
    if method == "laplace":
        deviation = None

    def true_range(low: int, high: int) -> tuple[int, int]:
        if method != "cell key":
            return low, high
        return _ptable(rules).true_range(low, high)

    exact = method == "none"
    if released == 0 and rules.show_zeros:
        lower, upper = true_range(0, 0)
        return DisclosedCount(
            "0",
            0,
            lower,
            upper,
            False,
            False,
            "exact" if exact else "imprecise",
            perturbation=method,
            max_deviation=deviation,
        )
    if released < rules.k:
        low = 1 if rules.show_zeros else 0
        lower, upper = true_range(low, rules.k - 1)
        return DisclosedCount(
            f"<{rules.k}",
            None,
            lower,
            upper,
            True,
            low > 0,
            "imprecise",
            perturbation=method,
            max_deviation=deviation,
        )
    shown = max(round_half_up(released, base=rules.rounding), smallest_shown(rules))
    lower, upper = true_range(*count_bounds(shown, rules=rules))
    precision: Precision = ("exact" if rules.rounding == 1 else "rounded") if exact else "imprecise"
    return DisclosedCount(
        str(shown),
        shown,
        lower,
        upper,
        False,
        True,
        precision,
        perturbation=method,
        max_deviation=deviation,
    )


def count_bounds(shown: int, *, rules: DisclosureRules) -> tuple[int, int]:
    """The released counts (at least k) that the rounding turns into ``shown``."""
    base = rules.rounding
    # The smallest shown value also stands for the counts from k that round below it.
    lower = rules.k if shown == smallest_shown(rules) else max(rules.k, shown - base // 2)
    upper = shown + (base + 1) // 2 - 1
    return lower, upper


Shown: TypeAlias = int | tuple[int, int]
"""What the guard compares: the interval of perturbed counts a display stands for (an
int n is the interval n..n, a count shown as it was released)."""


def shown_interval(display: str, *, rules: DisclosureRules) -> tuple[int, int]:
    """The perturbed counts a display stands for: "0" 0..0, "<k" 1..k-1, a number its rounding.

    :param display: the display as logged ("0", "<5", "120").
    :param rules: the node's rules (rounding, and whether a 0 is hidden in "<k").
    """
    if display.startswith("<"):
        return (1 if rules.show_zeros else 0), int(display[1:]) - 1
    shown = int(display)
    return (0, 0) if shown == 0 else count_bounds(shown, rules=rules)


def _interval(shown: Shown) -> tuple[int, int]:
    return (shown, shown) if isinstance(shown, int) else shown


def _could_differ_by_small(a: tuple[int, int], b: tuple[int, int], k: int) -> bool:
    """Whether a count in ``a`` and one in ``b`` could differ by 1..k-1."""
    low, high = b[0] - a[1], b[1] - a[0]  # the possible differences b - a
    return max(low, 1) <= min(high, k - 1) or max(low, 1 - k) <= min(high, -1)


def find_differencing_conflict(
    query: CountQuery,
    count: Shown,
    *,
    history: Iterable[tuple[CountQuery, Shown]],
    k: int,
) -> CountQuery | None:
    """The earlier question whose answer and this one's would reveal a cell below k, if any.

    :param query: the new question (its canonical filters).
    :param count: what it is shown as (:func:`shown_interval`).
    :param history: earlier answered questions of the same requester with what they were shown as.
    :param k: the node's threshold.
    """
    mine = _interval(count)
    for earlier, earlier_count in history:
        if earlier.key() == query.key():
            continue
        nested = query.within(earlier) or earlier.within(query)
        if nested and _could_differ_by_small(_interval(earlier_count), mine, k):
            return earlier
    return None


class QueryHistory:
    """One requester's answered questions with what they were shown as, indexed (pure).

    :meth:`conflict` decides exactly what :func:`find_differencing_conflict` decides
    over the entries asked since a moment, but looks only at the earlier
    questions whose shown interval starts within reach (about 2(k-1) buckets, plus
    the widest interval held), so a check costs the same with 20 or 20,000
    questions in the history.

    A question is identified by ``key`` (by default its filter text; the node
    passes the key of the records it selects, so re-phrasings are one entry).

    :param limit: the most questions kept, the oldest going first; None keeps
        every question until :meth:`forget_before` drops it (the node keeps the
        whole differencing window: a bounded history is beaten by asking filler
        questions until the one to difference with is forgotten).
    """

    def __init__(self, *, limit: int | None = None) -> None:
        self._limit = limit
        self._serial = 0
        # key -> (question, shown interval, last asked, order of first asking)
        self._entries: dict[str, tuple[CountQuery, tuple[int, int], datetime, int]] = {}
        # (entity, the interval's low end) -> keys
        self._by_low: dict[tuple[str, int], set[str]] = {}
        # The widest interval ever added (never lowered: it only widens the search).
        self._widest = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, query: CountQuery, count: Shown, *, at: datetime, key: str | None = None) -> None:
        """Record an answered question (asked again: only its time moves).

        :param query: the question.
        :param count: what it was shown as (:func:`shown_interval`).
        :param at: when it was answered.
        :param key: what identifies the question (its filter text when None).
        """
        key = query.key() if key is None else key
        known = self._entries.get(key)
        if known is not None:
            self._entries[key] = (known[0], known[1], max(known[2], at), known[3])
            return
        interval = _interval(count)
        self._serial += 1
        self._entries[key] = (query, interval, at, self._serial)
        self._by_low.setdefault((query.entity, interval[0]), set()).add(key)
        self._widest = max(self._widest, interval[1] - interval[0])
        while self._limit is not None and len(self._entries) > self._limit:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        old = self._entries.pop(key)
        slot = (old[0].entity, old[1][0])
        bucket = self._by_low[slot]
        bucket.discard(key)
        if not bucket:
            del self._by_low[slot]

    def forget_before(self, moment: datetime) -> None:
        """Drop the questions last asked before ``moment`` (they left the window)."""
        for key in [key for key, entry in self._entries.items() if entry[2] < moment]:
            self._drop(key)

    def conflict(
        self, query: CountQuery, count: Shown, *, k: int, since: datetime, key: str | None = None
    ) -> CountQuery | None:
        """The earliest-asked question since ``since`` that conflicts with ``query``, if any.

        :param query: the new question.
        :param count: what it is shown as (:func:`shown_interval`).
        :param k: the node's threshold.
        :param since: questions answered before this moment are not compared.
        :param key: what identifies the question (its filter text when None).
        """
        key = query.key() if key is None else key
        mine = _interval(count)
        found: tuple[int, CountQuery] | None = None
        # An earlier interval that could differ by 1..k-1 starts in this span.
        for low in range(mine[0] - (k - 1) - self._widest, mine[1] + k):
            for earlier_key in self._by_low.get((query.entity, low), ()):
                earlier, interval, at, order = self._entries[earlier_key]
                if earlier_key == key or at < since or (found and found[0] < order):
                    continue
                if not _could_differ_by_small(interval, mine, k):
                    continue
                if query.within(earlier) or earlier.within(query):
                    found = (order, earlier)
        return found[1] if found else None
