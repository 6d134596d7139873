"""The Parquet path: same rows as JSON Lines, the PM slice is exactly what tagging calls PM."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from permed_atlas.demo import generate_openalex_works
from permed_atlas.landscape import (
    ingest_file,
    load_rules,
    open_corpus,
    record_merges,
    rules_path_for,
)
from permed_atlas.settings import Settings
from permed_atlas.sources.parquet_ingest import ingest_parquet
from permed_atlas.sources.parquet_write import leaf_columns, works_table, write_works_parquet
from permed_atlas.sources.snapshot_download import RetryPolicy
from permed_atlas.sources.snapshot_run import Hooks, SyncOptions, sync_openalex_snapshot

from .conftest import REAL_FILES, BucketServer, SnapshotBucket, real_records

TABLES = {
    "works": "SELECT * EXCLUDE (work_id) FROM works",
    **{
        table: f"SELECT w.openalex_id, t.* EXCLUDE (work_id) FROM {table} t "
        "JOIN works w USING (work_id)"
        for table in ("contributors", "affiliations", "terms", "work_ids")
    },
}


def _records(realdata: Path) -> list[dict[str, Any]]:
    records = [r for name in REAL_FILES for r in real_records(realdata, name)]
    return records + list(generate_openalex_works(300, seed=7))


def _both_copies(
    records: list[dict[str, Any]], stem: Path, dictionary: bool | list[str] = True
) -> tuple[Path, Path]:
    """The records as JSON Lines and as Parquet: ``stem``.jsonl, ``stem``.parquet."""
    jsonl, parquet = stem.with_suffix(".jsonl"), stem.with_suffix(".parquet")
    jsonl.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    write_works_parquet(records, parquet, dictionary=dictionary)
    return jsonl, parquet


def _with_index_texts(
    records: list[dict[str, Any]], texts: Sequence[str | None], stem: Path
) -> tuple[Path, Path]:
    """The records as JSON Lines and as Parquet (``stem``.jsonl, ``stem``.parquet), each with
    its abstract index written as the given JSON text, verbatim (None: null)."""
    lines = []
    for record, text in zip(records, texts, strict=True):
        head = orjson.dumps({k: v for k, v in record.items() if k != "abstract_inverted_index"})
        lines.append(
            head[:-1] + b',"abstract_inverted_index":' + (text or "null").encode() + b"}\n"
        )
    jsonl, part = stem.with_suffix(".jsonl"), stem.with_suffix(".parquet")
    jsonl.write_bytes(b"".join(lines))
    table = works_table(records)
    table = table.set_column(
        table.schema.get_field_index("abstract_inverted_index"),
        "abstract_inverted_index",
        pa.array(texts, pa.string()),
    )
    pq.write_table(table, part)
    return jsonl, part


def _content(corpus: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {t: sorted(map(repr, corpus.execute(q).fetchall())) for t, q in TABLES.items()}


def test_parquet_rows_equal_json_lines_rows(realdata: Path, tmp_path: Path) -> None:
    records = _records(realdata)
    jsonl, parquet = _both_copies(records, tmp_path / "works")
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        ingest_file(jsonl, source="openalex", corpus=a)
        summary = ingest_parquet([parquet], corpus=b, batch_size=128)  # several batches
        assert summary.read == summary.stored == len(records)
        expected, got = _content(a), _content(b)
        abstracts = _abstracts(a), _abstracts(b)
    for table in TABLES:
        assert got[table] == expected[table], table
    assert len(expected["affiliations"]) > 1000
    # Abstracts are compared too: rebuilt beside the SQL, from both index shapes (the 2021
    # snapshot's {"IndexLength", "InvertedIndex"} wrapper and the plain {word: [positions]}).
    assert abstracts[0] == abstracts[1]
    assert sum(1 for (text,) in abstracts[0] if text) > 300
    wrapped = [r for r in records if "InvertedIndex" in (r.get("abstract_inverted_index") or {})]
    assert wrapped


def _abstracts(corpus: duckdb.DuckDBPyConnection) -> list[tuple[str | None]]:
    return corpus.execute("SELECT abstract FROM works ORDER BY openalex_id").fetchall()


def test_pm_only_parquet_rows_equal_pm_only_json_lines_rows(realdata: Path, tmp_path: Path) -> None:
    # With the PM filter the abstracts are rebuilt inside the scan (keyword rules read them);
    # the rows must still be the JSON Lines path's, abstracts included.
    records = _records(realdata)
    jsonl, parquet = _both_copies(records, tmp_path / "works")
    _assert_same_pm_slice(jsonl, parquet, len(records), tmp_path)


def _assert_same_pm_slice(jsonl: Path, parquet: Path, records: int, tmp_path: Path) -> None:
    """Both paths with the PM filter store the same rows, abstracts included."""
    rules = load_rules(rules_path_for(tmp_path))
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        by_parquet = ingest_parquet([parquet], corpus=b, pm_rules=rules, batch_size=100)
        expected, got = _content(a), _content(b)
        abstracts = _abstracts(a), _abstracts(b)
    assert 0 < by_parquet.stored == by_lines.stored < records
    for table in TABLES:
        assert got[table] == expected[table], table
    assert abstracts[0] == abstracts[1]
    assert sum(1 for (text,) in abstracts[0] if text) > 100


def test_a_part_with_dictionaries_on_some_columns_gives_the_json_lines_pm_slice(
    realdata: Path, tmp_path: Path
) -> None:
    # A snapshot's writer dictionary-encodes the columns whose values repeat (countries,
    # institutions, topics) and falls back to plain pages on free text; DuckDB then hands the
    # filter and the inserts dictionary vectors inside the nested lists, and plain ones beside.
    records = _records(realdata)
    plain = {
        "title",
        "display_name",
        "abstract_inverted_index",
        "authorships.list.element.author.id",
    }
    encoded = [column for column in leaf_columns() if column not in plain]
    jsonl, parquet = _both_copies(records, tmp_path / "works", dictionary=encoded)
    part = pq.ParquetFile(parquet)
    group = part.metadata.row_group(0)
    with_dictionary = {
        group.column(i).path_in_schema
        for i in range(group.num_columns)
        if group.column(i).has_dictionary_page
    }
    columns = [part.schema.column(i) for i in range(len(part.schema))]
    booleans = {column.path for column in columns if column.physical_type == "BOOLEAN"}
    assert booleans  # bits: Parquet gives them no dictionary
    assert with_dictionary == set(encoded) - booleans
    _assert_same_pm_slice(jsonl, parquet, len(records), tmp_path)


def test_parquet_counts_merged_away_works_as_skipped_like_json_lines(
    realdata: Path, tmp_path: Path
) -> None:
    # A part still holding works OpenAlex merged away, among new ones, across batches.
    records = _records(realdata)
    first, later = records[:100], records[100:400]
    merged = [later[5], later[150], later[299]]
    merges = pa.table(
        {
            "merged_id": [r["id"] for r in merged],
            "merged_into": [first[0]["id"]] * len(merged),
            "merge_date": ["2026-06-01"] * len(merged),
        }
    )
    first_part = _both_copies(first, tmp_path / "first")[1]
    jsonl, parquet = _both_copies(later, tmp_path / "later")
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        for corpus in (a, b):
            ingest_parquet([first_part], corpus=corpus)
            record_merges(corpus, merges=merges)
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, batch_size=128)
        by_parquet = ingest_parquet([parquet], corpus=b, batch_size=128)
        expected, got = _content(a), _content(b)
    assert (by_parquet.read, by_parquet.stored, by_parquet.skipped) == (300, 297, 3)
    assert (by_lines.stored, by_lines.skipped) == (by_parquet.stored, by_parquet.skipped)
    for table in TABLES:
        assert got[table] == expected[table], table


def test_pm_only_sync_keeps_exactly_the_works_tagging_marks_pm(
    bucket: SnapshotBucket,
    server: BucketServer,
    realdata: Path,
    tmp_path: Path,
) -> None:
    records = _records(realdata)
    keys = bucket.add_parquet("2026-06-01", [records[:400], records[400:]])
    hooks = Hooks(sleep=lambda seconds: None)
    policy = RetryPolicy(attempts=3, base_delay=0.01)
    server.bucket.inject(keys[1], "drop")
    full = Settings(data_dir=tmp_path / "full", environment="test")
    sliced = Settings(data_dir=tmp_path / "pm", environment="test")
    sync_openalex_snapshot(
        SyncOptions(dest=tmp_path / "d1", fmt="parquet", base_url=server.url, policy=policy),
        settings=full,
        hooks=hooks,
    )
    summary = sync_openalex_snapshot(
        SyncOptions(
            dest=tmp_path / "d2", fmt="parquet", pm_only=True, base_url=server.url, policy=policy
        ),
        settings=sliced,
        hooks=hooks,
    )
    with duckdb.connect(str(full.corpus_path), read_only=True) as corpus:
        assert corpus.execute("SELECT count(*) FROM works").fetchall() == [(len(records),)]
        tagged_pm = corpus.execute(
            "SELECT w.openalex_id FROM works w JOIN work_flags f USING (work_id) "
            "WHERE f.pm_relevant ORDER BY 1"
        ).fetchall()
    with duckdb.connect(str(sliced.corpus_path), read_only=True) as corpus:
        kept = corpus.execute("SELECT openalex_id FROM works ORDER BY 1").fetchall()
        flags = corpus.execute("SELECT bool_and(pm_relevant) FROM work_flags").fetchall()
    assert 0 < len(kept) < len(records)
    assert kept == tagged_pm
    assert flags == [(True,)]
    assert summary.works_read == len(kept)


def test_parquet_update_over_a_stored_corpus_equals_json_lines(
    realdata: Path, tmp_path: Path
) -> None:
    # The second ingest has batches whose works are all stored already (merged by the
    # store) and batches of new works only (written by INSERT ... SELECT): both paths.
    records = _records(realdata)
    half = len(records) // 2
    jsonl = tmp_path / "works.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    first, everything = tmp_path / "first.parquet", tmp_path / "all.parquet"
    write_works_parquet(records[:half], first)
    write_works_parquet(records, everything)
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        ingest_file(jsonl, source="openalex", corpus=a)
        ingest_parquet([first], corpus=b, batch_size=128)
        again = ingest_parquet([everything], corpus=b, batch_size=128)
        assert again.duplicates >= half - 128
        assert again.stored == len(records) - half
        expected, got = _content(a), _content(b)
        ids = b.execute("SELECT count(DISTINCT work_id), count(*) FROM works").fetchall()
    for table in TABLES:
        assert got[table] == expected[table], table
    assert ids == [(len(records), len(records))]


def test_a_broken_abstract_index_or_a_missing_id_rejects_that_row_naming_part_and_row(
    realdata: Path, tmp_path: Path
) -> None:
    # As the JSON Lines path rejects a malformed line and goes on, the Parquet path
    # rejects the row, says where and why, and stores the others.
    records = _records(realdata)[:20]
    table = works_table(records)
    texts = table.column("abstract_inverted_index").to_pylist()
    texts[7] = '{"Background":[0],"We":'  # cut off mid-object
    texts[3] = '{"Background":[0],"We":["one"]}'  # JSON, but a position is no number
    texts[5] = '{"[sic]":[0],"fine":[1]}'  # a word that only looks like a list: stored
    texts[9] = '{"[Effects":[0],"We":[2.5]}'  # a word starting with "[", then a bad position
    texts[10] = '{"a" :\n [0, "1"]}'  # whitespace around the colon, a string position
    ids = table.column("id").to_pylist()
    ids[12] = None
    table = table.set_column(
        table.schema.get_field_index("abstract_inverted_index"),
        "abstract_inverted_index",
        pa.array(texts),
    )
    table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids))
    part = tmp_path / "part_000.parquet"
    pq.write_table(table, part)
    with open_corpus(tmp_path / "c.duckdb") as corpus:
        summary = ingest_parquet([part], corpus=corpus)
        stored = corpus.execute("SELECT openalex_id FROM works").fetchall()
        (sic,) = corpus.execute(
            "SELECT abstract FROM works WHERE openalex_id = ?", [_short(records[5])]
        ).fetchall()
    assert (summary.read, summary.stored, summary.rejected) == (20, 15, 5)
    wrong, broken, after_a_bracket, spaced, missing = (str(error) for error in summary.errors)
    not_numbers = "abstract_inverted_index: a word's positions must be whole numbers"
    for row, error, reason in (
        (4, wrong, not_numbers),
        (8, broken, "abstract_inverted_index is not an inverted index: "),
        (10, after_a_bracket, not_numbers),
        (11, spaced, not_numbers),
    ):
        work = _short(records[row - 1])
        assert error.startswith(f"{part}: row {row} (work {work}): {reason}")
        assert (work,) not in stored
    assert missing == f"{part}: row 13: record has no OpenAlex id"
    assert len(stored) == 15
    assert sic == ("[sic] fine",)


# Positions no abstract has: a record claiming one is refused (by both paths alike), not
# rebuilt into a list of a hundred billion slots or failed on mid-ingest.
IMPOSSIBLE_POSITIONS = [
    ('{"a":[-5]}', "position -5 is not in the abstract"),
    ('{"b":[0],"a":[0, 99999999999]}', "position 99999999999 is beyond any abstract"),
    ('{"a" : [ 3 ,\t 1000000 ]}', "position 1000000 is beyond any abstract"),
]


@pytest.mark.parametrize("pm_only", [False, True])
def test_an_abstract_index_with_an_impossible_position_is_refused_by_both_paths(
    realdata: Path, tmp_path: Path, pm_only: bool
) -> None:
    cases = [*IMPOSSIBLE_POSITIONS, ('{"b":[0],"a":[-1]}', None), ('{"a":[999999]}', None)]
    records = _records(realdata)[: len(cases)]
    jsonl, part = _with_index_texts(records, [text for text, _ in cases], tmp_path / "bad")
    rules = load_rules(rules_path_for(tmp_path)) if pm_only else None
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        by_parquet = ingest_parquet([part], corpus=b, pm_rules=rules)
        expected, got = _content(a), _content(b)
    for summary in (by_lines, by_parquet):
        assert summary.rejected == len(IMPOSSIBLE_POSITIONS)
        for error, (_, problem) in zip(summary.errors, IMPOSSIBLE_POSITIONS, strict=True):
            assert problem in str(error)
    assert [e.line for e in by_lines.errors] == [1, 2, 3]
    assert [str(e).split(": ")[1] for e in by_parquet.errors] == [
        f"row {n} (work {_short(records[n - 1])})" for n in (1, 2, 3)
    ]
    for table_name in TABLES:
        assert got[table_name] == expected[table_name], table_name


@pytest.mark.parametrize("pm_only", [False, True])
def test_a_pm_slice_rejects_a_broken_index_only_where_the_work_may_be_in_the_slice(
    realdata: Path, tmp_path: Path, pm_only: bool
) -> None:
    # A slice does not read a work further once it is outside whatever its abstract says:
    # an index text that is not JSON is not looked for there. Odd positions are rejected in
    # every work, as the JSON Lines path (which rebuilds every abstract) rejects them.
    neutral = {"concepts": [], "topics": [], "primary_topic": None, "keywords": [], "mesh": []}
    titles = ["Soil carbon in alpine meadows", "Precision medicine for lung cancer"] * 2
    records = [
        dict(record, **neutral, title=title, display_name=title)
        for record, title in zip(_records(realdata), titles, strict=False)
    ]
    texts = [
        '{"Background":[0],"We":',  # not JSON, in a work no PM rule can mark: not looked at
        '{"Background":[0],"We":',  # not JSON, in a work the title makes PM: rejected
        '{"soil":[0],"carbon":["one"]}',  # JSON with a word for a position: rejected anyway
        '{"in":[0],"practice":[1]}',  # a good PM work: stored
    ]
    part = tmp_path / "part_000.parquet"
    table = works_table(records)
    column = table.schema.get_field_index("abstract_inverted_index")
    pq.write_table(table.set_column(column, "abstract_inverted_index", pa.array(texts)), part)
    rules = load_rules(rules_path_for(tmp_path)) if pm_only else None
    with open_corpus(tmp_path / "c.duckdb") as corpus:
        summary = ingest_parquet([part], corpus=corpus, pm_rules=rules)
        stored = corpus.execute("SELECT openalex_id FROM works ORDER BY 1").fetchall()
    rejected_rows = [int(str(error).split(": row ")[1].split(" ")[0]) for error in summary.errors]
    assert rejected_rows == ([2, 3] if pm_only else [1, 2, 3])
    assert (summary.scanned, summary.read) == (4, 3 if pm_only else 4)
    assert stored == [(_short(records[3]),)]


def _short(record: dict[str, Any]) -> str:
    return str(record["id"]).rsplit("/", 1)[1]


def _newer(record: dict[str, Any], date: str) -> dict[str, Any]:
    """A later version of ``record``: another title, one author fewer, dated ``date``."""
    changed = dict(record, updated_date=date, title=f"{record.get('title') or ''} (revised)")
    changed["authorships"] = (record.get("authorships") or [])[1:]
    return changed


def test_a_part_mixing_new_newer_older_repeated_and_merged_works_equals_json_lines(
    realdata: Path, tmp_path: Path
) -> None:
    # Only the works that share an identifier with the corpus or with another row go through
    # the store; the new ones beside them are written in SQL. Both together must store what
    # the JSON Lines path stores: newer versions replace (no stale authorship), older ones
    # change nothing, a row repeated in the part is one work, merged-away ids stay out.
    records = [r for r in _records(realdata) if r.get("updated_date")]
    stored, fresh = records[:150], records[150:400]
    newer = [_newer(r, "2099-01-01") for r in stored[:40]]
    older = [_newer(r, "1999-01-01") for r in stored[40:60]]
    part = fresh[:100] + newer + fresh[100:] + older + [fresh[7]]
    merges = pa.table(
        {
            "merged_id": [fresh[3]["id"], fresh[200]["id"]],
            "merged_into": [stored[0]["id"]] * 2,
            "merge_date": ["2026-06-01"] * 2,
        }
    )
    first_lines, first_part = _both_copies(stored, tmp_path / "first")
    jsonl, parquet = _both_copies(part, tmp_path / "update")
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        ingest_file(first_lines, source="openalex", corpus=a)
        ingest_parquet([first_part], corpus=b)
        for corpus in (a, b):
            record_merges(corpus, merges=merges)
        by_lines = ingest_file(jsonl, source="openalex", corpus=a)
        by_parquet = ingest_parquet([parquet], corpus=b, batch_size=64)
        expected, got = _content(a), _content(b)
        revised = b.execute("SELECT count(*) FROM works WHERE title LIKE '% (revised)'").fetchall()
    counts = ("stored", "duplicates", "merged", "skipped")
    assert [getattr(by_parquet, c) for c in counts] == [getattr(by_lines, c) for c in counts]
    assert (by_parquet.read, by_parquet.skipped, by_parquet.rejected) == (len(part), 2, 0)
    assert revised == [(40,)]
    for table in TABLES:
        assert got[table] == expected[table], table


def test_a_pm_only_update_of_stored_works_equals_json_lines(realdata: Path, tmp_path: Path) -> None:
    # With the PM filter the kept rows carry their columns out of the scan, and a work that
    # must merge with a stored one is rebuilt from those, not from the part: newer versions
    # replace, a repeated older copy changes nothing, as on the JSON Lines path.
    records = [r for r in _records(realdata) if r.get("updated_date")]
    rules = load_rules(rules_path_for(tmp_path))
    first_lines, first_part = _both_copies(records, tmp_path / "first")
    update = [_newer(r, "2099-01-01") for r in records[::2]] + records[1::4]
    jsonl, parquet = _both_copies(update, tmp_path / "update")
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        ingest_file(first_lines, source="openalex", corpus=a, pm_rules=rules)
        ingest_parquet([first_part], corpus=b, pm_rules=rules)
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        by_parquet = ingest_parquet([parquet], corpus=b, pm_rules=rules, batch_size=16)
        expected, got = _content(a), _content(b)
        revised = b.execute("SELECT count(*) FROM works WHERE title LIKE '% (revised)'").fetchall()
    # (The JSON Lines path counts the works its filter leaves out as skipped, the Parquet
    # path as scanned only.)
    counts = ("stored", "duplicates", "merged", "rejected")
    assert [getattr(by_parquet, c) for c in counts] == [getattr(by_lines, c) for c in counts]
    assert by_parquet.duplicates > 0
    assert revised[0][0] > 0
    for table in TABLES:
        assert got[table] == expected[table], table


# Inverted indexes as raw JSON text, each with the abstract the JSON Lines path makes of it
# (rebuild_abstract: words at their positions, a later word taking a position from an
# earlier one, empty words and gaps dropped, joined by one space).
TRICKY_ABSTRACTS = [
    ('{"a":[0,2],"b":[1]}', "a b a"),  # a word at several positions
    ('{"x":[0],"y":[7],"z":[1000]}', "x y z"),  # gaps
    ('{"  spaced  ":[0],"tab\\there":[1],"new\\nline":[2]}', "  spaced   tab\there new\nline"),
    (
        '{"caf\\u00e9":[0],"say \\"hi\\"":[1],"back\\\\slash":[2],"\\ud83d\\ude00":[3]}',
        'café say "hi" back\\slash \U0001f600',
    ),
    ('{ "a" : [ 1 , 0 ] ,\t"b" : [ 2 ] }', "a a b"),  # whitespace between tokens
    ('{"first":[0],"second":[0],"third":[1]}', "second third"),  # the later word wins
    ('{"a":[0],"b":[1],"a":[2]}', "b a"),  # a repeated key: its last list counts
    ('{"":[0],"x":[1]}', "x"),
    ('{"":[0]}', None),
    ('{"a":[],"b":[0]}', "b"),
    ('{"a":[]}', None),
    ('{"a":5,"b":[0],"c":{"d":[1]},"e":"x","f":null}', "b"),  # not lists: left out
    ('{"IndexLength":2,"InvertedIndex":{"w":[1],"v":[0]}}', "v w"),  # the 2021 wrapper
    ("{}", None),
    ("[]", None),
    ('"text"', None),
    ('{"[sic]":[0],"{x}":[1],"\\":[":[2],"1,2]":[3]}', '[sic] {x} ":[ 1,2]'),
    ('{"数据":[1],"Ü":[0]}', "Ü 数据"),
    ('{"2":[0],"1":[1]}', "2 1"),
    ('{"a":[true],"b":[0]}', "b a"),  # JSON true is Python's 1
    ('{"a":[-1],"b":[0],"c":[1]}', "b c"),  # -1 is the last slot, then taken by "c"
    ('{"w":[3],"v":[3,1]}', "v v"),
    ('{"medicine":[1],"precision":[0]}', "precision medicine"),  # PM by its abstract
    ('{"targeted":[0],"therapy":[9]}', "targeted therapy"),  # PM once the gap is dropped
    ('{"precision":[0],"is":[1],"medicine":[2]}', "precision is medicine"),
    ('{"pharmacogenomics":[0],"x":[0]}', "x"),  # the later word took the position
]


@pytest.mark.parametrize("pm_only", [False, True])
def test_tricky_abstract_indexes_are_rebuilt_as_the_json_lines_path_does(
    realdata: Path, tmp_path: Path, pm_only: bool
) -> None:
    # With the PM filter the abstracts are rebuilt inside the scan, where keyword rules read
    # them: the last four cases are PM or not by their rebuilt text alone.
    records = _records(realdata)[: len(TRICKY_ABSTRACTS)]
    texts = [text for text, _ in TRICKY_ABSTRACTS]
    jsonl, part = _with_index_texts(records, texts, tmp_path / "tricky")
    rules = load_rules(rules_path_for(tmp_path)) if pm_only else None
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        by_parquet = ingest_parquet([part], corpus=b, pm_rules=rules)
        expected, got = _content(a), _content(b)
        stored = dict(b.execute("SELECT openalex_id, abstract FROM works").fetchall())
    assert by_lines.rejected == by_parquet.rejected == 0, (by_lines.errors, by_parquet.errors)
    assert by_parquet.stored == by_lines.stored == len(stored)
    for table_name in TABLES:
        assert got[table_name] == expected[table_name], table_name
    abstracts = {_short(r): text for r, (_, text) in zip(records, TRICKY_ABSTRACTS, strict=True)}
    assert stored == {work: abstracts[work] for work in stored}
    if pm_only:
        assert 0 < len(stored) < len(records)
        assert {"precision medicine", "targeted therapy"} <= set(stored.values())
    else:
        assert len(stored) == len(records)
