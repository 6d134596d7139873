"""delphi: a study's results are public only once published; experts may have no e-mail

Adds ``delphi_study.published_at`` (NULL: results only for coordinators) and lets
``delphi_expert.email`` be NULL for pseudonymous panels (NULLs never clash in the
unique (panel_id, email) constraint, on SQLite or PostgreSQL).

Revision ID: delphi_0002_publish_email_opt
Revises: delphi_0001_create_delphi_tables
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "delphi_0002_publish_email_opt"
down_revision = "delphi_0001_create_delphi_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delphi_study") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("delphi_expert") as batch:
        batch.alter_column(
            "email", existing_type=sa.String(length=320), nullable=True, existing_nullable=False
        )


def downgrade() -> None:
    # Pseudonymous experts get an empty address back; NOT NULL holds again.
    op.execute("UPDATE delphi_expert SET email = '' WHERE email IS NULL")
    with op.batch_alter_table("delphi_expert") as batch:
        batch.alter_column(
            "email", existing_type=sa.String(length=320), nullable=False, existing_nullable=True
        )
    with op.batch_alter_table("delphi_study") as batch:
        batch.drop_column("published_at")
