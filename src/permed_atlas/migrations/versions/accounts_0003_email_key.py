"""store each login email in its compared form (NFKC, case-folded)

Logins are now looked up by ``textinput.email_key``; an address stored before by
``lower()`` alone (a decomposed ``ä``, a full-width letter) would no longer be found.
Such an address is rewritten unless another account already holds the new form: that
pair is one person with two accounts, which an admin has to settle (the login finds the
account holding the folded form).

Revision ID: accounts_0003_email_key
Revises: accounts_0002_add_user_session
Create Date: 2026-12-08
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "accounts_0003_email_key"
down_revision = "accounts_0002_add_user_session"
branch_labels = None
depends_on = None


def _key(email: str) -> str:
    # frozen copy of textinput.email_key as of this revision
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).casefold()).strip()


def upgrade() -> None:
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.email)).all()
    taken = {email for _, email in rows}
    for user_id, email in rows:
        key = _key(email)
        if key != email and key not in taken:
            connection.execute(users.update().where(users.c.id == user_id).values(email=key))
            taken.add(key)


def downgrade() -> None:
    # the folded form is a valid lower-case address: nothing to undo
    pass
