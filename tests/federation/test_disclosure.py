"""Disclosure rules: threshold, rounding, bounds, noise, differencing (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permed_atlas.federation.disclosure import (
    QueryHistory,
    count_bounds,
    disclose,
    find_differencing_conflict,
    laplace_noise,
    noise_seed,
    round_half_up,
)
from permed_atlas.federation.icd10 import parse_pattern
from permed_atlas.federation.mapping import icd10_chapters
from permed_atlas.federation.models import CountQuery, DisclosureRules, Range


def test_threshold_and_zero() -> None:
    rules = DisclosureRules(k=5)
    assert disclose(0, rules=rules).display == "0"
    for n in range(1, 5):
        shown = disclose(n, rules=rules)
        assert shown.display == "<5" and shown.value is None and shown.suppressed
        assert (shown.lower, shown.upper) == (1, 4)
    assert disclose(5, rules=rules).display == "5"
    hidden = DisclosureRules(k=5, show_zeros=False)
    assert disclose(0, rules=hidden).display == "<5"
    assert (disclose(0, rules=hidden).lower, disclose(0, rules=hidden).upper) == (0, 4)


def test_rounding_never_shows_below_k() -> None:
    rules = DisclosureRules(k=12, rounding=10)
    assert disclose(12, rules=rules).value == 20  # 10 would be a small count
    assert disclose(24, rules=rules).value == 20
    assert disclose(25, rules=rules).value == 30
    assert round_half_up(15, base=10) == 20 and round_half_up(14, base=10) == 10
    assert count_bounds(20, rules=rules) == (12, 24)  # 12..14 are raised to 20
    assert count_bounds(30, rules=rules) == (25, 34)


@settings(max_examples=400, deadline=None)
@given(n=st.integers(0, 5000), k=st.integers(1, 30), base=st.integers(1, 50),
       zeros=st.booleans())
def test_shown_counts_are_never_small_and_bounds_hold(n: int, k: int, base: int,
                                                      zeros: bool) -> None:
    rules = DisclosureRules(k=k, rounding=base, show_zeros=zeros)
    shown = disclose(n, rules=rules)
    assert shown.value is None or shown.value == 0 or shown.value >= k
    assert shown.lower <= n <= shown.upper
    if shown.value:
        assert shown.value % base == 0


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 1000), k=st.integers(2, 20), epsilon=st.floats(0.05, 5.0),
       key=st.text(min_size=1, max_size=20))
def test_noise_is_repeatable_and_never_small(n: int, k: int, epsilon: float, key: str) -> None:
    rules = DisclosureRules(k=k, noise_epsilon=epsilon)
    first = disclose(n, rules=rules, secret=b"node-secret", query_key=key)
    assert disclose(n, rules=rules, secret=b"node-secret", query_key=key) == first
    assert first.value is None or first.value == 0 or first.value >= k
    if n == 0:
        assert first.display == "0"  # true zeros kept


def test_noise_depends_on_question_and_secret_and_is_laplace_shaped() -> None:
    draws = [laplace_noise(seed=noise_seed(secret=b"s", query_key=f"q{i}"), scale=2.0)
             for i in range(4000)]
    mean = sum(draws) / len(draws)
    mean_abs = sum(abs(d) for d in draws) / len(draws)
    assert abs(mean) < 0.2 and abs(mean_abs - 2.0) < 0.2  # E|X| = scale for Laplace
    assert noise_seed(secret=b"a", query_key="q") != noise_seed(secret=b"b", query_key="q")


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        DisclosureRules(k=0)
    with pytest.raises(ValueError):
        DisclosureRules(rounding=0)
    with pytest.raises(ValueError):
        DisclosureRules(noise_epsilon=0)


CH = icd10_chapters()


def q(*diagnosis: str, sex: tuple[str, ...] = (), age: Range | None = None) -> CountQuery:
    return CountQuery(diagnosis=tuple(parse_pattern(d, chapters=CH) for d in diagnosis),
                      sex=sex, age=age or Range())


def test_within_follows_filters() -> None:
    assert q("C50.1").within(q("C50")) and not q("C50").within(q("C50.1"))
    assert q("C50", sex=("female",)).within(q("C50"))
    assert q("C50", age=Range(40, 50)).within(q("chapter:II", age=Range(30, None)))
    assert not q("C50", sex=("female",)).within(q("C50", sex=("male",)))
    assert not q().within(q("C50"))
    assert q("C50").within(q())


def test_differencing_rule() -> None:
    broad, narrow = q("Q90"), q("Q90", sex=("female",))
    assert find_differencing_conflict(narrow, 8, history=[(broad, 10)], k=5) == broad
    assert find_differencing_conflict(broad, 10, history=[(narrow, 8)], k=5) == narrow
    assert find_differencing_conflict(narrow, 5, history=[(broad, 10)], k=5) is None  # diff = k
    assert find_differencing_conflict(narrow, 10, history=[(broad, 10)], k=5) is None  # equal
    unrelated = q("C50", sex=("male",))
    assert find_differencing_conflict(unrelated, 8, history=[(broad, 10)], k=5) is None


history_steps = st.lists(
    st.tuples(
        st.sampled_from(("C50", "C50.1", "C50.9", "Q90", "chapter:II", "C50-C61")),
        st.sampled_from(((), ("female",), ("male",), ("female", "male"))),
        st.sampled_from((None, Range(40, 60), Range(50, None), Range(None, 45))),
        st.integers(0, 30),  # true count
        st.integers(0, 40),  # days before the reference moment
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(steps=history_steps, limit=st.integers(1, 50), k=st.integers(1, 8))
def test_indexed_history_decides_like_the_plain_rule(
    steps: list[tuple[str, tuple[str, ...], Range | None, int, int]], limit: int, k: int
) -> None:
    """QueryHistory.conflict is find_differencing_conflict over the kept, recent entries."""
    now = datetime(2026, 11, 23, 12)
    since = now - timedelta(days=30)
    history = QueryHistory(limit=limit)
    plain: dict[str, tuple[CountQuery, int, datetime]] = {}
    for code, sex, age, count, days in steps:
        query, at = q(code, sex=sex, age=age), now - timedelta(days=days)
        window = [(e, n) for e, n, when in plain.values() if when >= since]
        expected = find_differencing_conflict(query, count, history=window, k=k)
        assert history.conflict(query, count, k=k, since=since) == expected
        if query.key() in plain:  # asked again: the same count, a later time, same place
            earlier = plain[query.key()]
            plain[query.key()] = (earlier[0], earlier[1], max(earlier[2], at))
        else:
            plain[query.key()] = (query, count, at)
        while len(plain) > limit:
            plain.pop(next(iter(plain)))
        history.add(query, count, at=at)
        assert len(history) == len(plain)
