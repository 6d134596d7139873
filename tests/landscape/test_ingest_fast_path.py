"""The workers' fast path (dict -> rows) must equal the reference path (dict -> Work -> rows).

The fast path exists only for speed; if it ever differs, ingest results would
depend on the worker count. Checked on every real sample record and on
generated records, with odd shapes added.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from permed_atlas.demo import generate_openalex_works
from permed_atlas.landscape.ingest.openalex import openalex_rows, work_from_openalex
from permed_atlas.landscape.ingest.pipeline import count_unresolved
from permed_atlas.landscape.store.work_rows import new_rows, row_batch


def _real_records(realdata: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((realdata / "openalex").glob("*.jsonl")):
        records += [orjson.loads(line) for line in path.read_bytes().split(b"\n") if line.strip()]
    page = realdata / "openalex" / "openalex_api_response_page_keypapers.json"
    records += orjson.loads(page.read_bytes())["results"]
    return records


def _odd_records() -> list[dict[str, Any]]:
    base = next(generate_openalex_works(1, seed=7))
    return [
        {**base, "title": None, "display_name": None, "abstract_inverted_index": None},
        {**base, "authorships": []},
        {**base, "authorships": [{"author": {}, "institutions": [{"country_code": "cn"}]}]},
        {
            **base,
            "authorships": [
                {
                    "author": {"display_name": "A"},
                    "raw_affiliation_strings": ["Dept X, Fudan University, Shanghai"],
                    "institutions": [],
                }
            ],
        },
        {**base, "topics": None, "primary_topic": base.get("topics", [None])[0], "mesh": None},
        {**base, "publication_year": "2020", "cited_by_count": None, "doi": None},
    ]


def _reference(record: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], Any, int]:
    work = work_from_openalex(record)
    batch = row_batch([work])
    return (
        {t: batch.tables[t].to_pylist() for t in batch.tables},
        batch.ids[0],
        count_unresolved(work),
    )


def _fast(record: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], Any, int]:
    from permed_atlas.landscape.store.work_rows import tables_of

    rows = new_rows()
    ids, unresolved = openalex_rows(record, 0, rows)
    tables = tables_of(rows)
    return {t: tables[t].to_pylist() for t in tables}, ids, unresolved


def test_fast_path_equals_reference_on_real_and_odd_records(realdata: Path) -> None:
    records = _real_records(realdata) + _odd_records()
    assert len(records) >= 352
    for number, record in enumerate(records):
        assert _fast(record) == _reference(record), f"record {number} ({record.get('id')}) differs"


def test_fast_path_equals_reference_on_the_bundled_demo_corpus() -> None:
    from permed_atlas.demo import bundled_demo_files

    with gzip.open(bundled_demo_files()["openalex"]) as stream:
        for number, line in enumerate(stream):
            if number >= 400:
                break
            record = orjson.loads(line)
            assert _fast(record) == _reference(record), f"demo line {number + 1} differs"


def test_fast_path_refuses_a_record_without_id() -> None:
    record = next(generate_openalex_works(1, seed=1))
    rows = new_rows()
    with pytest.raises(ValueError):
        openalex_rows({**record, "id": None}, 0, rows)
    assert all(not part for part in rows)  # nothing appended
