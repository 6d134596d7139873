"""roadmap: Chinese titles of roadmaps, pillars, priorities, actions and indicators

Adds ``roadmap.title_zh``, ``roadmap_node.title_zh`` and ``roadmap_indicator.name_zh``
("" until translated; issue #18). Plain ADD/DROP COLUMN with a server default, never a
batch copy: on SQLite a copy drops and recreates the table, and with foreign keys on that
cascades to every node, indicator and observation.

Revision ID: roadmap_0002_chinese_titles
Revises: roadmap_0001_create_tables
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "roadmap_0002_chinese_titles"
down_revision = "roadmap_0001_create_tables"
branch_labels = None
depends_on = None

_COLUMNS = (("roadmap", "title_zh"), ("roadmap_node", "title_zh"), ("roadmap_indicator", "name_zh"))


def upgrade() -> None:
    for table, column in _COLUMNS:
        op.add_column(table, sa.Column(column, sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    for table, column in reversed(_COLUMNS):
        op.drop_column(table, column)
