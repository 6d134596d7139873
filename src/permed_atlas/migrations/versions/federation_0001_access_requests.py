"""create federation_access_request and federation_access_request_node

Revision ID: federation_0001_access_requests
Revises: accounts_0001_users_audit
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "federation_0001_access_requests"
down_revision = "accounts_0001_users_audit"
branch_labels = ("federation",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("query_key", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_federation_access_request_requester_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_access_request")),
    )
    op.create_index(
        op.f("ix_federation_access_request_requester_id"),
        "federation_access_request",
        ["requester_id"],
    )
    op.create_table(
        "federation_access_request_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=100), nullable=False),
        sa.Column("node_name", sa.String(length=300), nullable=False),
        sa.Column("matched", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["federation_access_request.id"],
            name=op.f("fk_federation_access_request_node_request_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_federation_access_request_node_answered_by_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_access_request_node")),
    )
    op.create_index(
        op.f("ix_federation_access_request_node_request_id"),
        "federation_access_request_node",
        ["request_id"],
    )
    op.create_index(
        op.f("ix_federation_access_request_node_node_id"),
        "federation_access_request_node",
        ["node_id"],
    )


def downgrade() -> None:
    op.drop_table("federation_access_request_node")
    op.drop_table("federation_access_request")
