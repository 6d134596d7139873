"""delphi: a study's results are public only once published

Adds ``delphi_study.published_at`` (NULL: results only for the study's coordinators).
Plain ADD/DROP COLUMN, never a batch copy: on SQLite a copy drops and recreates the
table, and with foreign keys on that cascades to every panel, round and response.
Experts without e-mail need no schema change (see ``NO_EMAIL_PREFIX`` in the store).

Revision ID: delphi_0002_study_published_at
Revises: delphi_0001_create_delphi_tables
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "delphi_0002_study_published_at"
down_revision = "delphi_0001_create_delphi_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "delphi_study", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no table copy, so no cascade)
    op.drop_column("delphi_study", "published_at")
