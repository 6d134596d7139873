"""SQLAlchemy 2 mapped classes of the Delphi capability (platform database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from permed_atlas.db import Base, owned_by


class StudyRow(Base):
    __tablename__ = "delphi_study"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    rule_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # NULL until a coordinator publishes: results stay with the coordinators till then
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # "en", "zh" or "en,zh": the languages experts answer in (delphi_0003)
    languages: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    title_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    description_zh: Mapped[str] = mapped_column(Text, default="", server_default="")


class PanelRow(Base):
    __tablename__ = "delphi_panel"
    __table_args__ = (UniqueConstraint("study_id", "name", name="uq_delphi_panel_study_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = owned_by("delphi_study")
    name: Mapped[str] = mapped_column(String(200))


class ExpertRow(Base):
    __tablename__ = "delphi_expert"
    __table_args__ = (
        UniqueConstraint("panel_id", "email", name="uq_delphi_expert_panel_email"),
        UniqueConstraint("panel_id", "ref", name="uq_delphi_expert_panel_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    panel_id: Mapped[int] = owned_by("delphi_panel")
    ref: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    # an expert without e-mail is stored as NO_EMAIL_PREFIX + ref (see store.py)
    email: Mapped[str] = mapped_column(String(320))
    region: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    expertise: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    # the language of the expert's invitations and rating form, one of the study's
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")


class SurveyRow(Base):
    __tablename__ = "delphi_survey"
    __table_args__ = (UniqueConstraint("study_id", "pillar", name="uq_delphi_survey_study_pillar"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = owned_by("delphi_study")
    panel_id: Mapped[int] = mapped_column(ForeignKey("delphi_panel.id"), index=True)
    pillar: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")


class RoundRow(Base):
    __tablename__ = "delphi_round"
    __table_args__ = (
        UniqueConstraint("survey_id", "number", name="uq_delphi_round_survey_number"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = owned_by("delphi_survey")
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ItemRow(Base):
    __tablename__ = "delphi_item"
    __table_args__ = (UniqueConstraint("round_id", "code", name="uq_delphi_item_round_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = owned_by("delphi_round")
    code: Mapped[str] = mapped_column(String(40))
    statement: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    subtopic: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(16), default="new")
    previous_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("delphi_item.id", ondelete="SET NULL"), nullable=True
    )
    outcome: Mapped[str] = mapped_column(String(32), default="pending")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    statement_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    rationale_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the outcome reason's key and values (delphi.reasons); NULL in rows written before
    outcome_reason_json: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)


class InvitationRow(Base):
    __tablename__ = "delphi_invitation"
    __table_args__ = (
        UniqueConstraint("round_id", "expert_id", name="uq_delphi_invitation_round_expert"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = owned_by("delphi_round")
    expert_id: Mapped[int] = owned_by("delphi_expert")
    # Only the SHA-256 of the token is kept: a leaked database reveals no working link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    last_saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ResponseRow(Base):
    __tablename__ = "delphi_response"
    __table_args__ = (
        UniqueConstraint("item_id", "expert_id", name="uq_delphi_response_item_expert"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="value_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = owned_by("delphi_item")
    expert_id: Mapped[int] = owned_by("delphi_expert")
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubtopicRow(Base):
    __tablename__ = "delphi_subtopic"
    __table_args__ = (UniqueConstraint("study_id", "code", name="uq_delphi_subtopic_study_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = owned_by("delphi_study")
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))


class ActionRow(Base):
    __tablename__ = "delphi_action"
    __table_args__ = (UniqueConstraint("study_id", "code", name="uq_delphi_action_study_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = owned_by("delphi_study")
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    pillar: Mapped[str] = mapped_column(String(80), default="")
    subtopic_code: Mapped[str] = mapped_column(String(40), default="")


class ActionItemRow(Base):
    __tablename__ = "delphi_action_item"
    __table_args__ = (
        UniqueConstraint("action_id", "item_id", name="uq_delphi_action_item_action_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = owned_by("delphi_action")
    item_id: Mapped[int] = owned_by("delphi_item")


__all__ = [
    "ActionItemRow",
    "ActionRow",
    "ExpertRow",
    "InvitationRow",
    "ItemRow",
    "PanelRow",
    "ResponseRow",
    "RoundRow",
    "StudyRow",
    "SubtopicRow",
    "SurveyRow",
]
