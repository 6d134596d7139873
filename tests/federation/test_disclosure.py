"""Disclosure rules: the perturbation table, threshold after perturbation, rounding, bounds,
seeded noise, differencing (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permed_atlas.federation.cellkey import (
    KEY_MODULUS,
    build_perturbation_table,
    cell_key,
    ptable_rows_text,
)
from permed_atlas.federation.disclosure import (
    QueryHistory,
    count_bounds,
    disclose,
    find_differencing_conflict,
    laplace_noise,
    noise_seed,
    perturb,
    round_half_up,
    shown_interval,
)
from permed_atlas.federation.icd10 import parse_pattern
from permed_atlas.federation.mapping import icd10_chapters
from permed_atlas.federation.models import CountQuery, DisclosureRules, Range, Selection

EXACT = {"ckm_max_deviation": 0}  # threshold and rounding on their own


def test_threshold_and_zero() -> None:
    rules = DisclosureRules(k=5, **EXACT)
    assert disclose(0, rules=rules).display == "0"
    for n in range(1, 5):
        shown = disclose(n, rules=rules)
        assert shown.display == "<5" and shown.value is None and shown.suppressed
        assert (shown.lower, shown.upper) == (1, 4)
    assert disclose(5, rules=rules).display == "5"
    hidden = DisclosureRules(k=5, show_zeros=False, **EXACT)
    assert disclose(0, rules=hidden).display == "<5"
    assert (disclose(0, rules=hidden).lower, disclose(0, rules=hidden).upper) == (0, 4)


def test_rounding_never_shows_below_k() -> None:
    rules = DisclosureRules(k=12, rounding=10, **EXACT)
    assert disclose(12, rules=rules).value == 20  # 10 would be a small count
    assert disclose(24, rules=rules).value == 20
    assert disclose(25, rules=rules).value == 30
    assert round_half_up(15, base=10) == 20 and round_half_up(14, base=10) == 10
    assert count_bounds(20, rules=rules) == (12, 24)  # 12..14 are raised to 20
    assert count_bounds(30, rules=rules) == (25, 34)


@pytest.mark.parametrize(
    ("d", "v", "keep_zeros"),
    [
        (1, 0.5, True),
        (2, 1.0, True),
        (3, 2.0, True),
        (3, 2.0, False),
        (5, 3.0, True),
        (5, 8.0, False),
    ],
)
def test_ptable_rows_are_unbiased_bounded_and_reach_the_variance(
    d: int, v: float, keep_zeros: bool
) -> None:
    table = build_perturbation_table(max_deviation=d, variance=v, keep_zeros=keep_zeros)
    assert len(table.rows) == d + 2 and table.rows[0].deviations == (0,)
    for row in table.rows[1:]:
        assert sum(row.probabilities) == pytest.approx(1.0)
        assert row.mean == pytest.approx(0.0, abs=1e-9)  # unbiased: E[j] = i
        assert all(-d <= dev <= d for dev in row.deviations)
        assert min(row.deviations) + row.count >= (1 if keep_zeros else 0)
        assert row.upper_bounds[-1] == 1.0
        assert list(row.upper_bounds) == sorted(row.upper_bounds)
        full = -min(row.deviations) * max(row.deviations)
        if v < 0.8 * full:
            assert row.variance == pytest.approx(v)  # the variance V where the row can hold it
        else:
            assert 0 <= row.variance <= full
    last = table.rows[-1]
    assert last.deviations == tuple(range(-d, d + 1))  # the symmetric row for every larger count
    assert last.probabilities == pytest.approx(last.probabilities[::-1])
    assert len(ptable_rows_text(table)) == d + 2


def test_ptable_lookup_follows_the_intervals_so_uniform_keys_give_the_designed_law() -> None:
    table = build_perturbation_table(max_deviation=3, variance=2.0)
    row = table.row(50)
    steps = 20_000
    seen: dict[int, int] = {}
    for i in range(steps):
        dev = table.deviation(50, (i + 0.5) / steps)
        seen[dev] = seen.get(dev, 0) + 1
    for dev, p in zip(row.deviations, row.probabilities, strict=True):
        assert seen[dev] / steps == pytest.approx(p, abs=1e-3)
    assert table.deviation(50, 0.0) == -3 and table.deviation(50, 0.999999) == 3
    assert table.perturb(0, 0.7) == 0  # the empty set stays 0
    with pytest.raises(ValueError):
        table.deviation(5, 1.0)


def test_cell_key_is_the_key_sum_mod_1() -> None:
    assert cell_key(0) == 0.0
    assert cell_key(KEY_MODULUS // 2) == 0.5
    assert cell_key(KEY_MODULUS + KEY_MODULUS // 4) == 0.25


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(0, 5000),
    k=st.integers(1, 30),
    base=st.integers(1, 50),
    zeros=st.booleans(),
    d=st.integers(0, 4),
    keep=st.booleans(),
    key=st.integers(0, KEY_MODULUS - 1),
)
def test_released_counts_are_never_small_and_bounds_hold_the_truth(
    n: int, k: int, base: int, zeros: bool, d: int, keep: bool, key: int
) -> None:
    rules = DisclosureRules(
        k=k,
        rounding=base,
        show_zeros=zeros,
        ckm_max_deviation=d,
        ckm_variance=d * d / 2 or 1.0,
        ckm_keep_zeros=keep,
    )
    shown = disclose(n, rules=rules, cell_key=cell_key(key))
    assert shown.value is None or shown.value == 0 or shown.value >= k
    assert shown.lower <= n <= shown.upper
    released, method = perturb(n, rules=rules, cell_key=cell_key(key))
    assert abs(released - n) <= d and method == ("cell key" if d else "none")
    if n == 0 or (keep and d):
        assert (released == 0) == (n == 0)  # zeros kept: 0 means none
    if shown.value:
        assert shown.value % base == 0


def test_the_same_records_get_the_same_answer_and_other_records_another() -> None:
    rules = DisclosureRules(k=5)
    a = disclose(40, rules=rules, cell_key=cell_key(123_456_789))
    assert disclose(40, rules=rules, cell_key=cell_key(123_456_789)) == a
    values = {
        disclose(40, rules=rules, cell_key=cell_key(k * 2_654_435_761)).value for k in range(200)
    }
    assert len(values) == 7  # 37..43: every deviation of the table occurs
    assert a.perturbation == "cell key" and a.max_deviation == 3


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 1000),
    k=st.integers(2, 20),
    epsilon=st.floats(0.05, 5.0),
    key=st.text(min_size=1, max_size=20),
)
def test_noise_is_repeatable_and_never_small(n: int, k: int, epsilon: float, key: str) -> None:
    rules = DisclosureRules(k=k, noise_epsilon=epsilon)
    first = disclose(n, rules=rules, secret=b"node-secret", selection_key=key)
    assert disclose(n, rules=rules, secret=b"node-secret", selection_key=key) == first
    assert first.value is None or first.value == 0 or first.value >= k
    assert first.perturbation == "laplace" and first.max_deviation is None
    if n == 0:
        assert first.display == "0"  # true zeros kept


def test_laplace_noise_is_seeded_by_the_records_not_the_phrasing() -> None:
    rules = DisclosureRules(k=5, noise_epsilon=0.5)
    records = Selection("biosamples", 40, 987_654).key
    answers = {
        disclose(40, rules=rules, secret=b"s", selection_key=records).display for _ in range(100)
    }
    assert len(answers) == 1  # averaging 100 re-phrasings gives back the one noisy answer
    draws = [
        laplace_noise(seed=noise_seed(secret=b"s", query_key=f"q{i}"), scale=2.0)
        for i in range(4000)
    ]
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
    with pytest.raises(ValueError, match="ckm_variance"):
        DisclosureRules(ckm_max_deviation=2, ckm_variance=4.0)  # V must stay below D²
    with pytest.raises(ValueError):
        DisclosureRules(ckm_max_deviation=-1)
    with pytest.raises(ValueError):
        DisclosureRules(global_daily_budget=0)
    assert DisclosureRules(daily_budget=100).global_cap == 4000
    assert DisclosureRules(daily_budget=100, global_daily_budget=50).global_cap == 50


CH = icd10_chapters()


def q(*diagnosis: str, sex: tuple[str, ...] = (), age: Range | None = None) -> CountQuery:
    return CountQuery(
        diagnosis=tuple(parse_pattern(d, chapters=CH) for d in diagnosis),
        sex=sex,
        age=age or Range(),
    )


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


def test_the_guard_compares_displays_not_the_counts_they_hide() -> None:
    """A "<k" next to a parent shown as s is refused or not whatever the count "<k" hides."""
    rules = DisclosureRules(k=5)
    assert shown_interval("<5", rules=rules) == (1, 4)
    assert shown_interval("<5", rules=DisclosureRules(k=5, show_zeros=False)) == (0, 4)
    assert shown_interval("0", rules=rules) == (0, 0)
    assert shown_interval("12", rules=rules) == (12, 12)
    assert shown_interval("20", rules=DisclosureRules(k=5, rounding=10)) == (15, 24)
    broad, narrow = q("Q90"), q("Q90", sex=("female",))
    small = shown_interval("<5", rules=rules)
    for parent in range(5, 9):  # a "<5" could be parent-4 .. parent-1: always refused
        assert find_differencing_conflict(narrow, small, history=[(broad, parent)], k=5) == broad
    assert find_differencing_conflict(narrow, small, history=[(broad, 9)], k=5) is None
    assert find_differencing_conflict(narrow, small, history=[(broad, (0, 0))], k=5) == broad
    # Rounded displays: 20 (15..24) and 30 (25..34) could differ by 1..4; 20 and 40 cannot.
    rounded = DisclosureRules(k=5, rounding=10)
    twenty = shown_interval("20", rules=rounded)
    assert find_differencing_conflict(narrow, twenty, history=[(broad, (25, 34))], k=5) == broad
    assert find_differencing_conflict(narrow, twenty, history=[(broad, (35, 44))], k=5) is None
    now = datetime(2026, 12, 8)
    history = QueryHistory()
    history.add(broad, 7, at=now)
    assert history.conflict(narrow, small, k=5, since=now - timedelta(days=1)) == broad
    history = QueryHistory()
    history.add(narrow, small, at=now)
    assert history.conflict(broad, 8, k=5, since=now - timedelta(days=1)) == narrow
    assert history.conflict(broad, 9, k=5, since=now - timedelta(days=1)) is None


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
    history = QueryHistory(limit=limit)  # bounded here to test eviction; the node keeps all
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


def test_history_keyed_by_records_and_forgetting_only_what_left_the_window() -> None:
    now = datetime(2026, 11, 23, 12)
    history = QueryHistory()
    broad, narrow = q("Q90"), q("Q90", sex=("female",))
    history.add(broad, 10, at=now - timedelta(days=40), key="records-a")
    history.add(q("Q90", age=Range(0, None)), 10, at=now, key="records-a")  # a re-phrasing
    assert len(history) == 1
    assert (
        history.conflict(narrow, 8, k=5, since=now - timedelta(days=30), key="records-b") == broad
    )
    for i in range(5000):  # filler questions do not push it out
        history.add(q("C50", age=Range(i, i)), 100 + i, at=now, key=f"filler-{i}")
    assert (
        history.conflict(narrow, 8, k=5, since=now - timedelta(days=30), key="records-b") == broad
    )
    history.forget_before(now + timedelta(seconds=1))
    assert len(history) == 0
