"""create roadmap, roadmap_node, roadmap_indicator and roadmap_observation

Revision ID: roadmap_0001_create_tables
Revises: accounts_0001_users_audit
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "roadmap_0001_create_tables"
down_revision = "accounts_0001_users_audit"
branch_labels = ("roadmap",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roadmap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_title", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_published", sa.String(length=40), nullable=True),
        sa.Column("source_checked", sa.String(length=40), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("bundled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_roadmap_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap")),
    )
    op.create_index(op.f("ix_roadmap_slug"), "roadmap", ["slug"], unique=True)
    op.create_table(
        "roadmap_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("delphi_items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmap.id"],
            name=op.f("fk_roadmap_node_roadmap_id_roadmap"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["roadmap_node.id"],
            name=op.f("fk_roadmap_node_parent_id_roadmap_node"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_node")),
        sa.UniqueConstraint("roadmap_id", "code", name=op.f("uq_roadmap_node_roadmap_id")),
    )
    op.create_index(op.f("ix_roadmap_node_roadmap_id"), "roadmap_node", ["roadmap_id"])
    op.create_table(
        "roadmap_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=80), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("centre", sa.Text(), nullable=True),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmap.id"],
            name=op.f("fk_roadmap_indicator_roadmap_id_roadmap"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_roadmap_indicator_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_indicator")),
    )
    op.create_index(op.f("ix_roadmap_indicator_code"), "roadmap_indicator", ["code"], unique=True)
    op.create_index(op.f("ix_roadmap_indicator_roadmap_id"), "roadmap_indicator", ["roadmap_id"])
    op.create_index(op.f("ix_roadmap_indicator_region"), "roadmap_indicator", ["region"])
    op.create_table(
        "roadmap_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.String(length=320), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["roadmap_indicator.id"],
            name=op.f("fk_roadmap_observation_indicator_id_roadmap_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_roadmap_observation_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_observation")),
        sa.UniqueConstraint(
            "indicator_id", "observed_on", name=op.f("uq_roadmap_observation_indicator_id")
        ),
    )
    op.create_index(
        op.f("ix_roadmap_observation_indicator_id"), "roadmap_observation", ["indicator_id"]
    )


def downgrade() -> None:
    op.drop_table("roadmap_observation")
    op.drop_table("roadmap_indicator")
    op.drop_table("roadmap_node")
    op.drop_table("roadmap")
