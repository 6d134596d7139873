"""The directory store on PostgreSQL (runs when scripts/start-postgres.sh provided a server)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from permed_atlas.db import session_factory
from permed_atlas.directory import (
    get_entry,
    list_revisions,
    load_seed_directory,
    match_funding,
    related_entries,
    restore_revision,
    update_entry,
)
from permed_atlas.directory.create import create_entry
from permed_atlas.settings import Settings

pytestmark = pytest.mark.postgres


def test_seed_edit_restore_on_postgres(settings: Settings, postgres_engine: Engine) -> None:
    engine = postgres_engine
    try:
        with session_factory(engine)() as session:
            first = load_seed_directory(session, settings=settings)
            session.commit()
            assert len(first.inserted) == first.total
            update_entry(
                session,
                "dsl",
                changes={"summary": "Edited. Twice."},
                actor_id=None,
                settings=settings,
            )
            session.commit()
            again = load_seed_directory(session, settings=settings)
            session.commit()
            assert again.kept == ("dsl",) and not again.inserted
            restore_revision(session, "dsl", 1, actor_id=None)
            session.commit()
            assert [r.number for r in list_revisions(session, "dsl")] == [3, 2, 1]
            assert get_entry(session, "dsl").summary != "Edited. Twice."
            assert any(r.entry.id == "pipl" for r in related_entries(session, "dsl"))
            added = create_entry(
                session,
                {"id": "pg-added-call", "kind": "call", "name": "Added call",
                 "summary": "A call added in the web app.", "regions": ["DE", "CN"],
                 "source": "https://example.org/call", "status": "active",
                 "deadline": "2020-01-31", "related": ["sino-german-center"]},
                actor_id=None,
                settings=settings,
            )  # fmt: skip
            session.commit()
            assert get_entry(session, "pg-added-call") == added
            assert [r.origin for r in list_revisions(session, "pg-added-call")] == ["create"]
            matches = match_funding(
                session,
                description="Sino-European personalised medicine",
                regions=["DE", "CN"],
                settings=settings,
            )
            # The best fit has ended: marked closed, after the open programmes.
            assert next(m for m in matches if m.closed).entry.id == "sino-eu-permed"
            assert not matches[0].closed
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM directory_link"))
            connection.execute(text("DELETE FROM directory_revision"))
            connection.execute(text("DELETE FROM directory_entry"))
            connection.execute(text("DELETE FROM audit_log WHERE action LIKE 'directory.%'"))
