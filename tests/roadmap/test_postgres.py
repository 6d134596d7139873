"""The roadmap store on PostgreSQL (runs when scripts/start-postgres.sh provided a server)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text

from permed_atlas.db import session_factory
from permed_atlas.roadmap import (
    ObservationError,
    ObservationInput,
    add_observation,
    load_demo_observations,
    roadmap_scorecard,
)

pytestmark = pytest.mark.postgres


def test_load_demo_and_score_on_postgres(postgres_engine: Engine) -> None:
    engine = postgres_engine
    try:
        with session_factory(engine)() as session:
            first = load_demo_observations(session, today=date(2026, 11, 23))
            session.commit()
            again = load_demo_observations(session, today=date(2026, 11, 23))
            assert again.stored == 0 and again.skipped_existing == first.read
            card = roadmap_scorecard(session, "ic2permed")
            assert card.row("ic2permed").region("CN").total > 0
            with pytest.raises(ObservationError, match="before the baseline"):
                add_observation(
                    session,
                    ObservationInput("dpyd-demo-lyon", date(2022, 1, 1), 3, "%", "x"),
                    actor_id=None,
                    entered_by="t",
                )
            session.rollback()
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM roadmap_observation"))
            connection.execute(text("DELETE FROM roadmap"))
