"""Pydantic I/O of the roadmap's JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from permed_atlas.api_schemas import Answer


class ObservationCreate(BaseModel):
    """One observation for an indicator."""

    date: date
    value: float
    # Omitted: the indicator's unit. Given: it must be the indicator's unit (refused otherwise).
    unit: str | None = Field(default=None, min_length=1, max_length=80)
    source: str = Field(min_length=1, max_length=2000)


class ObservationsImportCreate(BaseModel):
    """A CSV document of observations (indicator,date,value,unit,source)."""

    csv: str = Field(min_length=1, max_length=5_000_000)
    filename: str = Field(default="upload.csv", max_length=200)
    dry_run: bool = False


class RoadmapCreate(BaseModel):
    """A roadmap document: YAML text in ``document``, or the same structure as ``data``."""

    document: str | None = Field(default=None, max_length=2_000_000)
    data: dict[str, Any] | None = None
    dry_run: bool = False


class IndicatorCreate(BaseModel):
    """A new indicator of an existing roadmap."""

    code: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=300)
    definition: str = Field(min_length=1, max_length=4000)
    unit: str = Field(min_length=1, max_length=80)
    direction: Literal["increase", "decrease"]
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    region: str = Field(min_length=1, max_length=32)
    country: str | None = Field(default=None, max_length=2)
    centre: str | None = Field(default=None, max_length=200)
    actions: list[str] = Field(default_factory=list)
    data_source: str = Field(default="", max_length=2000)


class ImportReportPublic(BaseModel):
    path: str
    read: int
    stored: int
    skipped_existing: int
    dry_run: bool


# The answers below mirror the dicts of roadmap/exports.py key for key; as each is an
# Answer, a key added there without its field here fails the response, not vanish silently.
class RoadmapSummaryPublic(Answer):
    slug: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    source: str
    bundled: bool
    actions: int
    indicators: int


class RoadmapSourcePublic(Answer):
    title: str
    url: str | None
    published: str | None
    checked: str | None
    note: str | None


class RoadmapActionPublic(Answer):
    code: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    description: str
    delphi_items: list[str]


class RoadmapPriorityPublic(Answer):
    code: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    actions: list[RoadmapActionPublic]


class RoadmapPillarPublic(Answer):
    code: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    priorities: list[RoadmapPriorityPublic]


class RoadmapPublic(Answer):
    slug: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    description: str
    bundled: bool
    source: RoadmapSourcePublic
    pillars: list[RoadmapPillarPublic]


class DatedValuePublic(Answer):
    value: float
    date: str


class IndicatorScopePublic(Answer):
    level: Literal["region", "country", "centre"]
    region: str
    country: str | None
    centre: str | None


class IndicatorPublic(Answer):
    code: str
    roadmap: str
    name: str
    name_zh: str = Field(description="the Chinese name; empty when not translated")
    definition: str
    unit: str
    unit_zh: str = Field(default="", description="the Chinese unit; empty when not translated")
    direction: Literal["increase", "decrease"]
    baseline: DatedValuePublic
    target: DatedValuePublic
    scope: IndicatorScopePublic
    actions: list[str]
    data_source: str
    note: str | None


class ObservationPublic(Answer):
    indicator: str
    date: str
    value: float
    source: str
    entered_by: str
    entered_at: str


class ProjectionPublic(Answer):
    date: str
    value: float | None
    lower: float | None
    upper: float | None
    level: float
    slope_per_year: float | None
    intercept: float | None
    origin: str


StatusLabelPublic = Literal["on track", "at risk", "off track", "insufficient data"]


class AssessmentPublic(Answer):
    indicator: IndicatorPublic
    status: StatusLabelPublic
    reason: str
    uncertain: bool = Field(
        description="the status rests on too few points to be certain (see basis)"
    )
    stale: bool = Field(
        description="a projected status whose newest point (latest) is over two years old"
    )
    basis: str = Field(description="how many points the status rests on, in words")
    points: int
    observations: int
    latest: DatedValuePublic | None
    projection: ProjectionPublic | None


class IndicatorDetailPublic(AssessmentPublic):
    """An indicator's assessment with the status rule and its observations."""

    rule: str
    observation_list: list[ObservationPublic]


class RoadmapStatusPublic(Answer):
    roadmap: str
    rule: str
    indicators: list[AssessmentPublic]


class StatusCountsPublic(Answer):
    on_track: int
    at_risk: int
    off_track: int
    insufficient_data: int
    uncertain: int
    stale: int
    total: int
    score: float | None
    status: str


class ScorecardRowPublic(Answer):
    level: Literal["roadmap", "pillar", "priority", "action"]
    code: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    regions: dict[str, StatusCountsPublic]
    all: StatusCountsPublic


class ScorecardPublic(Answer):
    roadmap: str
    title: str
    title_zh: str = Field(description="the Chinese title; empty when not translated")
    regions: list[str]
    rule: str
    rows: list[ScorecardRowPublic]
