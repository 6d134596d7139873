"""Merged ids are honoured: the merged work leaves, stays out when an older file brings it
back, and its links lead to the survivor."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from permed_atlas.landscape import (
    LandscapeError,
    open_corpus,
    record_merges,
    resolve_work_id,
    run_ingest,
    store_works,
    work_from_openalex,
)
from permed_atlas.landscape.store.merges import surviving_openalex_id
from permed_atlas.settings import Settings
from permed_atlas.sources.parquet_ingest import ingest_parquet
from permed_atlas.sources.parquet_write import write_works_parquet

from .conftest import REAL_FILES, SyncedCorpus, corpus_rows, real_records, short_id

COUNTS = (
    "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM contributors), "
    "(SELECT count(*) FROM affiliations), (SELECT count(*) FROM work_flags), "
    "(SELECT count(*) FROM work_flags WHERE pm_relevant)"
)


def test_a_merged_work_stays_out_and_its_links_lead_to_the_survivor(
    synced: SyncedCorpus, settings: Settings
) -> None:
    works, old, new = synced.works, synced.old, synced.new
    ((old_work_id,),) = corpus_rows(
        settings, "SELECT work_id FROM works WHERE openalex_id = ?", old
    )
    ((new_work_id,),) = corpus_rows(
        settings, "SELECT work_id FROM works WHERE openalex_id = ?", new
    )
    people_of_old = corpus_rows(
        settings, "SELECT count(*) FROM contributors WHERE work_id = ?", old_work_id
    )[0][0]
    assert people_of_old > 0

    summary = synced.merge()
    assert summary.merged_away == 1
    after_merge = corpus_rows(settings, COUNTS)[0]
    assert after_merge[0] == len(works) - 1
    assert corpus_rows(
        settings, "SELECT count(*) FROM contributors WHERE work_id = ?", old_work_id
    )[0] == (0,)

    # An older file that still holds the merged work, read by hand: nothing comes back.
    older_file = synced.dest / synced.first[0]
    again = run_ingest([older_file], source="openalex", settings=settings)
    assert (again.stored, again.skipped, again.duplicates) == (0, 1, len(works) - 1)
    # A later snapshot part (newer updated_date) still listing the merged id: same.
    synced.bucket.add_jsonl("2024-03-01", [[works[2]]])
    later = synced.sync()
    assert later.works_read == 1 and later.works_stored == 0
    assert corpus_rows(settings, COUNTS)[0] == after_merge
    assert corpus_rows(settings, "SELECT count(*) FROM works WHERE openalex_id = ?", old) == [(0,)]
    with open_corpus(settings.corpus_path, read_only=True) as corpus:
        assert resolve_work_id(corpus, old) == new_work_id  # `permed explain W…` too

    # Links to the merged work, by OpenAlex id or by the corpus id it had, lead to the survivor.
    from permed_atlas.web.app import create_app

    application = create_app(settings)
    with TestClient(application, base_url="http://testserver") as web:
        for path, target in (
            (f"/landscape/works/{old}", f"/landscape/works/{new}"),
            (f"/landscape/works/{old_work_id}", f"/landscape/works/{new}"),
            (f"/api/v1/landscape/works/{old}", f"/api/v1/landscape/works/{new}"),
            (f"/api/v1/landscape/works/{old_work_id}", f"/api/v1/landscape/works/{new}"),
        ):
            moved = web.get(path, follow_redirects=False)
            assert (moved.status_code, moved.headers["location"]) == (301, target), path
        page = web.get(f"/landscape/works/{old}")
        assert page.status_code == 200 and works[0]["title"][:30] in page.text
        body = web.get(f"/api/v1/landscape/works/{old.lower()}").json()
        assert body["work"]["openalex_id"] == new and body["work"]["work_id"] == new_work_id
        assert web.get("/landscape/works/W1").status_code == 404
    application.state.corpus.close()
    application.state.engine.dispose()


def _merges(*rows: tuple[str, str]) -> pa.Table:
    return pa.table(
        {
            "merged_id": [old for old, _ in rows],
            "merged_into": [new for _, new in rows],
            "merge_date": ["2024-02-01"] * len(rows),
        }
    )


def test_a_work_joined_through_its_doi_keeps_the_survivor_only(
    realdata: Path, tmp_path: Path
) -> None:
    record = real_records(realdata, REAL_FILES[0])[0]
    assert record.get("doi")
    twin = {**record, "id": "https://openalex.org/W1000000001", "title": "The duplicate"}
    survivor = short_id(record)
    with open_corpus(tmp_path / "c.duckdb") as corpus:
        store_works(corpus, works=[work_from_openalex(twin), work_from_openalex(record)])
        assert corpus.execute("SELECT count(*) FROM works").fetchall() == [(1,)]
        assert record_merges(corpus, merges=_merges(("W1000000001", survivor))) == 1
        ids = corpus.execute(
            "SELECT id_value FROM work_ids WHERE id_type = 'openalex_id'"
        ).fetchall()
        assert ids == [(survivor,)]
        assert corpus.execute("SELECT openalex_id FROM works").fetchall() == [(survivor,)]
        # Applying the same file again changes nothing.
        assert record_merges(corpus, merges=_merges(("W1000000001", survivor))) == 0
        assert corpus.execute("SELECT count(*) FROM works").fetchall() == [(1,)]


def test_chains_of_merges_end_at_the_last_survivor(tmp_path: Path) -> None:
    with open_corpus(tmp_path / "c.duckdb") as corpus:
        record_merges(corpus, merges=_merges(("W1", "W2")))
        record_merges(corpus, merges=_merges(("2", "https://openalex.org/W3")))
        record_merges(corpus, merges=_merges(("W3", "W1")))  # a loop in the data ends it
        assert surviving_openalex_id(corpus, "w1") is None  # a loop names no survivor
        record_merges(corpus, merges=_merges(("W3", "W4")))
        assert surviving_openalex_id(corpus, "W1") == "W4"
        assert surviving_openalex_id(corpus, "W4") is None
        with pytest.raises(LandscapeError, match="merged_into"):
            record_merges(corpus, merges=pa.table({"merged_id": ["W5"]}))


def test_a_parquet_part_still_holding_a_merged_id_adds_nothing(
    synced: SyncedCorpus, tmp_path: Path, settings: Settings
) -> None:
    # The Parquet path writes fresh works in SQL, past the store's merge check: it must not
    # bring a merged-away work back.
    synced.merge()
    works, old = synced.works, synced.old
    before = corpus_rows(settings, COUNTS)[0]

    part = tmp_path / "older.parquet"
    write_works_parquet([works[2]], part)
    with open_corpus(settings.corpus_path) as corpus:
        summary = ingest_parquet([part], corpus=corpus)
    assert (summary.read, summary.stored, summary.skipped) == (1, 0, 1)
    assert corpus_rows(settings, COUNTS)[0] == before
    assert corpus_rows(settings, "SELECT count(*) FROM works WHERE openalex_id = ?", old) == [(0,)]
