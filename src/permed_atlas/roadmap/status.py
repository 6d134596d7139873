"""Pure: is an indicator on track to reach its target by its target date?

The rule, stated once here and shown on every status page (:data:`STATUS_RULE`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.roadmap.models import Indicator, Observation, StatusLabel
from permed_atlas.roadmap.projection import DEFAULT_LEVEL, Point, Projection, project
from permed_atlas.roadmap.spec import is_percent

MIN_POINTS = 2
STALE_AFTER_DAYS = 730
"""A status whose newest point is older than this on the day it is assessed is marked stale:
two years without a figure is a whole reporting cycle missed by an annual indicator, so the
line describes where the indicator was heading then, not where it is now."""
# Below this a line passes through every point and no interval can be estimated.
MIN_POINTS_FOR_INTERVAL = 3

# A msgid: %(level)s is the interval's coverage ("90%"); a literal percent sign is "%%".
STATUS_RULE = gettext_noop(
    "A straight line is fitted by least squares through the baseline and every observation "
    "(an observation on the baseline date replaces the baseline) and projected to the target "
    "date. On track: the projected value reaches the target (at or above it when higher is "
    "better, at or below it when lower is better). At risk: the projection misses the target "
    "but the %(level)s prediction interval still reaches it (needs 3 or more points). "
    "Off track: neither reaches it. Insufficient data: fewer than 2 points on different dates. "
    "With only 2 points the line passes through both, no interval can be estimated, and the "
    "status is marked uncertain with the projection drawn dashed and unshaded. "
    "Shares (units in %%) are capped to 0-100%%, and a quantity never below 0 (a count) is "
    "not projected below 0. An observation on the target date is the "
    "measured result: on track if it reaches the target, off track if not, whatever the line "
    "says. A projected status whose newest point is more than two years old is marked stale "
    "with that point's date."
)


@dataclass(frozen=True)
class Assessment:
    """An indicator's status with the projection and the points it rests on."""

    indicator: Indicator
    status: StatusLabel
    reason: str
    points: tuple[Point, ...]
    projection: Projection | None
    latest: Point | None
    n_observations: int
    # The status was read off an observation on the target date, not projected.
    measured: bool = False
    # The day of the assessment, when known: how old the newest point is.
    as_of: date | None = None

    @property
    def n_points(self) -> int:
        """How many points the trend rests on (the baseline counts as one)."""
        return len(self.points)

    @property
    def uncertain(self) -> bool:
        """A projection without a prediction interval: a line through two points is exact
        by construction, so its status must not be read as certain."""
        return (
            not self.measured and self.projection is not None and not self.projection.has_interval
        )

    @property
    def stale(self) -> bool:
        """A projected status whose newest point is over :data:`STALE_AFTER_DAYS` old."""
        if self.as_of is None or self.latest is None or self.projection is None or self.measured:
            return False
        return (self.as_of - self.latest.when).days > STALE_AFTER_DAYS

    @property
    def basis(self) -> Message:
        """What the status rests on, in words shown beside it wherever it appears."""
        if self.projection is None:
            if self.n_points == 1:
                return Message("based on %(n)s point", n=self.n_points)
            return Message("based on %(n)s points", n=self.n_points)
        if self.measured:
            return Message("measured on the target date")
        if self.uncertain:
            return Message(
                "based on %(n)s points only: uncertain, no prediction interval "
                "below %(min)s points",
                n=self.n_points,
                min=MIN_POINTS_FOR_INTERVAL,
            )
        return Message("based on %(n)s points", n=self.n_points)


def describe_rule(level: float = DEFAULT_LEVEL) -> Message:
    """The status rule as one paragraph (English as a str, translated on a page).

    :param level: coverage of the prediction interval used for "at risk".
    """
    return Message(STATUS_RULE, level=format(level, ".0%"))


def series_points(indicator: Indicator, observations: Sequence[Observation]) -> tuple[Point, ...]:
    """The baseline and the observations as points in date order.

    :param indicator: gives the baseline.
    :param observations: the indicator's observations.
    """
    by_date = {indicator.baseline_date: float(indicator.baseline_value)}
    for observation in observations:
        by_date[observation.observed_on] = float(observation.value)
    return tuple(Point(when, value) for when, value in sorted(by_date.items()))


def _reaches(indicator: Indicator, value: float) -> bool:
    if indicator.direction == "increase":
        return value >= indicator.target_value
    return value <= indicator.target_value


