"""The status rule on known series: on track, at risk, off track, insufficient data."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats

from permed_atlas.roadmap.projection import years_since
from permed_atlas.roadmap.status import assess, classify, describe_rule, series_points

from .factories import make_indicator, make_observations

D = date


def _scipy_projection(points: list[tuple[date, float]], at: date, level: float = 0.9):
    origin = min(p[0] for p in points)
    x = np.array([years_since(origin, p[0]) for p in points])
    y = np.array([p[1] for p in points])
    slope, intercept = np.polyfit(x, y, 1)
    x0 = years_since(origin, at)
    centre = intercept + slope * x0
    if len(x) < 3:
        return centre, None, None
    s = math.sqrt(((y - intercept - slope * x) ** 2).sum() / (len(x) - 2))
    half = (
        stats.t.ppf(0.5 + level / 2, len(x) - 2)
        * s
        * math.sqrt(1 + 1 / len(x) + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    )
    return centre, centre - half, centre + half


def test_steady_rise_is_on_track() -> None:
    indicator = make_indicator(unit="count")
    series = [(D(2024, 1, 1), 28.0), (D(2025, 1, 1), 36.0), (D(2026, 1, 1), 45.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    assert result.status == "on track"
    assert result.n_observations == 3
    assert len(result.points) == 4  # baseline + 3
    centre, _, _ = _scipy_projection([(D(2023, 1, 1), 20.0), *series], D(2030, 12, 31))
    assert result.projection.value == pytest.approx(centre)
    assert result.projection.value >= 70


def test_slow_noisy_rise_is_at_risk() -> None:
    indicator = make_indicator(baseline=(22.0, D(2023, 1, 1)))
    series = [(D(2023, 12, 31), 24.0), (D(2024, 12, 31), 33.0), (D(2025, 12, 31), 34.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    centre, low, high = _scipy_projection([(D(2023, 1, 1), 22.0), *series], D(2030, 12, 31))
    assert centre < 70 <= high  # the series was picked to sit in the "at risk" zone
    assert result.status == "at risk"
    assert result.projection.upper == pytest.approx(high)
    assert "interval reaches it" in result.reason


def test_flat_series_is_off_track() -> None:
    indicator = make_indicator(baseline=(18.0, D(2023, 1, 1)))
    series = [(D(2023, 12, 31), 19.0), (D(2024, 12, 31), 21.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    centre, _, high = _scipy_projection([(D(2023, 1, 1), 18.0), *series], D(2030, 12, 31))
    assert high < 70 and centre < 70
    assert result.status == "off track"


def test_two_points_without_interval_are_on_or_off_track_only() -> None:
    indicator = make_indicator(baseline=(21.0, D(2023, 1, 1)))
    slow = assess(indicator, make_observations(indicator.code, [(D(2024, 6, 30), 23.0)]))
    assert slow.status == "off track" and slow.projection.upper is None
    assert "no interval" in slow.reason
    fast = assess(indicator, make_observations(indicator.code, [(D(2024, 1, 1), 40.0)]))
    assert fast.status == "on track"


def test_baseline_alone_is_insufficient_data() -> None:
    result = assess(make_indicator(), [])
    assert result.status == "insufficient data"
    assert result.projection is None
    assert classify(make_indicator(), None)[0] == "insufficient data"


def test_observation_on_the_baseline_date_replaces_the_baseline() -> None:
    indicator = make_indicator()
    observations = make_observations(indicator.code, [(D(2023, 1, 1), 25.0)])
    points = series_points(indicator, observations)
    assert [(p.when, p.value) for p in points] == [(D(2023, 1, 1), 25.0)]
    assert assess(indicator, observations).status == "insufficient data"


def test_decrease_direction_is_judged_the_other_way() -> None:
    # waiting days for a test result: lower is better
    indicator = make_indicator(
        unit="days",
        direction="decrease",
        baseline=(60.0, D(2023, 1, 1)),
        target=(20.0, D(2030, 12, 31)),
    )
    falling = [(D(2024, 1, 1), 52.0), (D(2025, 1, 1), 45.0), (D(2026, 1, 1), 39.0)]
    assert assess(indicator, make_observations(indicator.code, falling)).status == "on track"
    rising = [(D(2024, 1, 1), 61.0), (D(2025, 1, 1), 63.0), (D(2026, 1, 1), 62.0)]
    assert assess(indicator, make_observations(indicator.code, rising)).status == "off track"
    noisy = [(D(2024, 1, 1), 50.0), (D(2025, 1, 1), 58.0), (D(2026, 1, 1), 44.0)]
    result = assess(indicator, make_observations(indicator.code, noisy))
    centre, low, _ = _scipy_projection([(D(2023, 1, 1), 60.0), *noisy], D(2030, 12, 31))
    assert centre > 20 >= low
    assert result.status == "at risk"


def test_shares_are_capped_at_100_percent() -> None:
    indicator = make_indicator()
    series = [(D(2024, 1, 1), 50.0), (D(2025, 1, 1), 80.0), (D(2026, 1, 1), 99.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    assert result.projection.value == 100.0
    assert result.projection.upper == 100.0
    assert result.status == "on track"


def test_the_rule_is_stated() -> None:
    text = describe_rule(0.8)
    assert "80% prediction interval" in text
    for label in ("On track", "At risk", "Off track", "Insufficient data"):
        assert label in text


def test_an_observation_on_the_target_date_is_the_result_not_a_projection() -> None:
    # Deadline 2024-12-31, target 70 %. The line through all points (a later value
    # included) used to call a measured miss "at risk" and a measured hit "at risk" too.
    indicator = make_indicator(target=(70.0, date(2024, 12, 31)))
    missed = assess(
        indicator,
        make_observations(
            indicator.code,
            [(date(2024, 12, 31), 30.0), (date(2025, 6, 1), 100.0), (date(2025, 9, 1), 100.0)],
        ),
    )
    assert missed.status == "off track" and missed.measured and not missed.uncertain
    assert str(missed.reason) == ("observed 30 % on the target date 2024-12-31: target 70 % missed")
    assert str(missed.basis) == "measured on the target date"
    met = assess(
        indicator,
        make_observations(
            indicator.code,
            [(date(2023, 6, 1), 69.0), (date(2024, 12, 31), 70.0), (date(2025, 6, 1), 40.0)],
        ),
    )
    assert met.status == "on track"
    assert str(met.reason).endswith("target 70 % met")
    # lower is better: at or below the target is met
    falling = make_indicator(
        direction="decrease", baseline=(50.0, date(2023, 1, 1)), target=(10.0, date(2024, 12, 31))
    )
    hit = assess(falling, make_observations(falling.code, [(date(2024, 12, 31), 10.0)]))
    assert hit.status == "on track" and not hit.uncertain  # two points, but measured
    # no observation on the date: still the projection
    projected = assess(indicator, make_observations(indicator.code, [(date(2024, 6, 1), 40.0)]))
    assert not projected.measured and projected.uncertain
    assert "measured result" in str(describe_rule())


def test_a_falling_count_is_not_projected_below_none() -> None:
    # Fewer trials waiting for approval is better; a line through 30, 18, 9 crosses 0 in
    # 2026 and would say "-20 trials" by 2030.
    indicator = make_indicator(
        unit="trials",
        direction="decrease",
        baseline=(30.0, D(2023, 1, 1)),
        target=(5.0, D(2030, 12, 31)),
    )
    series = [(D(2024, 1, 1), 18.0), (D(2025, 1, 1), 9.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    centre, low, _ = _scipy_projection([(D(2023, 1, 1), 30.0), *series], D(2030, 12, 31))
    assert centre < 0 and low < 0
    assert result.projection.value == 0.0 and result.projection.lower == 0.0
    assert result.status == "on track"
    assert "projected 0 trials" in str(result.reason)


def test_a_quantity_that_was_below_zero_keeps_its_projection() -> None:
    # A net balance can be negative; only a quantity never seen below 0 is bounded.
    indicator = make_indicator(
        unit="EUR m net",
        direction="increase",
        baseline=(-10.0, D(2023, 1, 1)),
        target=(5.0, D(2030, 12, 31)),
    )
    series = [(D(2024, 1, 1), -14.0), (D(2025, 1, 1), -19.0)]
    result = assess(indicator, make_observations(indicator.code, series))
    assert result.projection.value < -19.0
