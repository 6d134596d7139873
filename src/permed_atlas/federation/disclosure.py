"""Disclosure control at the node (pure).

The rules, applied in this order to the true count ``n`` of a question:

1. Noise (optional, in the style of samply/laplace-rs): ``n' = n + Laplace(0,
   sensitivity / epsilon)`` rounded to an integer and clamped at 0. The noise
   is drawn from a generator seeded by an HMAC of the node's secret and the
   question's canonical key, so asking the same question again (by anyone)
   returns the same noise and averaging repeats learns nothing. A true zero
   stays 0 when ``show_zeros`` is set.
2. Threshold: ``1 <= n' <= k-1`` is shown as "<k" with bounds [1, k-1]
   ([0, k-1] when zeros are hidden too).
3. Rounding: otherwise ``n'`` is rounded half-up to a multiple of the base and
   raised to the smallest multiple that is at least k, so a shown count is
   never in 1..k-1.

The differencing guard: a question Q of requester R is refused when R got an
answer, within the window, to an earlier question P whose filters nest with
Q's (one is within the other, see :meth:`CountQuery.within`) and whose true
counts differ by 1..k-1: the difference of the two answers would otherwise
reveal a cell smaller than k. Equal counts and differences of k or more pass.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from collections.abc import Iterable
from datetime import datetime

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
    """A 64-bit seed fixed by the node's secret and the question (not the requester)."""
    digest = hmac.new(secret, query_key.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def laplace_noise(*, seed: int, scale: float) -> float:
    """One draw of Laplace(0, scale) from a generator seeded with ``seed``.

    :param seed: from :func:`noise_seed`.
    :param scale: sensitivity / epsilon.
    """
    u = random.Random(seed).random() - 0.5  # in [-0.5, 0.5)
    return -scale * math.copysign(1.0, u) * math.log(1.0 - 2.0 * abs(u))


def disclose(
    true_count: int, *, rules: DisclosureRules, secret: bytes = b"", query_key: str = ""
) -> DisclosedCount:
    """Turn a true count into what the node may say.

    :param true_count: the count in the node's store.
    :param rules: the node's disclosure rules.
    :param secret: the node's noise secret (only used with noise).
    :param query_key: the canonical question (only used with noise).
    """
    if true_count < 0:
        raise ValueError("a count cannot be negative")
    noisy = rules.noise_epsilon is not None
    n = true_count
    if noisy and not (true_count == 0 and rules.show_zeros):
        scale = rules.noise_sensitivity / float(rules.noise_epsilon or 1.0)
        seed = noise_seed(secret=secret, query_key=query_key)
        n = max(0, round(true_count + laplace_noise(seed=seed, scale=scale)))
    if n == 0 and rules.show_zeros:
        return DisclosedCount("0", 0, 0, 0, False, False, "imprecise" if noisy else "exact")
    if n < rules.k:
        lower = 1 if rules.show_zeros else 0
        return DisclosedCount(
            f"<{rules.k}", None, lower, rules.k - 1, True, lower > 0, "imprecise"
        )
    shown = max(round_half_up(n, base=rules.rounding), smallest_shown(rules))
    lower, upper = count_bounds(shown, rules=rules)
    precision: Precision = (
        "imprecise" if noisy else ("exact" if rules.rounding == 1 else "rounded")
    )
    return DisclosedCount(str(shown), shown, lower, upper, False, True, precision)


def count_bounds(shown: int, *, rules: DisclosureRules) -> tuple[int, int]:
    """The counts (at least k) that the rounding turns into ``shown``."""
    base = rules.rounding
    # The smallest shown value also stands for the counts from k that round below it.
    lower = rules.k if shown == smallest_shown(rules) else max(rules.k, shown - base // 2)
    upper = shown + (base + 1) // 2 - 1
    return lower, upper


def find_differencing_conflict(
    query: CountQuery,
    true_count: int,
    *,
    history: Iterable[tuple[CountQuery, int]],
    k: int,
) -> CountQuery | None:
    """The earlier question whose answer and this one's would reveal a cell below k, if any.

    :param query: the new question.
    :param true_count: its true count.
    :param history: earlier answered questions of the same requester with their true counts.
    :param k: the node's threshold.
    """
    for earlier, earlier_count in history:
        if earlier.key() == query.key():
            continue
        nested = query.within(earlier) or earlier.within(query)
        if nested and 1 <= abs(earlier_count - true_count) <= k - 1:
            return earlier
    return None


class QueryHistory:
    """One requester's answered questions with their true counts, indexed by count (pure).

    :meth:`conflict` decides exactly what :func:`find_differencing_conflict` decides
    over the entries asked since a moment, but looks only at the earlier
    questions whose counts differ by 1..k-1 (at most 2(k-1) buckets), so a check
    costs the same with 20 or 2,000 questions in the history.

    :param limit: the most questions kept; the oldest go first.
    """

    def __init__(self, *, limit: int) -> None:
        self._limit = limit
        self._serial = 0
        # key -> (question, true count, last asked, order of first asking)
        self._entries: dict[str, tuple[CountQuery, int, datetime, int]] = {}
        self._by_count: dict[tuple[str, int], set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, query: CountQuery, true_count: int, *, at: datetime) -> None:
        """Record an answered question (asked again: only its time moves).

        :param query: the question.
        :param true_count: its true count.
        :param at: when it was answered.
        """
        key = query.key()
        known = self._entries.get(key)
        if known is not None:
            self._entries[key] = (known[0], known[1], max(known[2], at), known[3])
            return
        self._serial += 1
        self._entries[key] = (query, true_count, at, self._serial)
        self._by_count.setdefault((query.entity, true_count), set()).add(key)
        while len(self._entries) > self._limit:
            old_key = next(iter(self._entries))
            old = self._entries.pop(old_key)
            bucket = self._by_count[(old[0].entity, old[1])]
            bucket.discard(old_key)
            if not bucket:
                del self._by_count[(old[0].entity, old[1])]

    def conflict(
        self, query: CountQuery, true_count: int, *, k: int, since: datetime
    ) -> CountQuery | None:
        """The earliest-asked question since ``since`` that conflicts with ``query``, if any.

        :param query: the new question.
        :param true_count: its true count.
        :param k: the node's threshold.
        :param since: questions answered before this moment are not compared.
        """
        key = query.key()
        found: tuple[int, CountQuery] | None = None
        for diff in range(1, k):
            for other in (true_count - diff, true_count + diff):
                for earlier_key in self._by_count.get((query.entity, other), ()):
                    earlier, _, at, order = self._entries[earlier_key]
                    if earlier_key == key or at < since or (found and found[0] < order):
                        continue
                    if query.within(earlier) or earlier.within(query):
                        found = (order, earlier)
        return found[1] if found else None
