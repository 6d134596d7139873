"""Review round 2: the record of ingests tells a visitor where the works came from, not how
the server's disk is laid out nor what its errors say.

Before: ``/api/v1/landscape/runs`` and the dashboard's "Data updates" table gave anonymous
visitors each run's absolute path and its failure message (which quotes paths and the
underlying error). Editors still see both: they run the ingests and must read why one failed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from permed_atlas.landscape.ingest.runs import RunCounts, finish_ingest_run, start_ingest_run

SECRET_FOLDER = "/srv/private-mount/exports-2026"
ERROR = f"{SECRET_FOLDER}/part_007.gz: permission denied (uid 1001)"


def _record_failed_run(app) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with app.state.session_factory() as session:
        run = start_ingest_run(
            session, source="openalex-snapshot", path=SECRET_FOLDER, started_at=now
        )
        finish_ingest_run(session, run, counts=RunCounts(files=3), finished_at=now, error=ERROR)
        session.commit()


def test_visitors_see_the_run_but_not_the_servers_paths_or_errors(
    app, client: TestClient, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    _record_failed_run(app)
    make_user("member@example.org", "member")
    make_user("ed@example.org", "editor")
    with TestClient(app, base_url="http://testserver") as member:
        login(member, "member@example.org")
        for visitor in (client, member):  # anonymous, then a member
            (run,) = visitor.get("/api/v1/landscape/runs").json()
            assert (run["status"], run["files"]) == ("failed", 3)
            assert run["path"] == "exports-2026" and run["message"] is None
            assert "private-mount" not in visitor.get("/landscape/dashboard").text
    login(client, "ed@example.org")
    (run,) = client.get("/api/v1/landscape/runs").json()
    assert (run["path"], run["message"]) == (SECRET_FOLDER, ERROR)
    assert "permission denied (uid 1001)" in client.get("/landscape/dashboard").text
