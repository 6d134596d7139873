"""roadmap: the Chinese unit of an indicator

Adds ``roadmap_indicator.unit_zh`` ("" until translated), so a Chinese page writes
"6 个项目" and the chart's axis "% 的肿瘤中心" instead of the English unit. A plain ADD
COLUMN with a server default, as in roadmap_0002_chinese_titles (no batch copy).

Revision ID: roadmap_0003_unit_zh
Revises: roadmap_0002_chinese_titles
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "roadmap_0003_unit_zh"
down_revision = "roadmap_0002_chinese_titles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "roadmap_indicator", sa.Column("unit_zh", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("roadmap_indicator", "unit_zh")
