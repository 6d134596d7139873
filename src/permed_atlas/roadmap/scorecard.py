"""Pure: roll indicator statuses up per action, priority, pillar and region.

EU and China sit side by side: every row carries one column of counts per
region set, EU27 and CN first. The roll-up rule is :data:`ROLLUP_RULE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from permed_atlas.i18n import Message
from permed_atlas.roadmap.models import Roadmap, StatusLabel
from permed_atlas.roadmap.status import Assessment

RowLevel = Literal["roadmap", "pillar", "priority", "action"]
FIRST_REGIONS: tuple[str, ...] = ("EU27", "CN")

# English in the API and the CLI, translated on the pages (a Message).
ROLLUP_RULE = Message(
    "A group (action, priority, pillar, region) scores on-track indicators as 1, at-risk as "
    "0.5 and off-track as 0, averaged over its indicators with enough data. On track: score "
    "at least 0.75. At risk: at least 0.5. Off track: below 0.5. Insufficient data: no "
    "indicator with enough data. An indicator linked to several actions counts once per group."
)


@dataclass(frozen=True)
class StatusCounts:
    """How many indicators of a group are in each status, and the group's own status."""

    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    insufficient: int = 0
    # Of the assessed, how many rest on 2 points with no interval (their status is uncertain).
    uncertain: int = 0
    # Of the assessed, how many rest on a newest point over two years old (see Assessment.stale).
    stale: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.at_risk + self.off_track + self.insufficient

    @property
    def assessed(self) -> int:
        return self.on_track + self.at_risk + self.off_track

    @property
    def score(self) -> float | None:
        if not self.assessed:
            return None
        return (self.on_track + 0.5 * self.at_risk) / self.assessed

    @property
    def status(self) -> StatusLabel:
        score = self.score
        if score is None:
            return "insufficient data"
        if score >= 0.75:
            return "on track"
        if score >= 0.5:
            return "at risk"
        return "off track"

    def as_dict(self) -> dict[str, object]:
        return {
            "on_track": self.on_track,
            "at_risk": self.at_risk,
            "off_track": self.off_track,
            "insufficient_data": self.insufficient,
            "uncertain": self.uncertain,
            "stale": self.stale,
            "total": self.total,
            "score": None if self.score is None else round(self.score, 4),
            "status": self.status,
        }


@dataclass(frozen=True)
class ScorecardRow:
    level: RowLevel
    code: str
    title: str
    by_region: tuple[tuple[str, StatusCounts], ...]
    overall: StatusCounts
    title_zh: str = ""

    def region(self, region: str) -> StatusCounts:
        return dict(self.by_region).get(region, StatusCounts())


@dataclass(frozen=True)
class Scorecard:
    roadmap: str
    title: str
    regions: tuple[str, ...]
    rows: tuple[ScorecardRow, ...]
    rule: str = ROLLUP_RULE
    title_zh: str = ""

    def row(self, code: str) -> ScorecardRow:
        for row in self.rows:
            if row.code == code:
                return row
        raise KeyError(code)


def count_statuses(assessments: Iterable[Assessment]) -> StatusCounts:
    """Count indicators per status.

    :param assessments: one per indicator.
    """
    counts = {"on track": 0, "at risk": 0, "off track": 0, "insufficient data": 0}
    listed = list(assessments)
    for assessment in listed:
        counts[assessment.status] += 1
    return StatusCounts(
        on_track=counts["on track"],
        at_risk=counts["at risk"],
        off_track=counts["off track"],
        insufficient=counts["insufficient data"],
        uncertain=sum(1 for assessment in listed if assessment.uncertain),
        stale=sum(1 for assessment in listed if assessment.stale),
    )


def order_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """EU27 and CN first (side by side), then the others alphabetically.

    :param regions: region codes present.
    """
    present = set(regions)
    first = [region for region in FIRST_REGIONS if region in present]
    return tuple(first + sorted(present - set(first)))


def _row(
    level: RowLevel,
    code: str,
    title: str,
    assessments: Sequence[Assessment],
    regions: tuple[str, ...],
    title_zh: str = "",
) -> ScorecardRow:
    by_region = tuple(
        (
            region,
            count_statuses(a for a in assessments if a.indicator.scope.region == region),
        )
        for region in regions
    )
    return ScorecardRow(
        level=level,
        code=code,
        title=title,
        by_region=by_region,
        overall=count_statuses(assessments),
        title_zh=title_zh,
    )


def build_scorecard(
    roadmap: Roadmap,
    assessments: Sequence[Assessment],
    *,
    regions: Sequence[str] | None = None,
) -> Scorecard:
    """Roll indicator assessments up the roadmap tree, per region.

    :param roadmap: the tree (pillars, priorities, actions).
    :param assessments: one per indicator of the roadmap.
    :param regions: region columns; default every region present, EU27 and CN first.
    """
    columns = order_regions(
        regions
        if regions is not None
        else ([a.indicator.scope.region for a in assessments] + list(FIRST_REGIONS))
    )

    def linked(codes: set[str]) -> list[Assessment]:
        return [a for a in assessments if codes.intersection(a.indicator.action_codes)]

    rows = [
        _row("roadmap", roadmap.slug, roadmap.title, list(assessments), columns, roadmap.title_zh)
    ]
    for pillar in roadmap.pillars:
        pillar_codes = {a.code for p in pillar.priorities for a in p.actions}
        rows.append(
            _row(
                "pillar", pillar.code, pillar.title, linked(pillar_codes), columns, pillar.title_zh
            )
        )
        for priority in pillar.priorities:
            priority_codes = {a.code for a in priority.actions}
            rows.append(
                _row(
                    "priority",
                    priority.code,
                    priority.title,
                    linked(priority_codes),
                    columns,
                    priority.title_zh,
                )
            )
            for action in priority.actions:
                rows.append(
                    _row(
                        "action",
                        action.code,
                        action.title,
                        linked({action.code}),
                        columns,
                        action.title_zh,
                    )
                )
    return Scorecard(
        roadmap=roadmap.slug,
        title=roadmap.title,
        regions=columns,
        rows=tuple(rows),
        title_zh=roadmap.title_zh,
    )
