"""create helpdesk_entry_confirmation (editors confirm knowledge entries with source and date)

Revision ID: helpdesk_0001_entry_review
Revises: accounts_0001_users_audit
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Alembic keeps revision ids in a VARCHAR(32) column on PostgreSQL: keep the id short.
revision = "helpdesk_0001_entry_review"
down_revision = "accounts_0001_users_audit"
branch_labels = ("helpdesk",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "helpdesk_entry_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_helpdesk_entry_confirmation_confirmed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_entry_confirmation")),
    )
    op.create_index(
        op.f("ix_helpdesk_entry_confirmation_entry_id"),
        "helpdesk_entry_confirmation",
        ["entry_id"],
    )


def downgrade() -> None:
    op.drop_table("helpdesk_entry_confirmation")
