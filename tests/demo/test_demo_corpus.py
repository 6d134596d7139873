"""The demo-corpus generator: real shapes, realistic structure, deterministic, ingestible."""

from __future__ import annotations

import gzip
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.outputs import disk_fills_up, files_in

from permed_atlas.demo import _vocab as vocab
from permed_atlas.demo import (
    bundled_demo_files,
    demo_corpus_paths,
    generate_lens_patents,
    generate_openalex_works,
    write_demo_corpus,
    write_lens_jsonl,
    write_openalex_jsonl,
)
from permed_atlas.errors import InvalidInputError
from permed_atlas.landscape.ingest._common import SYNTHETIC_MARKER

PM_WORDS = (
    "precision medicine",
    "personali",
    "pharmacogenomic",
    "targeted therapy",
    "companion diagnostic",
    "individualized treatment",
    "stratified medicine",
    "precision oncology",
    "genotype-guided",
)


@pytest.fixture(scope="module")
def works() -> list[dict[str, Any]]:
    return list(generate_openalex_works(5000, seed=0))


def _real_works(realdata: Path) -> list[dict[str, Any]]:
    path = realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().split(b"\n") if line.strip()]


def _countries(work: dict[str, Any]) -> set[str]:
    return {c for a in work["authorships"] for i in a["institutions"] if (c := i["country_code"])}


def _is_eu_cn(work: dict[str, Any]) -> bool:
    countries = _countries(work)
    return bool(countries & vocab.EU27) and "CN" in countries


def _text(work: dict[str, Any]) -> str:
    words = " ".join(sorted((work["abstract_inverted_index"] or {}), key=str))
    return f"{work['title'] or ''} {words}".lower()


def _abstract(index: dict[str, list[int]]) -> str:
    slots = {pos: word for word, positions in index.items() for pos in positions}
    return " ".join(slots[k] for k in range(len(slots)))


def test_same_seed_gives_the_same_works_and_other_seeds_other_ids() -> None:
    first = list(generate_openalex_works(300, seed=7))
    assert first == list(generate_openalex_works(300, seed=7))
    other = list(generate_openalex_works(300, seed=8))
    assert first != other
    assert not {w["id"] for w in first} & {w["id"] for w in other}
    assert not {w["doi"] for w in first if w["doi"]} & {w["doi"] for w in other if w["doi"]}


def test_ids_are_unique_and_well_formed(works: list[dict[str, Any]]) -> None:
    ids = [w["id"] for w in works]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("https://openalex.org/W") for i in ids)
    dois = [w["doi"] for w in works if w["doi"]]
    assert len(set(dois)) == len(dois)
    assert all(d.startswith("https://doi.org/10.") and d == d.lower() for d in dois)
    pmids = [w["ids"]["pmid"] for w in works if "pmid" in w["ids"]]
    assert len(set(pmids)) == len(pmids)
    assert all(p.startswith("https://pubmed.ncbi.nlm.nih.gov/") for p in pmids)
    assert all(w["ids"]["openalex"] == w["id"] and w["ids"].get("doi") == w["doi"] for w in works)


def test_records_have_the_real_schema_keys(works: list[dict[str, Any]], realdata: Path) -> None:
    real = _real_works(realdata)

    def keys(objects: list[Any]) -> set[str]:
        return set().union(*(o.keys() for o in objects if isinstance(o, dict)))

    # relevance_score only comes with API search results, never in the snapshot; the one key
    # of our own marks every generated record as such.
    top = keys(works)
    assert top == (keys(real) - {"relevance_score"}) | {SYNTHETIC_MARKER}
    assert all(work[SYNTHETIC_MARKER] is True for work in works)
    assert all(set(work) == top for work in works)
    parts = [
        lambda w: w["authorships"],
        lambda w: [a["author"] for a in w["authorships"]],
        lambda w: [i for a in w["authorships"] for i in a["institutions"]],
        lambda w: [w["primary_location"]],
        lambda w: [w["primary_location"]["source"]],
        lambda w: w["topics"],
        lambda w: [w["primary_topic"]],
        lambda w: [t["subfield"] for t in w["topics"]],
        lambda w: w["keywords"],
        lambda w: w["concepts"],
        lambda w: w["mesh"],
        lambda w: [w["open_access"]],
        lambda w: [w["citation_normalized_percentile"]],
        lambda w: [w["biblio"]],
    ]
    for get in parts:
        mine = keys([o for w in works for o in get(w) or []])
        theirs = keys([o for w in real for o in get(w) or []])
        assert mine == theirs, mine ^ theirs
    assert keys([w["ids"] for w in works]) <= keys([w["ids"] for w in real]) | {"pmcid"}


