"""Small builders for roadmap tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from permed_atlas.roadmap.models import Indicator, Observation, Scope


def make_indicator(
    *,
    code: str = "test-indicator",
    unit: str = "%",
    direction: str = "increase",
    baseline: tuple[float, date] = (20.0, date(2023, 1, 1)),
    target: tuple[float, date] = (70.0, date(2030, 12, 31)),
    region: str = "EU27",
    actions: tuple[str, ...] = ("A.1.a",),
) -> Indicator:
    return Indicator(
        code=code,
        roadmap="test",
        name=f"Indicator {code}",
        definition="a test indicator",
        unit=unit,
        direction=direction,  # type: ignore[arg-type]
        baseline_value=baseline[0],
        baseline_date=baseline[1],
        target_value=target[0],
        target_date=target[1],
        scope=Scope(region=region),
        action_codes=actions,
    )


def make_observations(code: str, series: list[tuple[date, float]]) -> list[Observation]:
    return [
        Observation(
            id=i,
            indicator=code,
            observed_on=when,
            value=value,
            source="test",
            entered_by="tester",
            entered_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i, (when, value) in enumerate(series, start=1)
    ]
