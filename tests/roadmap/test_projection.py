"""The linear trend and its prediction interval, checked against numpy and scipy."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats

from permed_atlas.roadmap._tdist import t_cdf, t_ppf
from permed_atlas.roadmap.errors import ProjectionError
from permed_atlas.roadmap.projection import (
    Point,
    band,
    fit_trend,
    prediction_interval,
    project,
    years_since,
)

SERIES = [
    Point(date(2019, 3, 1), 12.0),
    Point(date(2020, 6, 30), 15.5),
    Point(date(2021, 1, 15), 14.0),
    Point(date(2022, 12, 31), 21.0),
    Point(date(2024, 7, 1), 24.5),
    Point(date(2025, 2, 1), 23.0),
]


def _xy(points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
    origin = min(p.when for p in points)
    return (
        np.array([years_since(origin, p.when) for p in points]),
        np.array([p.value for p in points]),
    )


def test_slope_and_intercept_match_numpy_polyfit() -> None:
    trend = fit_trend(SERIES)
    x, y = _xy(SERIES)
    slope, intercept = np.polyfit(x, y, 1)
    assert trend.slope == pytest.approx(slope, rel=1e-12)
    assert trend.intercept == pytest.approx(intercept, rel=1e-12)
    assert trend.origin == date(2019, 3, 1)
    assert trend.n == 6


def test_prediction_interval_matches_the_t_distribution() -> None:
    at = date(2030, 12, 31)
    level = 0.90
    trend = fit_trend(SERIES)
    low, high = prediction_interval(trend, at=at, level=level)
    x, y = _xy(SERIES)
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (intercept + slope * x)
    s = math.sqrt((residuals**2).sum() / (n - 2))
    x0 = years_since(trend.origin, at)
    half = (
        stats.t.ppf(0.95, n - 2)
        * s
        * math.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    )
    centre = intercept + slope * x0
    assert low == pytest.approx(centre - half, rel=1e-9)
    assert high == pytest.approx(centre + half, rel=1e-9)


def test_interval_matches_scipy_linregress_for_the_projected_value() -> None:
    result = stats.linregress(*_xy(SERIES))
    projection = project(SERIES, at=date(2028, 1, 1), level=0.95)
    x0 = years_since(SERIES[0].when, date(2028, 1, 1))
    assert projection.value == pytest.approx(result.intercept + result.slope * x0, rel=1e-12)
    assert projection.has_interval
    assert projection.lower < projection.value < projection.upper


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 12, 30, 120])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.95, 0.975, 0.995, 0.05])
def test_t_quantile_matches_scipy(df: int, p: float) -> None:
    assert t_ppf(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-12)
    assert t_cdf(1.7, df) == pytest.approx(stats.t.cdf(1.7, df), rel=1e-10)


def test_two_points_give_an_exact_line_and_no_interval() -> None:
    points = [Point(date(2024, 1, 1), 10.0), Point(date(2025, 1, 1), 20.0)]
    projection = project(points, at=date(2026, 1, 1))
    # 2024 is a leap year: 366 days for the first +10, then 365 more days
    assert projection.value == pytest.approx(10.0 + 10.0 * 731 / 366, rel=1e-9)
    assert projection.lower is None and projection.upper is None
    assert not projection.has_interval
    assert band(projection.trend, start=date(2024, 1, 1), end=date(2026, 1, 1)) == []


def test_interval_widens_away_from_the_data() -> None:
    trend = fit_trend(SERIES)
    near = prediction_interval(trend, at=date(2022, 6, 1))
    far = prediction_interval(trend, at=date(2035, 6, 1))
    assert (far[1] - far[0]) > (near[1] - near[0])


def test_band_rows_follow_the_trend() -> None:
    trend = fit_trend(SERIES)
    rows = band(trend, start=date(2019, 3, 1), end=date(2030, 12, 31), steps=10)
    assert len(rows) == 11
    assert rows[0][0] == date(2019, 3, 1) and rows[-1][0] == date(2030, 12, 31)
    for when, value, low, high in rows:
        assert low < value < high
        assert value == pytest.approx(trend.value_at(when))


def test_too_few_points_or_one_date_are_refused() -> None:
    with pytest.raises(ProjectionError, match="at least 2 points"):
        fit_trend([Point(date(2024, 1, 1), 1.0)])
    with pytest.raises(ProjectionError, match="one date"):
        fit_trend([Point(date(2024, 1, 1), 1.0), Point(date(2024, 1, 1), 2.0)])
    with pytest.raises(ProjectionError, match="level"):
        prediction_interval(fit_trend(SERIES), at=date(2030, 1, 1), level=1.5)
