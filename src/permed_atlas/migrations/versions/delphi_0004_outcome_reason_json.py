"""delphi: an item's outcome reason as a message key and values (issue #18)

Adds ``delphi_item.outcome_reason_json``: the reason's key and values (see
``permed_atlas.delphi.reasons``), written beside the English ``outcome_reason`` wherever an
outcome is recorded, so pages and reports render the reason in the reader's language. Rows
written before stay NULL and are shown as their stored English. Nullable, so a plain ADD
COLUMN on both SQLite and PostgreSQL (no batch copy, which on SQLite would cascade deletes).

Revision ID: delphi_0004_outcome_reason_json
Revises: delphi_0003_study_languages
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "delphi_0004_outcome_reason_json"
down_revision = "delphi_0003_study_languages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("delphi_item", sa.Column("outcome_reason_json", sa.Text(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no table copy, so no cascade)
    op.drop_column("delphi_item", "outcome_reason_json")
