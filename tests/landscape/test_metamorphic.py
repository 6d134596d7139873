"""Metamorphic tests of the ingest over real records: the numbers do not depend on how the
files arrive.

Each test reads the same records twice in two ways that must not matter (again, in another
order, split into other files or batches, with tagging in between, interrupted and run
again) and compares everything the landscape shows: works by kind, year, country, region
and topic, the EU–China co-publications, the top institutions and countries, the most
cited works, and the country and institution networks with their weights.

The records are the shared real samples (OpenAlex pages, a snapshot part and API pages,
a PubMed update file, Lens, EPO and USPTO patents); the bulk test adds the project's own
corpus generator. Where a test needs two records of one work, it joins two real records
by one identifier and says so.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from permed_atlas.landscape.filters import NO_FILTER
from permed_atlas.landscape.ingest import IngestSummary, ingest_file
from permed_atlas.landscape.ingest.pipeline import Source
from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.store.corpus import count_rows, open_corpus
from permed_atlas.landscape.store.indicators import compute_indicators
from permed_atlas.landscape.store.network import collaboration_rows
from permed_atlas.landscape.store.tagging import tag_corpus, tag_untagged
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
Files = Sequence[tuple[Path, Source]]


@pytest.fixture(scope="module")
def regions_and_rules(tmp_path_factory):  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("metamorphic"),
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        environment="test",
    )
    return load_region_sets(settings), load_rules()


@pytest.fixture(scope="module")
def real_files() -> list[tuple[Path, Source]]:
    import os

    from tests.conftest import REALDATA

    root = Path(os.environ.get("PERMED_REALDATA", REALDATA))
    if not root.is_dir():
        pytest.fail(f"real sample data not found at {root}; set PERMED_REALDATA")
    files: list[tuple[Path, Source]] = [
        (path, "openalex") for path in sorted((root / "openalex").glob("*.json*"))
    ]
    files += [(path, "pubmed") for path in sorted((root / "pubmed").glob("*.xml*"))]
    files += [
        (path, "patents")
        for path in sorted((root / "patents").iterdir())
        if path.suffix in {".xml", ".jsonl"}
    ]
    return files


@pytest.fixture
def corpus() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_corpus(":memory:")
    yield connection
    connection.close()


def ingest(
    connection: duckdb.DuckDBPyConnection, files: Files, **options: Any
) -> list[IngestSummary]:
    return [
        ingest_file(path, source=source, corpus=connection, **options) for path, source in files
    ]


def tag(connection: duckdb.DuckDBPyConnection, regions_and_rules: Any) -> None:
    """Tag what changed (all of it the first time), as an ingest does; the search index,
    which counts nothing here, is left out."""
    regions, rules = regions_and_rules
    tag_untagged(connection, regions=regions, rules=rules)


def numbers(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the landscape counts, keyed by what it is, with no corpus id in it."""
    tables = compute_indicators(connection, NO_FILTER, limit=1_000).tables()
    for row in tables["top_cited"]:
        del row["work_id"]  # the corpus's own number, given in the order works arrive
    result: dict[str, Any] = dict(tables)
    for level in ("country", "institution"):
        nodes, edges = collaboration_rows(
            connection, NO_FILTER, level=level, max_nodes=1_000, min_weight=1
        )
        result[f"{level} nodes"], result[f"{level} edges"] = nodes, edges
    for name, sql in {
        "works": "SELECT kind, year, count(*) FROM works GROUP BY ALL ORDER BY ALL",
        "countries": "SELECT country_code, count(*) FROM work_countries GROUP BY 1 ORDER BY 1",
        "regions": "SELECT region, count(*) FROM work_regions GROUP BY 1 ORDER BY 1",
        "topics": "SELECT topic, count(DISTINCT work_id) FROM work_topics GROUP BY 1 ORDER BY 1",
        "flags": "SELECT pm_relevant, eu_cn, count(*) FROM work_flags GROUP BY ALL ORDER BY ALL",
        "identifiers": "SELECT id_type, count(*) FROM work_ids GROUP BY 1 ORDER BY 1",
    }.items():
        result[name] = connection.execute(sql).fetchall()
    return result


