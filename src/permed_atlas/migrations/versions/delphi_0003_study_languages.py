"""delphi: studies in English, Chinese or both (issue #18)

Adds ``delphi_study.languages`` ("en", "zh" or "en,zh"), ``title_zh`` and
``description_zh``; ``delphi_survey.title_zh``; ``delphi_item.statement_zh`` and
``rationale_zh``; ``delphi_expert.language`` (the language of the expert's invitations).
Existing studies stay English ("en"); Chinese texts are "" until written. Plain ADD/DROP
COLUMN with a server default, never a batch copy: on SQLite a copy drops and recreates
the table, and with foreign keys on that cascades to every round and response.

Revision ID: delphi_0003_study_languages
Revises: delphi_0002_study_published_at
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "delphi_0003_study_languages"
down_revision = "delphi_0002_study_published_at"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("delphi_study", "languages", sa.String(16), "en"),
    ("delphi_study", "title_zh", sa.String(300), ""),
    ("delphi_study", "description_zh", sa.Text(), ""),
    ("delphi_survey", "title_zh", sa.String(300), ""),
    ("delphi_item", "statement_zh", sa.Text(), ""),
    ("delphi_item", "rationale_zh", sa.Text(), ""),
    ("delphi_expert", "language", sa.String(8), "en"),
)


def upgrade() -> None:
    for table, column, type_, default in _COLUMNS:
        op.add_column(table, sa.Column(column, type_, nullable=False, server_default=default))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no table copy, so no cascade)
    for table, column, _type, _default in reversed(_COLUMNS):
        op.drop_column(table, column)
