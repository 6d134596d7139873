"""create delphi tables: studies, panels, experts, surveys, rounds, items, responses, synthesis

Revision ID: delphi_0001_create_delphi_tables
Revises: 0001_create_ingest_run
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "delphi_0001_create_delphi_tables"
down_revision = "0001_create_ingest_run"
branch_labels = ("delphi",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delphi_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rule_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_study")),
        sa.UniqueConstraint("slug", name=op.f("uq_delphi_study_slug")),
    )
    op.create_table(
        "delphi_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("pillar", sa.String(length=80), nullable=False),
        sa.Column("subtopic_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["delphi_study.id"],
            name=op.f("fk_delphi_action_study_id_delphi_study"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_action")),
        sa.UniqueConstraint("study_id", "code", name=op.f("uq_delphi_action_study_code")),
    )
    op.create_index(op.f("ix_delphi_action_study_id"), "delphi_action", ["study_id"], unique=False)
    op.create_table(
        "delphi_panel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["delphi_study.id"],
            name=op.f("fk_delphi_panel_study_id_delphi_study"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_panel")),
        sa.UniqueConstraint("study_id", "name", name=op.f("uq_delphi_panel_study_name")),
    )
    op.create_index(op.f("ix_delphi_panel_study_id"), "delphi_panel", ["study_id"], unique=False)
    op.create_table(
        "delphi_subtopic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["delphi_study.id"],
            name=op.f("fk_delphi_subtopic_study_id_delphi_study"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_subtopic")),
        sa.UniqueConstraint("study_id", "code", name=op.f("uq_delphi_subtopic_study_code")),
    )
    op.create_index(
        op.f("ix_delphi_subtopic_study_id"), "delphi_subtopic", ["study_id"], unique=False
    )
    op.create_table(
        "delphi_expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("expertise", sa.String(length=300), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"],
            ["delphi_panel.id"],
            name=op.f("fk_delphi_expert_panel_id_delphi_panel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_expert")),
        sa.UniqueConstraint("panel_id", "email", name=op.f("uq_delphi_expert_panel_email")),
        sa.UniqueConstraint("panel_id", "ref", name=op.f("uq_delphi_expert_panel_ref")),
    )
    op.create_index(op.f("ix_delphi_expert_panel_id"), "delphi_expert", ["panel_id"], unique=False)
    op.create_table(
        "delphi_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("pillar", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["delphi_panel.id"], name=op.f("fk_delphi_survey_panel_id_delphi_panel")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["delphi_study.id"],
            name=op.f("fk_delphi_survey_study_id_delphi_study"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_survey")),
        sa.UniqueConstraint("study_id", "pillar", name=op.f("uq_delphi_survey_study_pillar")),
    )
    op.create_index(op.f("ix_delphi_survey_panel_id"), "delphi_survey", ["panel_id"], unique=False)
    op.create_index(op.f("ix_delphi_survey_study_id"), "delphi_survey", ["study_id"], unique=False)
    op.create_table(
        "delphi_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed')", name=op.f("ck_delphi_round_status")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["delphi_survey.id"],
            name=op.f("fk_delphi_round_survey_id_delphi_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_round")),
        sa.UniqueConstraint("survey_id", "number", name=op.f("uq_delphi_round_survey_number")),
    )
    op.create_index(op.f("ix_delphi_round_survey_id"), "delphi_round", ["survey_id"], unique=False)
    op.create_table(
        "delphi_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("last_saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["delphi_expert.id"],
            name=op.f("fk_delphi_invitation_expert_id_delphi_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["delphi_round.id"],
            name=op.f("fk_delphi_invitation_round_id_delphi_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_invitation")),
        sa.UniqueConstraint(
            "round_id", "expert_id", name=op.f("uq_delphi_invitation_round_expert")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_delphi_invitation_token_hash")),
    )
    op.create_index(
        op.f("ix_delphi_invitation_expert_id"), "delphi_invitation", ["expert_id"], unique=False
    )
    op.create_index(
        op.f("ix_delphi_invitation_round_id"), "delphi_invitation", ["round_id"], unique=False
    )
    op.create_table(
        "delphi_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("subtopic", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("previous_item_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["previous_item_id"],
            ["delphi_item.id"],
            name=op.f("fk_delphi_item_previous_item_id_delphi_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["delphi_round.id"],
            name=op.f("fk_delphi_item_round_id_delphi_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_item")),
        sa.UniqueConstraint("round_id", "code", name=op.f("uq_delphi_item_round_code")),
    )
    op.create_index(op.f("ix_delphi_item_round_id"), "delphi_item", ["round_id"], unique=False)
    op.create_table(
        "delphi_action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["delphi_action.id"],
            name=op.f("fk_delphi_action_item_action_id_delphi_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["delphi_item.id"],
            name=op.f("fk_delphi_action_item_item_id_delphi_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_action_item")),
        sa.UniqueConstraint("action_id", "item_id", name=op.f("uq_delphi_action_item_action_item")),
    )
    op.create_index(
        op.f("ix_delphi_action_item_action_id"), "delphi_action_item", ["action_id"], unique=False
    )
    op.create_index(
        op.f("ix_delphi_action_item_item_id"), "delphi_action_item", ["item_id"], unique=False
    )
    op.create_table(
        "delphi_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "value IS NULL OR (value >= 1 AND value <= 5)",
            name=op.f("ck_delphi_response_value_range"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["delphi_expert.id"],
            name=op.f("fk_delphi_response_expert_id_delphi_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["delphi_item.id"],
            name=op.f("fk_delphi_response_item_id_delphi_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delphi_response")),
        sa.UniqueConstraint("item_id", "expert_id", name=op.f("uq_delphi_response_item_expert")),
    )
    op.create_index(
        op.f("ix_delphi_response_expert_id"), "delphi_response", ["expert_id"], unique=False
    )
    op.create_index(
        op.f("ix_delphi_response_item_id"), "delphi_response", ["item_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("delphi_response")
    op.drop_table("delphi_action_item")
    op.drop_table("delphi_item")
    op.drop_table("delphi_invitation")
    op.drop_table("delphi_round")
    op.drop_table("delphi_survey")
    op.drop_table("delphi_expert")
    op.drop_table("delphi_subtopic")
    op.drop_table("delphi_panel")
    op.drop_table("delphi_action")
    op.drop_table("delphi_study")