def test_country_mix_is_realistic_and_china_rises(works: list[dict[str, Any]]) -> None:
    counts = Counter(c for w in works for c in _countries(w))
    top = [c for c, _ in counts.most_common()]
    assert set(top[:2]) == {"US", "CN"}
    assert {"DE", "GB"} <= set(top[:6])
    assert {"FR", "IT", "ES", "NL", "SE", "JP"} <= set(top[:16])
    early = [w for w in works if w["publication_year"] <= 2007]
    late = [w for w in works if w["publication_year"] >= 2018]
    share = lambda group: sum("CN" in _countries(w) for w in group) / len(group)  # noqa: E731
    assert share(late) > 2 * share(early)


def test_eu_china_coauthorship_share_rises_from_2_to_6_percent(works: list[dict[str, Any]]) -> None:
    overall = sum(map(_is_eu_cn, works)) / len(works)
    assert 0.03 <= overall <= 0.065
    early = [w for w in works if w["publication_year"] <= 2007]
    late = [w for w in works if w["publication_year"] >= 2018]
    assert sum(map(_is_eu_cn, early)) / len(early) < 0.04
    assert 0.04 <= sum(map(_is_eu_cn, late)) / len(late) <= 0.08


def test_output_grows_over_the_years(works: list[dict[str, Any]]) -> None:
    years = Counter(w["publication_year"] for w in works)
    assert min(years) == 2000 and max(years) == 2025
    assert sum(years[y] for y in range(2020, 2025)) > 2 * sum(years[y] for y in range(2000, 2005))
    for work in works:
        assert work["publication_date"].startswith(str(work["publication_year"]))


def test_records_are_messy_like_real_ones(works: list[dict[str, Any]]) -> None:
    n = len(works)
    assert 0.15 <= sum(w["abstract_inverted_index"] is None for w in works) / n <= 0.25
    assert 0 < sum(w["title"] is None for w in works) <= 0.02 * n
    assert 0 < sum(not w["authorships"] for w in works) <= 0.05 * n
    assert 0.04 <= sum(w["doi"] is None for w in works) / n <= 0.12
    no_country = sum(
        any(i["country_code"] is None for a in w["authorships"] for i in a["institutions"])
        for w in works
    )
    assert 0 < no_country <= 0.1 * n


def test_some_works_are_pm_relevant_by_phrase(works: list[dict[str, Any]]) -> None:
    texts = [_text(w) for w in works]
    relevant = sum(any(word in t for word in PM_WORDS) for t in texts)
    assert 0.4 <= relevant / len(works) <= 0.8
    joined = " ".join(
        f"{w['title'] or ''} {_abstract(w['abstract_inverted_index'] or {})}".lower() for w in works
    )
    for phrase in (
        "precision medicine",
        "pharmacogenomic",
        "targeted therapy",
        "companion diagnostic",
    ):
        assert phrase in joined, phrase


def test_abstract_index_rebuilds_a_sentence_with_topic_vocabulary(
    works: list[dict[str, Any]],
) -> None:
    with_abstract = [w for w in works if w["abstract_inverted_index"]]
    for work in with_abstract[:200]:
        positions = sorted(p for ps in work["abstract_inverted_index"].values() for p in ps)
        assert positions == list(range(len(positions)))
    tcm = [w for w in works if any("Chinese" in t["display_name"] for t in w["topics"])]
    assert tcm and Counter(c for w in tcm for c in _countries(w)).most_common(1)[0][0] == "CN"
    mesh_names = {m["descriptor_name"] for w in works for m in w["mesh"]}
    assert {"Precision Medicine", "Pharmacogenetics", "Biological Specimen Banks"} <= mesh_names


