"""delphi: key and values for outcome reasons stored before delphi_0004 (issue #18)

Rows whose ``outcome_reason_json`` is NULL were written before keys were stored; they show
their English on every page. This data migration reads each such English reason back into its
key and values with the templates of ``permed_atlas.delphi.reasons``
(``permed_atlas.delphi.reason_parsing``): where the English, composed again from the reading,
is the stored text exactly, the row gets its JSON and renders in the reader's language; where
it is not (English from older templates, a reason written by hand, an ambiguous reading) the
row stays NULL and shows its English as before. ``outcome_reason`` itself is never changed.

Downgrade leaves the filled JSON in place: it says exactly what the English says, so it loses
nothing, and new rows since have JSON that no one can tell apart from the filled one. Going
down past delphi_0004 drops the column with both.

Revision ID: delphi_0005_backfill_reason_keys
Revises: delphi_0004_outcome_reason_json
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from permed_atlas.delphi import parse_english_reason

# At most 32 characters: PostgreSQL keeps revision ids in alembic_version.version_num VARCHAR(32).
revision = "delphi_0005_backfill_reason_keys"
down_revision = "delphi_0004_outcome_reason_json"
branch_labels = None
depends_on = None

_ITEM = sa.table(
    "delphi_item",
    sa.column("id", sa.Integer),
    sa.column("outcome_reason", sa.Text),
    sa.column("outcome_reason_json", sa.Text),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_ITEM.c.id, _ITEM.c.outcome_reason).where(
            _ITEM.c.outcome_reason_json.is_(None), _ITEM.c.outcome_reason != ""
        )
    ).all()  # Delphi items number in the thousands at most: one read, one batched write
    filled = []
    for row_id, english in rows:
        reason = parse_english_reason(english)
        if reason is not None:
            filled.append({"row_id": row_id, "reason_json": reason.to_json()})
    if filled:
        connection.execute(
            sa.update(_ITEM)
            .where(_ITEM.c.id == sa.bindparam("row_id"))
            .values(outcome_reason_json=sa.bindparam("reason_json")),
            filled,
        )
    logging.getLogger("alembic.runtime.migration").info(
        "delphi_item outcome reasons: %d read back into keys, %d left as stored English",
        len(filled),
        len(rows) - len(filled),
    )


def downgrade() -> None:
    pass  # the filled JSON stays: see the module docstring
