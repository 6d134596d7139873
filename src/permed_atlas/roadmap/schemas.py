"""Pydantic I/O of the roadmap's JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


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