def test_authors_repeat_and_co_author_in_groups(works: list[dict[str, Any]]) -> None:
    papers = Counter(a["author"]["id"] for w in works for a in w["authorships"])
    assert sum(1 for c in papers.values() if c >= 2) / len(papers) > 0.5
    pairs = Counter(
        pair
        for w in works
        for pair in itertools.combinations(sorted(a["author"]["id"] for a in w["authorships"]), 2)
    )
    assert sum(1 for c in pairs.values() if c >= 3) > 500
    names = {}
    for w in works:
        for a in w["authorships"]:
            names.setdefault(a["author"]["id"], set()).add(a["author"]["display_name"])
    assert all(len(v) == 1 for v in names.values())  # an author id always names the same person


def test_written_file_is_the_generator_output_for_any_worker_count(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl.gz", tmp_path / "two.jsonl.gz"
    seen: list[int] = []
    assert write_openalex_jsonl(one, 2100, seed=3, workers=1, progress=seen.append) == 2100
    write_openalex_jsonl(two, 2100, seed=3, workers=2)
    assert one.read_bytes() == two.read_bytes()
    assert seen[-1] == 2100 and seen == sorted(seen)
    expected = b"".join(orjson.dumps(w) + b"\n" for w in generate_openalex_works(2100, seed=3))
    with gzip.open(one, "rb") as handle:
        assert handle.read() == expected
    plain = tmp_path / "plain.jsonl"
    write_openalex_jsonl(plain, 2100, seed=3)
    assert plain.read_bytes() == expected
    assert not list(tmp_path.glob("*.partial"))


def test_lens_patents_have_the_real_export_shape(realdata: Path, tmp_path: Path) -> None:
    lines = (realdata / "patents" / "lens_biopoly_sample5.jsonl").read_text(encoding="utf-8-sig")
    real = [orjson.loads(line) for line in lines.split("\n") if line.strip()]
    patents = list(generate_lens_patents(400, seed=0))
    assert patents == list(generate_lens_patents(400, seed=0))
    common = set.intersection(*(set(r) for r in real))
    assert common <= set(patents[0])
    real_biblio = set.intersection(*(set(r["biblio"]) for r in real)) - {"references_cited"}
    for patent in patents:
        assert real_biblio <= set(patent["biblio"])
        assert patent["biblio"]["invention_title"][0]["text"]
        assert patent["families"]["simple_family"]["members"][0]["lens_id"] == patent["lens_id"]
    assert len({p["lens_id"] for p in patents}) == len(patents)
    regions = []
    for patent in patents:
        residences = {a.get("residence") for a in patent["biblio"]["parties"]["applicants"]}
        regions.append((bool(residences & vocab.EU27), "CN" in residences))
    assert 0 < sum(eu and cn for eu, cn in regions) < 0.15 * len(patents)
    assert sum(eu for eu, _ in regions) > 50 and sum(cn for _, cn in regions) > 50
    out = tmp_path / "lens.jsonl.gz"
    assert write_lens_jsonl(out, 50, seed=1) == 50
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        assert sum(1 for line in handle if orjson.loads(line)["lens_id"]) == 50


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="n must be"):
        list(generate_openalex_works(-1))
    with pytest.raises(InvalidInputError, match="start_year"):
        list(generate_openalex_works(5, start_year=2020, end_year=2010))
    with pytest.raises(InvalidInputError, match="seed"):
        write_openalex_jsonl(tmp_path / "x.jsonl", 5, seed=-2)
    with pytest.raises(InvalidInputError, match="directory or a .jsonl"):
        demo_corpus_paths(tmp_path / "works.csv")
    assert not list(tmp_path.iterdir())


def test_year_range_is_respected() -> None:
    years = {
        w["publication_year"] for w in generate_openalex_works(500, start_year=2015, end_year=2018)
    }
    assert years == {2015, 2016, 2017, 2018}


def test_demo_corpus_paths_and_writer(tmp_path: Path) -> None:
    assert demo_corpus_paths(tmp_path / "d") == {
        "openalex": tmp_path / "d" / "openalex_works.jsonl.gz",
        "patents": tmp_path / "d" / "lens_patents.jsonl.gz",
    }
    assert demo_corpus_paths(tmp_path / "w.jsonl", patents=False) == {
        "openalex": tmp_path / "w.jsonl"
    }
    written = write_demo_corpus(tmp_path / "w.jsonl", works=20, patents=4, seed=2)
    assert written["patents"] == tmp_path / "lens_patents.jsonl"
    assert len(written["openalex"].read_bytes().split(b"\n")) == 21


