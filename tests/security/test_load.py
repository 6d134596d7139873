"""Finding 1 under real HTTP: 50 experts on the HTML form plus 40 API readers at once.

Before the fix the async rating form blocked the event loop on the database: ~25 of
41 requests got 500 and the server froze for the pool timeout. Now every request is
answered as intended, on SQLite and on PostgreSQL, and every rating is stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.security.load import build_study, run_load, serve
from tests.security.pg import fresh_postgres_database

from permed_atlas.settings import Settings
from permed_atlas.web.app import create_app

EXPERTS = 50
READERS = 40
READS_EACH = 3


def _check(app) -> None:  # type: ignore[no-untyped-def]
    study = build_study(app, experts=EXPERTS)
    with serve(app) as base_url:
        result = run_load(app, base_url, study, readers=READERS, reads_each=READS_EACH)
    assert result.errors == []
    assert result.answered == result.sent == EXPERTS * 3 + READERS * READS_EACH + 1
    assert result.lost == 0 and result.ratings_expected == EXPERTS * 6
    # a frozen loop showed as one 30-second wait (the pool timeout) for everyone
    assert max(max(v) for v in result.latencies.values()) < 25


def test_load_on_sqlite(app) -> None:  # type: ignore[no-untyped-def]
    _check(app)


@pytest.mark.postgres
def test_load_on_postgres(settings: Settings, tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        app = create_app(settings.model_copy(update={"database_url": url}))
        try:
            _check(app)
        finally:
            app.state.corpus.close()
            app.state.engine.dispose()
