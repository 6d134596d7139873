"""Alembic environment: migrates the engine handed in by permed_atlas.db."""

from __future__ import annotations

from alembic import context

import permed_atlas.tables  # noqa: F401  (registers every capability's tables)
from permed_atlas.db import Base

config = context.config
engine = config.attributes["connection_engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
