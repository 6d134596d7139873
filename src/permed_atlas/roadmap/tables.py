"""Platform tables of the roadmap: roadmaps, their tree, indicators and observations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from permed_atlas.db import Base, owned_by, written_by


class RoadmapRow(Base):
    __tablename__ = "roadmap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    title: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source_title: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_published: Mapped[str | None] = mapped_column(String(40), nullable=True)
    source_checked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    source_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    bundled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = written_by()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoadmapNodeRow(Base):
    """A pillar, priority or action; the tree is held by ``parent_id``."""

    __tablename__ = "roadmap_node"
    __table_args__ = (UniqueConstraint("roadmap_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roadmap_id: Mapped[int] = owned_by("roadmap")
    parent_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("roadmap_node.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # pillar | priority | action
    code: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    delphi_items: Mapped[list[str]] = mapped_column(JSON, default=list)


class IndicatorRow(Base):
    __tablename__ = "roadmap_indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    roadmap_id: Mapped[int] = owned_by("roadmap")
    name: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    unit_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    definition: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(80))
    direction: Mapped[str] = mapped_column(String(16))
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_date: Mapped[date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(32), index=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    centre: Mapped[str | None] = mapped_column(Text, nullable=True)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int | None] = written_by()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObservationRow(Base):
    __tablename__ = "roadmap_observation"
    __table_args__ = (UniqueConstraint("indicator_id", "observed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = owned_by("roadmap_indicator")
    observed_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = written_by()
    entered_by: Mapped[str] = mapped_column(String(320))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