def test_cli_writes_the_files_and_says_where(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    out = tmp_path / "corpus"
    args = ["demo-corpus", "--works", "120", "--patents", "7", "--seed", "4", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"to {out / 'openalex_works.jsonl.gz'}" in result.output
    assert f"to {out / 'lens_patents.jsonl.gz'}" in result.output
    with gzip.open(out / "openalex_works.jsonl.gz", "rb") as handle:
        assert handle.read() == b"".join(
            orjson.dumps(w) + b"\n" for w in generate_openalex_works(120, seed=4)
        )
    with gzip.open(out / "lens_patents.jsonl.gz", "rb") as handle:
        assert len(handle.read().splitlines()) == 7
    nothing = tmp_path / "nothing"
    dry = CliRunner().invoke(
        app, ["demo-corpus", "--works", "5", "--dry-run", "--out", str(nothing)]
    )
    assert dry.exit_code == 0 and "would write 5 OpenAlex works" in dry.output
    assert not nothing.exists()
    bad = CliRunner().invoke(app, ["demo-corpus", "--works", "5", "--out", str(tmp_path / "w.csv")])
    assert bad.exit_code != 0 and not (tmp_path / "w.csv").exists()


def test_bundled_demo_corpus_is_small_and_regenerates(tmp_path: Path) -> None:
    files = bundled_demo_files()
    assert set(files) == {"openalex", "patents"}
    assert sum(path.stat().st_size for path in files.values()) < 3_000_000
    assert (files["openalex"].parent / "README.md").read_text().count("synthetic")
    # The README's command must still produce these very bytes.
    fresh = write_demo_corpus(tmp_path, works=2500, patents=300, seed=0, compresslevel=9)
    assert fresh["openalex"].read_bytes() == files["openalex"].read_bytes()
    assert fresh["patents"].read_bytes() == files["patents"].read_bytes()


def test_the_real_ingester_stores_generated_works_once(tmp_path: Path) -> None:
    ingest = pytest.importorskip("permed_atlas.landscape.ingest")
    from permed_atlas.landscape.store.corpus import open_corpus

    works_file = tmp_path / "works.jsonl.gz"
    patents_file = tmp_path / "patents.jsonl.gz"
    write_openalex_jsonl(works_file, 2000, seed=5)
    write_lens_jsonl(patents_file, 100, seed=5)
    corpus = open_corpus(tmp_path / "corpus.duckdb")
    try:
        first = ingest.ingest_file(works_file, source="openalex", corpus=corpus)
        assert (first.read, first.stored, first.rejected) == (2000, 2000, 0)
        again = ingest.ingest_file(works_file, source="openalex", corpus=corpus)
        assert (again.stored, again.duplicates) == (0, 2000)
        patents = ingest.ingest_file(patents_file, source="patents", corpus=corpus)
        assert (patents.stored, patents.rejected) == (100, 0)
        (countries,) = corpus.execute(
            "SELECT count(DISTINCT country_code) FROM affiliations WHERE country_code IS NOT NULL"
        ).fetchone()
        assert countries >= 25
        (with_abstract,) = corpus.execute(
            "SELECT count(*) FROM works WHERE kind = 'publication' AND abstract IS NOT NULL"
        ).fetchone()
        assert 1400 <= with_abstract <= 1700
    finally:
        corpus.close()


def test_cli_that_fills_the_disk_keeps_the_old_corpus_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    out = tmp_path / "corpus"
    args = ["demo-corpus", "--works", "120", "--patents", "7", "--out", str(out)]
    assert CliRunner().invoke(app, [*args, "--seed", "4"]).exit_code == 0
    before = files_in(out)
    with monkeypatch.context() as patch:
        disk_fills_up(patch, out, after=100)
        result = CliRunner().invoke(app, [*args, "--seed", "5"])
    assert str(result.exception).startswith(f"{out / 'openalex_works.jsonl.gz'}: No space")
    assert files_in(out) == before
