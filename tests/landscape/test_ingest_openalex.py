"""OpenAlex works: both schema generations, API pages, JSON Lines plain and gzipped."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest import ingest_file, parse_openalex, rebuild_abstract
from permed_atlas.landscape.models import Work
from permed_atlas.landscape.store.corpus import count_rows, open_corpus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def _works(path: Path) -> list[Work]:
    return [r for r in parse_openalex(path) if isinstance(r, Work)]


def test_rebuild_abstract_orders_words_by_position() -> None:
    assert rebuild_abstract({"world": [1], "Hello": [0], "again": [3], "hello": [2]}) == (
        "Hello world hello again"
    )
    assert rebuild_abstract(None) is None
    assert rebuild_abstract({}) is None
    # The 2021 snapshot wraps the index as MAG did.
    wrapped = {"IndexLength": 2, "InvertedIndex": {"a": [0], "b": [1]}}
    assert rebuild_abstract(wrapped) == "a b"


def test_api_page_yields_its_results(realdata: Path) -> None:
    works = _works(realdata / "openalex" / "openalex_api_response_page_keypapers.json")
    assert [w.openalex_id for w in works] == ["W2755950973", "W2741809807"]
    bibliometrix = works[0]
    assert bibliometrix.doi == "10.1016/j.joi.2017.08.007"
    assert bibliometrix.year == 2017
    assert bibliometrix.venue == "Journal of Informetrics"
    first = bibliometrix.contributors[0]
    assert first.name == "Massimo Aria"
    assert first.id == "A5069892096"
    assert first.orcid == "0000-0002-8517-9411"
    assert first.institutions[0].country_code == "IT"
    assert first.institutions[0].ror == "https://ror.org/05290cv24"
    assert "Naples, Italy" in (first.raw_affiliation or "")


def test_new_schema_keeps_topics_keywords_mesh_and_pmid(realdata: Path) -> None:
    works = _works(realdata / "openalex" / "openalex_works_api_search_neuroscience_100.jsonl")
    assert len(works) == 100
    power = next(w for w in works if w.openalex_id == "W2105824687")
    assert power.pmid == "23571845"
    assert power.type == "review"
    assert power.venue == "Nature reviews. Neuroscience"
    schemes = {t.scheme for t in power.terms}
    assert {"concept", "topic", "keyword", "mesh"} <= schemes
    mesh = [t for t in power.terms if t.scheme == "mesh"]
    # OpenAlex repeats a descriptor once per qualifier; it is kept once.
    assert len({t.id for t in mesh}) == len(mesh)
    assert any(t.term == "Neurosciences" and t.id == "D009488" for t in mesh)


def test_abstracts_are_rebuilt_where_the_index_is_present(realdata: Path) -> None:
    name = "openalex_works_api_search_biodiversity_finance_200.jsonl"
    works = _works(realdata / "openalex" / name)
    with_abstract = [w for w in works if w.abstract]
    assert len(with_abstract) == 151  # as the README counts
    cbd = next(w for w in works if w.openalex_id == "W4235089722")
    assert cbd.abstract and cbd.abstract.startswith("The 1992 Convention on Biological Diversity")


def test_old_snapshot_schema_with_host_venue_and_raw_affiliation(realdata: Path) -> None:
    path = realdata / "openalex" / "openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl"
    works = _works(path)
    assert len(works) == 50
    first = works[0]
    assert first.openalex_id == "W1612067013"
    assert first.venue == "Healthcare quarterly (Toronto)"
    assert first.type == "journal-article"
    assert first.pmid == "18326386"
    assert first.abstract and first.abstract.startswith("3C have a constant need")
    assert first.contributors[0].institutions[0].country_code == "CA"
    assert not any(t.scheme == "topic" for w in works for t in w.terms)
    assert any(t.scheme == "concept" for t in first.terms)


def test_messy_records_are_kept_and_malformed_ones_reported_with_their_line() -> None:
    results = list(parse_openalex(FIXTURES / "openalex_malformed.jsonl"))
    errors = [r for r in results if isinstance(r, RecordError)]
    works = [r for r in results if isinstance(r, Work)]
    # Line 5 is blank; the U+2028 in line 1's title does not split the line.
    assert [e.line for e in errors] == [2, 3, 7]
    assert "broken JSON" in errors[0].reason
    assert "no OpenAlex id" in errors[1].reason
    assert str(errors[0]).startswith(f"{FIXTURES / 'openalex_malformed.jsonl'}:2: ")
    assert [w.openalex_id for w in works] == ["W9000000001", "W9000000002", "W9000000003"]
    good, empty, nowhere = works
    assert good.title == "Pharmacogenomics of warfarin\u2028in Han Chinese"
    assert good.doi == "10.5555/fixture.1"
    assert good.abstract == "Warfarin dosing varies."
    # An institution without a country: the country is read from the affiliation text.
    assert good.contributors[1].institutions[0].country_code is None
    assert good.contributors[1].countries == ("DE",)
    assert empty.title is None and empty.abstract is None and empty.contributors == ()
    assert nowhere.contributors[0].countries == ()


def test_gzipped_and_plain_give_the_same_works(tmp_path: Path, realdata: Path) -> None:
    plain = realdata / "openalex" / "openalex_works_api_search_biodiversity_finance_200.jsonl"
    packed = tmp_path / "part_000.gz"
    with plain.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    assert _works(packed) == _works(plain)
    assert len(_works(packed)) == 200


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_empty_files_are_an_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    # An empty file is a failed download far more often than an empty result: say so.
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=r"empty\.jsonl: empty file"):
        list(parse_openalex(path))


def test_records_of_other_openalex_entities_are_not_works(realdata: Path) -> None:
    # `permed ingest openalex snapshot/data/` reads the authors' and institutions' parts too
    # (JSON Lines with an id and a display_name): they were stored as publications titled
    # "Jason Priem" and "Harvard University".
    results = list(parse_openalex(FIXTURES / "openalex_snapshot_authors_part.jsonl"))
    assert all(isinstance(r, RecordError) for r in results)
    assert [(r.line, r.reason) for r in results if isinstance(r, RecordError)] == [
        (
            1,
            "record is not an OpenAlex work: its id A5023888391 is not W and digits "
            "(A is an author's, I an institution's, S a source's)",
        ),
        (
            2,
            "record is not an OpenAlex work: its id I136199984 is not W and digits "
            "(A is an author's, I an institution's, S a source's)",
        ),
    ]
    # the ingest's own path (rows straight from the JSON) refuses them alike
    corpus = open_corpus(":memory:")
    summary = ingest_file(
        FIXTURES / "openalex_snapshot_authors_part.jsonl", source="openalex", corpus=corpus
    )
    assert (summary.stored, summary.rejected) == (0, 2)
    assert count_rows(corpus)["works"] == 0
    works = realdata / "openalex" / "openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl"
    assert ingest_file(works, source="openalex", corpus=corpus).stored == 50
