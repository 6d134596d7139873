"""Pure: a linear trend through dated values and where it leads by a target date.

Time is measured in years (365.25 days) since the earliest point, so the
slope reads "units per year". With three or more points the projection
carries a prediction interval for a new observation at the target date,
from Student's t with n - 2 degrees of freedom::

    y0 ± t(1 - (1 - level) / 2, n - 2) · s · sqrt(1 + 1/n + (x0 - x̄)² / Sxx)

With two points the line is exact and no interval can be estimated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from permed_atlas.i18n import Message
from permed_atlas.roadmap._tdist import t_ppf
from permed_atlas.roadmap.errors import ProjectionError

DAYS_PER_YEAR = 365.25
DEFAULT_LEVEL = 0.90


@dataclass(frozen=True)
class Point:
    when: date
    value: float


@dataclass(frozen=True)
class Trend:
    """A least-squares line ``value = intercept + slope · years_since(origin)``."""

    origin: date
    slope: float
    intercept: float
    n: int
    x_mean: float
    sxx: float
    residual_sd: float | None  # None with two points: the line passes through both

    def value_at(self, when: date) -> float:
        return self.intercept + self.slope * years_since(self.origin, when)


@dataclass(frozen=True)
class Projection:
    """The trend's value at ``at``, with its prediction interval when there is one."""

    at: date
    value: float
    lower: float | None
    upper: float | None
    level: float
    trend: Trend

    @property
    def has_interval(self) -> bool:
        return self.lower is not None and self.upper is not None


def years_since(origin: date, when: date) -> float:
    """Years (of 365.25 days) from ``origin`` to ``when``.

    :param origin: the reference date.
    :param when: the date measured.
    """
    return (when - origin).days / DAYS_PER_YEAR


def fit_trend(points: Sequence[Point]) -> Trend:
    """Fit a least-squares line through ``points``.

    :param points: dated values; at least two on different dates.
    """
    if len(points) < 2:
        raise ProjectionError(
            Message("a trend needs at least 2 points, got %(count)s", count=len(points))
        )
    origin = min(point.when for point in points)
    xs = [years_since(origin, point.when) for point in points]
    ys = [float(point.value) for point in points]
    n = len(points)
    x_mean = math.fsum(xs) / n
    y_mean = math.fsum(ys) / n
    sxx = math.fsum((x - x_mean) ** 2 for x in xs)
    if sxx == 0.0:
        raise ProjectionError(Message("all points fall on one date; no trend can be fitted"))
    sxy = math.fsum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    residual_sd: float | None = None
    if n >= 3:
        sse = math.fsum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
        residual_sd = math.sqrt(sse / (n - 2))
    return Trend(
        origin=origin,
        slope=slope,
        intercept=intercept,
        n=n,
        x_mean=x_mean,
        sxx=sxx,
        residual_sd=residual_sd,
    )


def prediction_interval(
    trend: Trend, *, at: date, level: float = DEFAULT_LEVEL
) -> tuple[float, float] | None:
    """The two-sided prediction interval of a new value at ``at``; None with under 3 points.

    :param trend: a fitted trend.
    :param at: the date predicted.
    :param level: coverage of the interval, e.g. 0.90.
    """
    if not 0.0 < level < 1.0:
        raise ProjectionError(Message("level must be between 0 and 1, not %(level)s", level=level))
    if trend.residual_sd is None or trend.n < 3:
        return None
    x0 = years_since(trend.origin, at)
    quantile = t_ppf(1.0 - (1.0 - level) / 2.0, trend.n - 2)
    half = (
        quantile
        * trend.residual_sd
        * math.sqrt(1.0 + 1.0 / trend.n + (x0 - trend.x_mean) ** 2 / trend.sxx)
    )
    centre = trend.value_at(at)
    return centre - half, centre + half


def project(points: Sequence[Point], *, at: date, level: float = DEFAULT_LEVEL) -> Projection:
    """Fit a trend through ``points`` and project it to ``at``.

    :param points: dated values; at least two on different dates.
    :param at: the date to project to (an indicator's target date).
    :param level: coverage of the prediction interval.
    """
    trend = fit_trend(points)
    interval = prediction_interval(trend, at=at, level=level)
    return Projection(
        at=at,
        value=trend.value_at(at),
        lower=interval[0] if interval else None,
        upper=interval[1] if interval else None,
        level=level,
        trend=trend,
    )


def band(
    trend: Trend, *, start: date, end: date, steps: int = 24, level: float = DEFAULT_LEVEL
) -> list[tuple[date, float, float, float]]:
    """``(date, value, lower, upper)`` along the trend, for drawing its band; empty without one.

    :param trend: a fitted trend.
    :param start: first date.
    :param end: last date.
    :param steps: number of segments.
    :param level: coverage of the interval.
    """
    if trend.residual_sd is None or end <= start:
        return []
    span = (end - start).days
    rows = []
    for i in range(steps + 1):
        when = start + timedelta(days=round(span * i / steps))
        interval = prediction_interval(trend, at=when, level=level)
        if interval is None:
            return []
        rows.append((when, trend.value_at(when), interval[0], interval[1]))
    return rows