def assert_same(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """Compare indicator by indicator, so that a failure names the one that moved."""
    assert expected.keys() == actual.keys()
    for name in expected:
        assert actual[name] == expected[name], name


def numbers_of(files: Files, regions_and_rules: Any, **options: Any) -> dict[str, Any]:
    connection = open_corpus(":memory:")
    try:
        ingest(connection, files, **options)
        tag(connection, regions_and_rules)
        return numbers(connection)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def baseline(real_files, regions_and_rules) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The numbers of the real files read once, in sorted order, in the default batches."""
    return numbers_of(real_files, regions_and_rules)


def test_reading_the_files_again_changes_no_number(
    corpus, real_files, regions_and_rules, baseline
) -> None:
    first = ingest(corpus, real_files)
    assert sum(s.stored for s in first) == sum(s.read for s in first) > 800
    again = ingest(corpus, real_files)
    assert [(s.read, s.stored, s.duplicates) for s in again] == [(s.read, 0, s.read) for s in first]
    tag(corpus, regions_and_rules)
    assert_same(baseline, numbers(corpus))
    # ... and after retagging everything
    regions, rules = regions_and_rules
    tag_corpus(corpus, regions=regions, rules=rules)
    assert_same(baseline, numbers(corpus))


def test_the_order_of_the_files_and_the_batches_changes_no_number(
    real_files, regions_and_rules, baseline
) -> None:
    # Reversed: work ids, and so any tie broken by them, come out the other way round.
    # (Shuffled, in parts, with tagging between: the next test.)
    reversed_files = list(reversed(real_files))
    assert_same(baseline, numbers_of(reversed_files, regions_and_rules, batch_size=17))


def _split_lines(path: Path, parts: int, out: Path, *, seed: int) -> list[Path]:
    """The lines of a JSON Lines file, shuffled and dealt into ``parts`` files."""
    lines = [line for line in path.read_bytes().split(b"\n") if line]
    random.Random(seed).shuffle(lines)
    files = []
    for index in range(parts):
        file = out / f"{path.stem}.{index}.jsonl"
        file.write_bytes(b"".join(line + b"\n" for line in lines[index::parts]))
        files.append(file)
    return files


def _split_articles(path: Path, parts: int, out: Path, *, seed: int) -> list[Path]:
    """The <PubmedArticle>s of a PubMed file, byte for byte, shuffled and dealt into
    ``parts`` files with the file's own header."""
    import gzip
    import re

    text = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    head = text[: text.index(b"<PubmedArticle>")]
    articles = re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", text, re.S)
    random.Random(seed).shuffle(articles)
    files = []
    for index in range(parts):
        file = out / f"{path.name}.{index}.xml"
        file.write_bytes(head + b"\n".join(articles[index::parts]) + b"\n</PubmedArticleSet>\n")
        files.append(file)
    return files


def test_files_split_and_shuffled_and_tagged_between_give_the_same_numbers(
    tmp_path, real_files, regions_and_rules, baseline
) -> None:
    # Every JSON Lines file and the PubMed update file dealt into parts; a part of the Lens
    # export may hold its first line, BOM and all, in the middle, as `cat a.jsonl b.jsonl`
    # does with two exports.
    pieces: list[tuple[Path, Source]] = []
    for path, source in real_files:
        if path.suffix == ".jsonl":
            pieces += [(p, source) for p in _split_lines(path, 3, tmp_path, seed=len(pieces))]
        elif path.name.endswith(".xml.gz"):
            pieces += [(p, source) for p in _split_articles(path, 3, tmp_path, seed=2)]
        else:
            pieces.append((path, source))
    lens = [p for p, _ in pieces if p.name.startswith("lens")]
    assert any(b"\n\xef\xbb\xbf" in p.read_bytes() for p in lens)
    random.Random(11).shuffle(pieces)
    connection = open_corpus(":memory:")
    try:
        for index, piece in enumerate(pieces):
            ingest(connection, [piece], batch_size=40)
            if index % 5 == 4:  # tagging part of the way takes the incremental paths
                tag(connection, regions_and_rules)
        tag(connection, regions_and_rules)
        assert_same(baseline, numbers(connection))
    finally:
        connection.close()


def test_a_generated_bulk_corpus_split_shuffled_and_parsed_in_parallel_counts_the_same(
    tmp_path, regions_and_rules
) -> None:
    from permed_atlas.demo import write_lens_jsonl, write_openalex_jsonl

    works, patents = tmp_path / "works.jsonl", tmp_path / "patents.jsonl"
    write_openalex_jsonl(works, 1_000, seed=8, workers=1)
    write_lens_jsonl(patents, 150, seed=8)
    whole = numbers_of([(works, "openalex"), (patents, "patents")], regions_and_rules)
    assert sum(count for _, _, count in whole["works"]) == 1_150
    parts = _split_lines(works, 4, tmp_path, seed=1)
    connection = open_corpus(":memory:")
    try:
        ingest(connection, [(patents, "patents")])
        tag(connection, regions_and_rules)
        for index, part in enumerate(parts):
            ingest(connection, [(part, "openalex")], workers=2 if index % 2 else 1)
            if index == 1:
                tag(connection, regions_and_rules)
        tag(connection, regions_and_rules)
        assert_same(whole, numbers(connection))
    finally:
        connection.close()


# --- one work from several records ---------------------------------------------------------


def _work_rows(connection: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every work as stored, with its people, places, terms and ids, without the corpus's ids."""
    parts: dict[int, list[Any]] = {}
    for work_id, *row in connection.execute("SELECT * FROM works").fetchall():
        parts[work_id] = [tuple(row)]
    for table in ("contributors", "affiliations", "terms", "work_ids"):
        rows: dict[int, list[tuple[Any, ...]]] = {work_id: [] for work_id in parts}
        for row in connection.execute(
            f"SELECT * EXCLUDE (work_id), work_id FROM {table}"
        ).fetchall():
            rows[row[-1]].append(tuple(map(str, row[:-1])))
        for work_id, found in rows.items():
            parts[work_id].append(sorted(found))
    return sorted(tuple(map(str, part)) for part in parts.values())


def _state(
    files: Files, regions_and_rules: Any, *, count: bool = True, **options: Any
) -> dict[str, Any]:
    """The stored works and, with ``count``, every number, tagging after each file (the
    incremental paths retag what each file changed)."""
    connection = open_corpus(":memory:")
    try:
        for file in files:
            ingest(connection, [file], **options)
            if count:
                tag(connection, regions_and_rules)
        counted = numbers(connection) if count else {}
        return {**counted, "stored works": _work_rows(connection)}
    finally:
        connection.close()


@pytest.fixture(scope="module")
def linked(tmp_path_factory, real_files) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Three real OpenAlex works that name a PMID, and three real PubMed citations given those
    PMIDs (the one edit: the citation's own PMID, wherever it gives it), so that each pair
    is one work by its PMID; plus a second version of the OpenAlex records (later
    updated_date, first author only, another title) and of the PubMed citations (without
    their MeSH headings), and an update file withdrawing the three PMIDs."""
    import gzip
    import json
    import re

    folder = tmp_path_factory.mktemp("linked")
    [neuro] = [p for p, _ in real_files if "neuroscience" in p.name]
    lines = [line for line in neuro.read_bytes().split(b"\n") if line]
    chosen = [
        line
        for line in lines
        if json.loads(line).get("ids", {}).get("pmid") and b'"authorships": [{' in line
    ][:3]
    pmids = [json.loads(line)["ids"]["pmid"].rsplit("/", 1)[-1] for line in chosen]
    files = {"openalex": folder / "openalex.jsonl"}
    files["openalex"].write_bytes(b"".join(line + b"\n" for line in chosen))
    newer = []
    for line in chosen:
        record = json.loads(line)
        record["updated_date"] = "2099-01-01T00:00:00"
        record["authorships"] = record["authorships"][:1]
        record["title"] = f"{record['title']} (corrected)"
        newer.append(json.dumps(record).encode())
    files["openalex v2"] = folder / "openalex-v2.jsonl"
    files["openalex v2"].write_bytes(b"".join(line + b"\n" for line in newer))
    [sample] = [p for p, _ in real_files if p.name.endswith(".xml.gz")]
    text = gzip.decompress(sample.read_bytes())
    head = text[: text.index(b"<PubmedArticle>")]
    articles = re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", text, re.S)[:3]
    edited = []
    for article, pmid in zip(articles, pmids, strict=True):
        old = re.search(rb"<PMID Version=\"\d+\">(\d+)</PMID>", article)
        assert old is not None
        edited.append(article.replace(b">" + old.group(1) + b"<", b">" + pmid.encode() + b"<"))
    tail = b"\n</PubmedArticleSet>\n"
    files["pubmed"] = folder / "pubmed.xml"
    files["pubmed"].write_bytes(head + b"\n".join(edited) + tail)
    revised = [
        re.sub(rb"<MeshHeadingList>.*?</MeshHeadingList>", b"", a, flags=re.S) for a in edited
    ]
    assert revised != edited
    files["pubmed v2"] = folder / "pubmed-v2.xml"
    files["pubmed v2"].write_bytes(head + b"\n".join(revised) + tail)
    delete = b"".join(b'<PMID Version="1">' + p.encode() + b"</PMID>" for p in pmids)
    files["pubmed deletions"] = folder / "pubmed-deletions.xml"
    files["pubmed deletions"].write_bytes(
        head + b"<DeleteCitation>" + delete + b"</DeleteCitation>" + tail
    )
    return files


def _files(linked: dict[str, Path], *names: str) -> list[tuple[Path, Source]]:
    return [
        (linked[name], "openalex" if name.startswith("openalex") else "pubmed") for name in names
    ]


def test_an_openalex_and_a_pubmed_record_of_one_work_merge_the_same_whichever_comes_first(
    linked, regions_and_rules
) -> None:
    fixture_pair = [
        (FIXTURES / "pair_openalex.jsonl", "openalex"),
        (FIXTURES / "pair_pubmed.xml", "pubmed"),
    ]
    pairs = [*_files(linked, "openalex", "pubmed"), *fixture_pair]
    first = _state(pairs, regions_and_rules)
    assert len(first["stored works"]) == 4  # each pair is one work, counted once
    assert_same(first, _state(list(reversed(pairs)), regions_and_rules))
    # in one batch, either way round
    both = pairs[1::2] + pairs[0::2]
    assert first["stored works"] == _state(both, regions_and_rules, count=False)["stored works"]
    # and read again, nothing changes
    with open_corpus(":memory:") as connection:
        ingest(connection, pairs)
        again = ingest(connection, list(reversed(pairs)))
        assert [(s.stored, s.duplicates) for s in again] == [(0, s.read) for s in again]


def test_a_newer_version_replaces_the_old_one_whatever_came_between(
    linked, regions_and_rules
) -> None:
    import itertools

    # what the corpus would be had the old version never been read
    expected = _state(_files(linked, "openalex v2", "pubmed"), regions_and_rules)
    for order in itertools.permutations(("openalex", "openalex v2", "pubmed")):
        counted = order in {
            ("openalex", "pubmed", "openalex v2"),
            ("pubmed", "openalex v2", "openalex"),
        }
        state = _state(_files(linked, *order), regions_and_rules, count=counted)
        assert_same({k: expected[k] for k in state}, state)


def test_an_undated_record_read_again_in_a_later_file_replaces_the_earlier_one(
    linked, regions_and_rules
) -> None:
    # PubMed citations carry no version date: the later file's copy is the citation.
    for old, new in (("pubmed", "pubmed v2"), ("pubmed v2", "pubmed")):
        expected = _state(_files(linked, "openalex", new), regions_and_rules, count=old == "pubmed")
        for files in ((old, "openalex", new), ("openalex", old, new), (old, new, "openalex")):
            counted = old == "pubmed" and files[1] == old
            state = _state(_files(linked, *files), regions_and_rules, count=counted)
            assert_same({k: expected[k] for k in state}, state)


def test_a_withdrawn_record_takes_only_what_it_gave_whenever_it_is_withdrawn(
    linked, regions_and_rules
) -> None:
    expected = _state(_files(linked, "openalex"), regions_and_rules)
    for files in (
        ("openalex", "pubmed", "pubmed deletions"),
        ("pubmed", "openalex", "pubmed deletions"),
        ("pubmed", "pubmed deletions", "openalex"),
    ):
        assert_same(expected, _state(_files(linked, *files), regions_and_rules))


def test_a_work_openalex_merged_away_leaves_what_the_survivor_alone_gives(
    tmp_path, real_files, regions_and_rules
) -> None:
    import json

    import pyarrow as pa

    from permed_atlas.landscape.store.merges import record_merges

    [neuro] = [p for p, _ in real_files if "neuroscience" in p.name]
    survivor, duplicate = (json.loads(line) for line in neuro.read_bytes().split(b"\n")[5:7])
    duplicate["doi"] = survivor["doi"]  # the one edit: OpenAlex's duplicate of one article
    files = {}
    for name, record in (("survivor", survivor), ("duplicate", duplicate)):
        files[name] = tmp_path / f"{name}.jsonl"
        files[name].write_text(json.dumps(record) + "\n", encoding="utf-8")
    merges = pa.table(
        {
            "merged_id": [duplicate["id"]],
            "merged_into": [survivor["id"]],
            "merge_date": ["2026-01-01"],
        }
    )

    def state(*steps: str) -> dict[str, Any]:
        connection = open_corpus(":memory:")
        try:
            for step in steps:
                if step == "merges":
                    record_merges(connection, merges=merges)
                else:
                    ingest(connection, [(files[step], "openalex")])
                tag(connection, regions_and_rules)
            return {**numbers(connection), "stored works": _work_rows(connection)}
        finally:
            connection.close()

    expected = state("survivor")
    for steps in (
        ("duplicate", "survivor", "merges"),
        ("survivor", "duplicate", "merges"),
        ("merges", "duplicate", "survivor"),
        ("duplicate", "merges", "survivor"),
    ):
        assert_same(expected, state(*steps))


# --- interrupted ingests ------------------------------------------------------------------


def _stored_counts(connection: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    row = connection.execute(
        "SELECT (SELECT count(*) FROM works), (SELECT count(DISTINCT work_id) FROM work_ids)"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_a_file_cut_at_its_last_record_then_read_whole_ends_as_if_read_whole_once(
    tmp_path, real_files, regions_and_rules, baseline
) -> None:
    cut: list[tuple[Path, Source]] = []
    for path, source in real_files:
        if path.suffix == ".jsonl" and source == "openalex":
            data = path.read_bytes()
            last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
            broken = tmp_path / path.name
            broken.write_bytes(data + last[: len(last) // 2])  # a malformed record at the end
            cut.append((broken, source))
    connection = open_corpus(":memory:")
    try:
        for summary in ingest(connection, cut, batch_size=40):
            assert summary.problems and "truncated" in summary.problems[0]
            assert summary.stored == summary.read  # every whole record before the cut
        assert _stored_counts(connection)[0] == sum(
            len(path.read_bytes().split(b"\n")) - 1 for path, _ in cut
        )
        tag(connection, regions_and_rules)
        ingest(connection, real_files)
        tag(connection, regions_and_rules)
        assert_same(baseline, numbers(connection))
    finally:
        connection.close()


@pytest.mark.parametrize("where", ["batch callback", "writing a batch"])
def test_ctrl_c_leaves_whole_batches_that_a_second_run_completes(
    where, tmp_path, real_files, regions_and_rules, baseline, monkeypatch
) -> None:
    import permed_atlas.landscape.store.corpus as corpus_store
    from permed_atlas.landscape.errors import IngestInterruptedError

    [page] = [(p, s) for p, s in real_files if "biodiversity" in p.name]
    batches = writes = 0

    def count_batch(count: int) -> None:
        nonlocal batches
        batches += 1
        if where == "batch callback" and batches == 3:
            raise KeyboardInterrupt

    real_insert = corpus_store.insert_tables

    def insert_then_ctrl_c(connection, tables):  # type: ignore[no-untyped-def]
        nonlocal writes
        writes += 1
        if writes < 3:
            return real_insert(connection, tables)
        real_insert(connection, {**tables, "terms": tables["terms"].slice(0, 0)})
        raise KeyboardInterrupt  # the third batch's works and people written, not its terms

    if where == "writing a batch":
        monkeypatch.setattr(corpus_store, "insert_tables", insert_then_ctrl_c)
    done = 120 if where == "batch callback" else 80  # whole batches, nothing of another
    lines = page[0].read_bytes().split(b"\n")[:done]
    (tmp_path / "first.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    connection = open_corpus(":memory:")
    try:
        with pytest.raises(IngestInterruptedError) as stopped:
            ingest(connection, [page], batch_size=40, progress=count_batch)
        summary = stopped.value.summary
        assert (summary.read, summary.stored, summary.duplicates) == (done, done, 0)
        monkeypatch.undo()
        # every row of the whole batches, none of the one interrupted
        with open_corpus(":memory:") as alone:
            ingest(alone, [(tmp_path / "first.jsonl", "openalex")])
            assert count_rows(connection) == count_rows(alone)
        again = ingest(connection, real_files)
        assert sum(s.duplicates for s in again) == done
        tag(connection, regions_and_rules)
        assert_same(baseline, numbers(connection))
    finally:
        connection.close()


# --- exports ------------------------------------------------------------------------------


def test_exports_report_the_numbers_the_cli_reports_for_the_same_facets(
    settings, monkeypatch, tmp_path, real_files, client
) -> None:
    import csv
    import io
    import json

    import networkx as nx
    from typer.testing import CliRunner

    from permed_atlas.cli import app as cli
    from permed_atlas.settings import get_settings

    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    try:
        for source in ("openalex", "pubmed", "patents"):
            folder = {path.parent for path, kind in real_files if kind == source}.pop()
            run("ingest", source, str(folder))
        facets = ("--from-year", "2015")  # a facet, typed as a user types it
        tables = json.loads(run("indicators", "--format", "json", "--limit", "1000", *facets))
        rows = list(
            csv.DictReader(
                io.StringIO(run("indicators", "--format", "csv", "--limit", "1000", *facets))
            )
        )
        for name in ("output", "copublications", "institutions", "countries", "topics"):
            from_csv = [
                {k: v for k, v in row.items() if k != "indicator" and v != ""}
                for row in rows
                if row["indicator"] == name
            ]
            from_json = [
                {k: str(v) for k, v in row.items() if v is not None} for row in tables[name]
            ]
            assert from_csv == from_json, name
        countries = {r["country_code"]: r["works"] for r in tables["countries"]}
        institutions = {
            r["institution_id"]: (r["institution"], r["works"]) for r in tables["institutions"]
        }
        gexf = tmp_path / "countries.gexf"
        run("network", "--out", str(gexf), *facets)
        graph = nx.read_gexf(gexf)
        assert graph.number_of_nodes() > 20
        shared = [node for node in graph.nodes if node in countries]
        assert len(shared) > 10
        assert {n: int(graph.nodes[n]["works"]) for n in shared} == {
            n: countries[n] for n in shared
        }
        run("network", "--format", "vosviewer", "--out", str(tmp_path / "vos"), *facets)
        with (tmp_path / "vos_map.txt").open(encoding="utf-8") as handle:
            items = list(csv.DictReader(handle, delimiter="\t"))
        ids = {item["id"]: item for item in items}
        labels = {graph.nodes[n]["label"]: n for n in graph.nodes}
        assert {labels[i["label"].strip('"')]: int(i["weight<Documents>"]) for i in items} == {
            n: int(graph.nodes[n]["works"]) for n in graph.nodes
        }
        links = (tmp_path / "vos_network.txt").read_text(encoding="utf-8").splitlines()
        assert {
            frozenset(labels[ids[a]["label"].strip('"')] for a in line.split("\t")[:2]): int(
                line.split("\t")[2]
            )
            for line in links
        } == {frozenset((a, b)): int(w) for a, b, w in graph.edges(data="weight")}
        answer = client.get(
            "/api/v1/landscape/network",
            params={"max_nodes": 500, "year_from": "2015"},
        )
        assert answer.status_code == 200, answer.text
        web = answer.json()
        assert {n["id"]: n["works"] for n in web["nodes"]} == {
            n: int(graph.nodes[n]["works"]) for n in graph.nodes
        }
        run("network", "--level", "institution", "--out", str(gexf), *facets)
        graph = nx.read_gexf(gexf)
        named = [node for node in graph.nodes if node in institutions]
        assert len(named) > 10
        assert {n: (graph.nodes[n]["label"], int(graph.nodes[n]["works"])) for n in named} == {
            n: institutions[n] for n in named
        }
    finally:
        get_settings.cache_clear()
