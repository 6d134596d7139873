"""create directory_entry, directory_revision and directory_link

Revision ID: directory_0001_create_tables
Revises: accounts_0001_users_audit
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "directory_0001_create_tables"
down_revision = "accounts_0001_users_audit"
branch_labels = ("directory",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_entry",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entry")),
    )
    op.create_index(op.f("ix_directory_entry_kind"), "directory_entry", ["kind"], unique=False)
    op.create_table(
        "directory_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entry.id"],
            name=op.f("fk_directory_revision_entry_id_directory_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_directory_revision_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_revision")),
        sa.UniqueConstraint("entry_id", "number", name=op.f("uq_directory_revision_entry_id")),
    )
    op.create_index(
        op.f("ix_directory_revision_entry_id"), "directory_revision", ["entry_id"], unique=False
    )
    op.create_table(
        "directory_link",
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["directory_entry.id"],
            name=op.f("fk_directory_link_source_id_directory_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "source_id", "target_id", "relation", name=op.f("pk_directory_link")
        ),
    )
    op.create_index(
        op.f("ix_directory_link_target_id"), "directory_link", ["target_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_directory_link_target_id"), table_name="directory_link")
    op.drop_table("directory_link")
    op.drop_index(op.f("ix_directory_revision_entry_id"), table_name="directory_revision")
    op.drop_table("directory_revision")
    op.drop_index(op.f("ix_directory_entry_kind"), table_name="directory_entry")
    op.drop_table("directory_entry")
