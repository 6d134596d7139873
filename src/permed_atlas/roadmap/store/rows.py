"""What the roadmap store's modules share: its clock, the lookups of a row by its name,
and rows turned into the core's models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.db import model_from_row
from permed_atlas.i18n import Message
from permed_atlas.roadmap.errors import RoadmapNotFoundError
from permed_atlas.roadmap.models import Indicator, Observation, Scope
from permed_atlas.roadmap.tables import IndicatorRow, ObservationRow, RoadmapRow


def utcnow() -> datetime:
    """The current time in UTC (when a row was created or entered)."""
    return datetime.now(UTC)


def roadmap_row(session: Session, slug: str) -> RoadmapRow:
    """The row of the roadmap ``slug``; RoadmapNotFoundError if none."""
    row = session.scalar(select(RoadmapRow).where(RoadmapRow.slug == slug))
    if row is None:
        raise RoadmapNotFoundError(Message("no roadmap '%(slug)s'", slug=slug))
    return row


def indicator_row(session: Session, code: str) -> tuple[IndicatorRow, str]:
    """The row of the indicator ``code`` and its roadmap's slug; RoadmapNotFoundError if none."""
    found = session.execute(
        select(IndicatorRow, RoadmapRow.slug)
        .join(RoadmapRow, RoadmapRow.id == IndicatorRow.roadmap_id)
        .where(IndicatorRow.code == code)
    ).first()
    if found is None:
        raise RoadmapNotFoundError(Message("no indicator '%(code)s'", code=code))
    return found[0], found[1]


def to_indicator(row: IndicatorRow, roadmap_slug: str) -> Indicator:
    """The model of an indicator row (its roadmap's slug comes from a join)."""
    return model_from_row(
        Indicator,
        row,
        roadmap=roadmap_slug,
        scope=Scope(region=row.region, country=row.country, centre=row.centre),
        action_codes=tuple(row.actions or ()),
        name_zh=row.name_zh or "",
        unit_zh=row.unit_zh or "",
    )


def to_observation(row: ObservationRow, code: str) -> Observation:
    """The model of an observation row of the indicator ``code``."""
    entered_at = row.entered_at
    if entered_at.tzinfo is None:  # SQLite hands timezone-aware columns back naive
        entered_at = entered_at.replace(tzinfo=UTC)
    return model_from_row(Observation, row, indicator=code, entered_at=entered_at)
