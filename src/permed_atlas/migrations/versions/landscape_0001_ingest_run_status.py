"""landscape: ingest_run says whether a run finished, and records whole syncs

Adds to ``ingest_run``: ``status`` (running, finished, failed), ``files`` (a sync's
run covers many parts), ``updated`` (records that changed a stored work),
``removed`` (works withdrawn or merged away) and ``message`` (why a run failed).
Rows written before this say ``finished`` and one file, which is what they were.
Plain ADD COLUMN, no batch copy of the table.

Revision ID: landscape_0001_ingest_run_status
Revises: 0001_create_ingest_run
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "landscape_0001_ingest_run_status"
down_revision = "0001_create_ingest_run"
branch_labels = ("landscape",)
depends_on = None


def upgrade() -> None:
    op.add_column(
        "ingest_run",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="finished"),
    )
    op.add_column(
        "ingest_run", sa.Column("files", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column(
        "ingest_run", sa.Column("updated", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "ingest_run", sa.Column("removed", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("ingest_run", sa.Column("message", sa.Text(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place
    for column in ("message", "removed", "updated", "files", "status"):
        op.drop_column("ingest_run", column)
