"""add user_session: server-side logins that logout, password and role changes end

Revision ID: accounts_0002_add_user_session
Revises: accounts_0001_users_audit
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts_0002_add_user_session"
down_revision = "accounts_0001_users_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_session_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_token_hash"), "user_session", ["token_hash"], unique=True)
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    op.create_index(op.f("ix_user_session_last_seen_at"), "user_session", ["last_seen_at"])
    # login_attempt gains the client index the per-address limits query by
    with op.batch_alter_table("login_attempt") as batch:
        batch.create_index(batch.f("ix_login_attempt_client"), ["client"])


def downgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_index(batch.f("ix_login_attempt_client"))
    op.drop_index(op.f("ix_user_session_last_seen_at"), table_name="user_session")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_index(op.f("ix_user_session_token_hash"), table_name="user_session")
    op.drop_table("user_session")
