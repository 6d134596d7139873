"""`permed demo` fills a fresh data directory with everything the pages need, idempotently."""

from __future__ import annotations

import duckdb
from fastapi.testclient import TestClient

from permed_atlas.accounts import create_user
from permed_atlas.db import engine_for, session_scope
from permed_atlas.instance.demo import load_demo
from permed_atlas.settings import Settings


def test_demo_loads_everything_once(settings: Settings) -> None:
    lines: list[str] = []
    first = load_demo(settings, say=lines.append)
    assert first.works == 2500
    assert first.patents == 300
    assert first.roadmaps >= 2
    html = first.report.read_text(encoding="utf-8")
    assert "<html" in html.lower()
    # self-contained: no script or stylesheet is fetched from elsewhere
    assert 'src="http' not in html and 'href="http' not in html.replace('href="https://doi', "")

    assert first.observations_stored > 0
    assert first.admins == 0  # so `permed demo` says to create one

    with session_scope(engine_for(settings)) as session:
        create_user(
            session, email="admin@example.org", password="a long admin password", role="admin"
        )
    second = load_demo(settings, say=lines.append)
    assert second.admins == 1
    assert (second.works, second.patents) == (first.works, first.patents)
    assert second.observations_stored == 0  # demo observations are not stored twice
    with duckdb.connect(str(settings.corpus_path), read_only=True) as corpus:
        tagged = corpus.execute("SELECT count(*) FROM work_flags").fetchone()
        works = corpus.execute("SELECT count(*) FROM works").fetchone()
    assert tagged == works == (2800,)


def test_demo_data_is_served(settings: Settings) -> None:
    from permed_atlas.web.app import create_app

    load_demo(settings, say=lambda _line: None)
    with TestClient(create_app(settings)) as client:
        search = client.get("/api/v1/landscape/search", params={"q": "precision medicine"})
        assert search.status_code == 200, search.text
        # the profiles built after the ingest's snapshot reach the web app too
        assert client.get("/api/v1/partners/status").json()["built"] is True
        assert search.json()["total"] > 0
        assert client.get("/roadmap/").status_code == 200
        assert client.get("/delphi/").status_code == 200