def classify(indicator: Indicator, projection: Projection | None) -> tuple[StatusLabel, Message]:
    """Apply the status rule to a projection.

    The reason is a :class:`Message`: English in the API, CSV and CLI, translated on a page.

    :param indicator: gives the target and direction.
    :param projection: the trend projected to the target date, or None when there was none.
    """
    if projection is None:
        return "insufficient data", Message(
            "fewer than %(n)s points on different dates", n=MIN_POINTS
        )
    values = {"projected": indicator.amount(f"{projection.value:.3g}"), **_target_words(indicator)}
    if _reaches(indicator, projection.value):
        return "on track", Message(
            "projected %(projected)s by %(date)s, target %(target)s", **values
        )
    bound = projection.upper if indicator.direction == "increase" else projection.lower
    if bound is None:
        return "off track", Message(
            "projected %(projected)s by %(date)s misses the target %(target)s (no interval)",
            **values,
        )
    interval = {"level": f"{projection.level:.0%}", "bound": f"{bound:.3g}"}
    if _reaches(indicator, bound):
        return "at risk", Message(
            "projected %(projected)s by %(date)s misses the target %(target)s; "
            "the %(level)s interval reaches it (%(bound)s)",
            **values,
            **interval,
        )
    return "off track", Message(
        "projected %(projected)s by %(date)s misses the target %(target)s, and so does the "
        "%(level)s interval (%(bound)s)",
        **values,
        **interval,
    )


def value_range(indicator: Indicator, points: Sequence[Point]) -> tuple[float, float]:
    """The values the indicator can take, as far as its figures tell.

    A share lies in 0-100. A quantity whose baseline, target and every point are 0 or more is
    a count or an amount (countries, calls, euros): a line fitted through a falling count
    would otherwise project, and draw, fewer than none.

    :param indicator: gives the unit, baseline and target.
    :param points: the points the projection rests on.
    """
    if is_percent(indicator.unit):
        return 0.0, 100.0
    values = [indicator.baseline_value, indicator.target_value, *(p.value for p in points)]
    return (0.0 if min(values) >= 0 else -math.inf), math.inf


def bound_projection(projection: Projection, limits: tuple[float, float]) -> Projection:
    """Keep a projection and its interval within the values the indicator can take.

    :param projection: the raw projection.
    :param limits: the lowest and highest possible value (:func:`value_range`).
    """
    low, high = limits

    def cap(value: float) -> float:
        return min(high, max(low, value))

    return replace(
        projection,
        value=cap(projection.value),
        lower=None if projection.lower is None else cap(projection.lower),
        upper=None if projection.upper is None else cap(projection.upper),
    )


def assess(
    indicator: Indicator,
    observations: Sequence[Observation],
    *,
    level: float = DEFAULT_LEVEL,
    today: date | None = None,
) -> Assessment:
    """Project an indicator to its target date and classify it.

    :param indicator: the indicator.
    :param observations: its observations, any order.
    :param level: coverage of the prediction interval used for "at risk".
    :param today: the day of the assessment, to tell a stale status (None: not told).
    """
    points = series_points(indicator, observations)
    projection = (
        bound_projection(
            project(points, at=indicator.target_date, level=level),
            value_range(indicator, points),
        )
        if len(points) >= MIN_POINTS
        else None
    )
    # A value measured on the deadline settles the question; a line fitted through it and
    # through later values could call a missed target "at risk" or a met one "off track".
    measured = next((p for p in points if p.when == indicator.target_date), None)
    status, reason = (
        classify(indicator, projection)
        if measured is None
        else classify_measured(indicator, measured)
    )
    return Assessment(
        indicator=indicator,
        status=status,
        reason=reason,
        points=points,
        projection=projection,
        latest=points[-1] if points else None,
        n_observations=len(observations),
        measured=measured is not None,
        as_of=today,
    )


def classify_measured(indicator: Indicator, observed: Point) -> tuple[StatusLabel, Message]:
    """The status of an indicator observed on its target date: the target was met or not.

    :param indicator: gives the target and direction.
    :param observed: the observation on the target date.
    """
    values = {"observed": indicator.amount(f"{observed.value:g}"), **_target_words(indicator)}
    if _reaches(indicator, observed.value):
        return "on track", Message(
            "observed %(observed)s on the target date %(date)s: target %(target)s met", **values
        )
    return "off track", Message(
        "observed %(observed)s on the target date %(date)s: target %(target)s missed", **values
    )


def _target_words(indicator: Indicator) -> dict[str, str]:
    """The target's date and value as a status reason states them."""
    return {
        "date": indicator.target_date.isoformat(),
        "target": indicator.amount(f"{indicator.target_value:g}"),
    }
