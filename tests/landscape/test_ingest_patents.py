"""Patents: Lens JSON Lines (with BOM), EPO ep-patent-document v1-0..v1-5, USPTO XML."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from permed_atlas.landscape.errors import IngestError, RecordError
from permed_atlas.landscape.ingest import (
    detect_patent_format,
    parse_epo,
    parse_lens,
    parse_patents,
    parse_uspto,
)
from permed_atlas.landscape.models import Work

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("lens_biopoly_sample5.jsonl", "lens"),
        ("epo_eps_application_v1-3-A1.xml", "epo"),
        ("epo_eps_grant_v1-0-B1.xml", "epo"),
        ("uspto_US08926509.xml", "uspto"),
        ("uspto_US20050004437A1.xml", "uspto"),
    ],
)
def test_format_is_told_from_the_content(realdata: Path, name: str, fmt: str) -> None:
    assert detect_patent_format(realdata / "patents" / name) == fmt


def test_pubmed_and_unknown_files_are_refused(realdata: Path, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="PubMed"):
        detect_patent_format(realdata / "pubmed" / "pubmed-29768149.xml")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(IngestError, match="not a patent file"):
        detect_patent_format(other)


def test_a_lens_csv_export_is_named_and_the_json_export_asked_for() -> None:
    # Lens's CSV export (BOM, ";;"-separated lists, quoted newlines) was refused as "not a
    # patent file", which left the user to guess that Lens's own export was meant otherwise.
    with pytest.raises(IngestError, match="a Lens CSV export, .*as JSON Lines"):
        detect_patent_format(FIXTURES / "lens_export.csv")


def test_every_real_patent_file_parses(realdata: Path) -> None:
    files = sorted(p for p in (realdata / "patents").iterdir() if p.suffix in {".xml", ".jsonl"})
    works = [r for f in files for r in parse_patents(f)]
    assert all(isinstance(w, Work) for w in works)
    assert len(works) == 12  # 5 Lens lines + 5 EPO + 2 USPTO documents
    assert all(w.kind == "patent" and w.year and w.family_id for w in works)  # type: ignore[union-attr]


def test_lens_lines_with_bom(realdata: Path) -> None:
    works = list(parse_lens(realdata / "patents" / "lens_biopoly_sample5.jsonl"))
    assert [w.lens_id for w in works] == [  # type: ignore[union-attr]
        "038-066-141-127-891",
        "063-074-729-328-420",
        "130-527-191-432-660",
        "150-660-498-546-118",
        "059-321-469-789-343",
    ]
    biomarker = works[4]
    assert isinstance(biomarker, Work)
    assert biomarker.title == "BIOMARKER FOR HUMAN PROSTATE CANCER"
    assert biomarker.publication_number == "US20150192597A1"
    assert biomarker.year == 2014  # the provisional's priority date, not the filing
    assert biomarker.family_id == "lens-family:036-622-702-426-94X"
    assert ("cpc", "G01N33/57434") in {(t.scheme, t.term) for t in biomarker.terms}
    samsung = works[2]
    assert isinstance(samsung, Work)
    assert [(c.role, c.countries) for c in samsung.contributors][:2] == [
        ("applicant", ("KR",)),
        ("inventor", ("US",)),
    ]
    chinese = works[1]
    assert isinstance(chinese, Work)
    assert chinese.title.startswith("Low-dielectric")  # type: ignore[union-attr]  # English first


def test_two_lens_exports_joined_with_cat_read_as_the_two_files(
    realdata: Path, tmp_path: Path
) -> None:
    export = (realdata / "patents" / "lens_biopoly_sample5.jsonl").read_bytes()
    assert export.startswith(b"\xef\xbb\xbf")  # as Lens writes it
    joined = tmp_path / "joined.jsonl"
    joined.write_bytes(export + export)  # the second export's BOM is mid-file now
    once = list(parse_lens(realdata / "patents" / "lens_biopoly_sample5.jsonl"))
    assert list(parse_lens(joined)) == once + once


def test_epo_documents_of_every_dtd_version(realdata: Path) -> None:
    [boe] = list(parse_epo(realdata / "patents" / "epo_eps_application_v1-5-A1.xml"))
    assert isinstance(boe, Work)
    assert boe.publication_number == "EP3782854A1"
    assert boe.title == "VEHICLE-MOUNTED DISPLAY ASSEMBLY AND VEHICLE"
    assert boe.year == 2018
    assert boe.family_id == "app:EP18877305"
    assert {c.countries for c in boe.contributors} == {("CN",)}
    assert [c.role for c in boe.contributors] == [
        "applicant",
        "applicant",
        "inventor",
        "inventor",
        "inventor",
    ]
    assert boe.abstract and boe.abstract.startswith("This disclosure relates")
    [nymox] = list(parse_epo(realdata / "patents" / "epo_eps_grant_v1-0-B1.xml"))
    assert isinstance(nymox, Work)
    assert nymox.type == "granted_patent"
    assert nymox.contributors[0].name == "NYMOX CORPORATION"  # B731 proprietor
    assert [t.term for t in nymox.terms] == ["C07K14/47", "A61K38/17"]
    assert nymox.year == 2001
    [nestle] = list(parse_epo(realdata / "patents" / "epo_eps_application_v1-3-A1.xml"))
    assert isinstance(nestle, Work)
    assert nestle.title == "NUTRITIONAL COMPOSITION FOR LOW BIRTH WEIGHT INFANTS"
    assert nestle.abstract is None


def test_uspto_grant_and_application(realdata: Path) -> None:
    [grant] = list(parse_uspto(realdata / "patents" / "uspto_US08926509.xml"))
    assert isinstance(grant, Work)
    assert grant.publication_number == "US8926509B2"
    assert grant.year == 2007  # the provisional application
    assert grant.title == "Wireless physiological sensor patches and systems"
    assert ("cpc", "A61B5/0205") in {(t.scheme, t.term) for t in grant.terms}
    assert ("ipc", "A61B5/00") in {(t.scheme, t.term) for t in grant.terms}
    assert "Hmicro, Inc." in [c.name for c in grant.contributors]
    [application] = list(parse_uspto(realdata / "patents" / "uspto_US20050004437A1.xml"))
    assert isinstance(application, Work)
    assert application.type == "patent_application"
    assert application.year == 2001  # the CH priority claim
    assert {c.countries for c in application.contributors} == {("CH",)}


def test_bulk_file_of_concatenated_documents_gzipped(realdata: Path, tmp_path: Path) -> None:
    bulk = tmp_path / "ipa_bulk.xml.gz"
    parts = [
        (realdata / "patents" / n).read_bytes()
        for n in ("uspto_US20050004437A1.xml", "uspto_US08926509.xml")
    ]
    broken = b'<?xml version="1.0"?>\n<us-patent-grant lang="EN"><oops></us-patent-grant>\n'
    with gzip.open(bulk, "wb") as out:
        out.write(parts[0] + b"\n" + broken + parts[1])
    results = list(parse_patents(bulk))
    assert [type(r) for r in results] == [Work, RecordError, Work]
    error = results[1]
    assert isinstance(error, RecordError) and "broken XML" in error.reason


def test_lens_record_without_lens_id_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "lens.jsonl"
    path.write_text('{"jurisdiction": "EP"}\n{"lens_id": \n', encoding="utf-8")
    errors = list(parse_lens(path))
    assert [(e.line, "lens_id" in e.reason or "JSON" in e.reason) for e in errors] == [  # type: ignore[union-attr]
        (1, True),
        (2, True),
    ]


def test_a_lens_field_of_the_wrong_json_type_is_named(realdata: Path, tmp_path: Path) -> None:
    import orjson

    text = (realdata / "patents" / "lens_biopoly_sample5.jsonl").read_text(encoding="utf-8-sig")
    first, second, third = (orjson.loads(line) for line in text.splitlines()[:3])
    path = tmp_path / "lens.jsonl"
    path.write_bytes(
        orjson.dumps({**first, "families": "US-2019-1234"})
        + b"\n"
        + orjson.dumps({**second, "publication_type": None})  # null: absent, not a crash
        + b"\n"
        + orjson.dumps(third)
        + b"\n"
    )
    results = list(parse_lens(path))
    assert isinstance(results[0], RecordError)
    assert (results[0].line, results[0].reason) == (
        1,
        "field 'families': \"US-2019-1234\" is not a JSON object",
    )
    assert [type(r) for r in results[1:]] == [Work, Work]
