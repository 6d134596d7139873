"""The shipped knowledge files validate, and broken files get errors naming file, entry, field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from permed_atlas.helpdesk import (
    TOPICS,
    KnowledgeFileError,
    check_knowledge,
    check_knowledge_file,
    load_knowledge,
)
from permed_atlas.helpdesk.knowledge import BUNDLED_DIR, read_support_file

GOOD_ENTRY = {
    "id": "xx-test-entry",
    "country": "DE",
    "topic": "ethics_review",
    "title": "A test entry",
    "authority": "Some authority",
    "summary": "What it is about.",
    "procedure": [{"text": "Do this", "ref": "Law, Art. 1"}, "Then that"],
    "references": [{"law": "Some Law", "article": "Art. 1"}],
    "timeline": "Not recorded here.",
    "documents": ["Protocol"],
    "fees": "varies",
    "date_checked": "2026-11-23",
    "source": "https://example.org/law",
    "confirmed": True,
    "keywords": ["test"],
}


def _write(folder: Path, name: str, entries: list[dict], country: str = "DE") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump({"country": country, "name": "X", "entries": entries}),
                    encoding="utf-8")  # fmt: skip
    return path


def test_shipped_files_are_valid_and_cover_the_required_places_and_topics() -> None:
    reports = check_knowledge([BUNDLED_DIR])
    assert [str(p) for r in reports for p in r.problems] == []
    knowledge = load_knowledge()
    places = {e.country for e in knowledge.entries}
    assert {"EU", "DE", "FR", "IT", "ES", "NL", "BE", "SE", "CN", "HK", "INT"} <= places
    assert {e.topic for e in knowledge.entries} == set(TOPICS)
    cn_topics = {e.topic for e in knowledge.entries if e.country == "CN"}
    assert set(TOPICS) <= cn_topics
    for entry in knowledge.entries:
        assert entry.references and entry.source.startswith("http") and entry.date_checked
        assert entry.confirmed or entry.caveat, entry.id


def test_the_required_facts_are_there_with_their_references() -> None:
    knowledge = load_knowledge()
    ind = knowledge.get("cn-nmpa-ind")
    assert ind is not None and "60 working days" in ind.timeline
    assert any("Art. 19" in r.article for r in ind.references)
    ctr = knowledge.get("eu-ctr-authorisation")
    assert ctr is not None and "CTIS" in ctr.title
    assert any("536/2014" in r.law for r in ctr.references)
    export = knowledge.get("cn-hgr-materials-export")
    assert export is not None and any(r.article == "Art. 27" for r in export.references)
    filing = knowledge.get("cn-hgr-trial-filing")
    assert filing is not None and any("22(2)" in r.article for r in filing.references)
    gdpr = knowledge.get("eu-gdpr-trial-data")
    assert gdpr is not None and any("9(2)(j)" in r.article and "89" in r.article
                                    for r in gdpr.references)  # fmt: skip


def test_fees_are_never_invented_numbers_in_unconfirmed_entries() -> None:
    # A currency amount must come from a checked source; unconfirmed entries say "varies".
    for entry in load_knowledge().entries:
        if not entry.confirmed:
            assert not any(sym in entry.fees for sym in ("€", "EUR", "¥", "RMB", "CNY", "$"))


def test_funding_entries_point_at_existing_directory_entries() -> None:
    directory = Path(BUNDLED_DIR).parent / "directory"
    if not directory.is_dir():
        pytest.skip("the directory's data files are not there yet")
    ids = set()
    for path in directory.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids |= {e["id"] for e in data.get("entries", []) if isinstance(e, dict) and "id" in e}
    for entry in load_knowledge().entries:
        for directory_id in entry.directory_ids:
            assert directory_id in ids, (entry.id, directory_id)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"source": None}, "source", "is missing"),
        ({"date_checked": None}, "date_checked", "is missing"),
        ({"references": []}, "references", "at least one"),
        ({"references": [{"law": "GDPR"}]}, "references[0].article", "is missing"),
        ({"country": "XX"}, "country", "unknown country 'XX'"),
        ({"topic": "visa"}, "topic", "'visa' is not one of"),
        ({"date_checked": "23/11/2026"}, "date_checked", "is not a date"),
        ({"source": "ftp://example.org"}, "source", "must start with https://"),
        ({"confirmed": False}, "caveat", "say what could not be checked"),
        ({"confirmed": "maybe"}, "confirmed", "must be true or false"),
        ({"confirmed": None}, "confirmed", "is missing"),
        ({"title": ["a", "list"]}, "title", "must be text"),
        ({"keywords": {"a": 1}}, "keywords", "must be a list"),
        ({"links": ["ftp://x.org"]}, "links[0]", "must start with https://"),
        ({"procedure": []}, "procedure", "non-empty list"),
        ({"keywords": None}, "keywords", "is missing"),
        ({"fee": "10"}, "fee", "unknown field"),
        ({"id": "Bad Id"}, "id", "slug"),
    ],
)
def test_a_broken_entry_is_named_with_file_entry_and_field(
    tmp_path: Path, change: dict, field: str, words: str
) -> None:
    entry = {**GOOD_ENTRY, **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    path = _write(tmp_path, "broken.yaml", [entry])
    report = check_knowledge_file(path)
    assert report.entries == ()
    messages = [str(p) for p in report.problems]
    wanted = f"field {field!r}"
    assert any(str(path) in m and wanted in m and words in m for m in messages), messages
    label = entry.get("id", "#1")
    assert all(f"entry {label!r}" in m for m in messages)


def test_every_problem_of_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    bad = {k: v for k, v in GOOD_ENTRY.items() if k not in {"source", "date_checked"}}
    path = _write(tmp_path, "two.yaml", [bad, {**GOOD_ENTRY, "id": "ok-one"}])
    report = check_knowledge_file(path)
    fields = sorted(p.field or "" for p in report.problems)
    assert fields == ["date_checked", "source"]
    assert [e.id for e in report.entries] == ["ok-one"]


def test_file_level_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("country: DE\nentries: [\n", encoding="utf-8")
    assert "cannot read" in str(check_knowledge_file(broken).problems[0])
    mismatch = _write(tmp_path, "fr.yaml", [GOOD_ENTRY], country="FR")
    (problem,) = check_knowledge_file(mismatch).problems
    assert problem.field == "country" and "differs from the file's country 'FR'" in str(problem)
    unknown = _write(tmp_path, "zz.yaml", [GOOD_ENTRY], country="ZZ")
    problems = check_knowledge_file(unknown).problems
    assert any(p.field == "country" and "ZZ" in str(p) for p in problems)
    with pytest.raises(KnowledgeFileError, match="no such file"):
        check_knowledge([tmp_path / "missing.yaml"])


def test_ids_are_unique_across_files_and_related_ids_must_exist(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [GOOD_ENTRY])
    _write(tmp_path, "b.yaml", [{**GOOD_ENTRY, "related": ["nowhere"]}])
    problems = [str(p) for r in check_knowledge([tmp_path]) for p in r.problems]
    assert any("b.yaml" in m and "id also used in" in m for m in problems)
    assert any("names unknown entry 'nowhere'" in m for m in problems)


def test_a_deployment_folder_adds_and_corrects_entries(tmp_path: Path) -> None:
    corrected = {**GOOD_ENTRY, "id": "de-drks", "title": "Corrected DRKS entry",
                 "topic": "trial_registration", "related": ["de-ethics-committees"]}  # fmt: skip
    _write(tmp_path, "local.yaml", [corrected, {**GOOD_ENTRY, "id": "de-local-extra"}])
    knowledge = load_knowledge([tmp_path])
    drks = knowledge.get("de-drks")
    assert drks is not None and drks.title == "Corrected DRKS entry"
    assert knowledge.get("de-local-extra") is not None
    assert len(knowledge.entries) == len(load_knowledge().entries) + 1


def test_a_deployment_folder_may_not_repeat_an_id_or_name_unknown_entries(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [GOOD_ENTRY])
    _write(tmp_path, "b.yaml", [GOOD_ENTRY])
    with pytest.raises(KnowledgeFileError, match="id also used in"):
        load_knowledge([tmp_path])
    (tmp_path / "b.yaml").unlink()
    _write(tmp_path, "a.yaml", [{**GOOD_ENTRY, "related": ["nowhere"]}])
    with pytest.raises(KnowledgeFileError, match="names unknown entry 'nowhere'"):
        load_knowledge([tmp_path])


def test_a_broken_deployment_folder_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "local.yaml", [{**GOOD_ENTRY, "source": "not a url"}])
    expected = r"local\.yaml: entry 'xx-test-entry', field 'source'"
    with pytest.raises(KnowledgeFileError, match=expected):
        load_knowledge([tmp_path])


SUPPORT = """\
source: https://european-union.europa.eu/principles-countries-history/eu-countries_en
date_checked: "2026-11-23"
eu_members: [AT, DE, FR]
names:
  CN: China (mainland)
names_zh:
  CN: 中国（大陆）
demonyms:
  German: DE
  chinese: CN
abbreviations:
  PRC: CN
"""


def test_the_support_file_gives_members_names_and_words(tmp_path: Path) -> None:
    path = tmp_path / "_jurisdictions.yaml"
    path.write_text(SUPPORT, encoding="utf-8")
    support = read_support_file(path)
    assert support["eu_members"] == ["AT", "DE", "FR"]
    assert support["demonyms"] == {"german": "DE", "chinese": "CN"}
    assert support["abbreviations"] == {"PRC": "CN"}
    assert support["names"] == {"CN": "China (mainland)"} and support["names_zh"]["CN"]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("[AT, DE, FR]", "[AT, DE, XX]", "eu_members[2]", "unknown country 'XX'"),
        ("eu_members: [AT, DE, FR]", "eu_members: AT", "eu_members", "must be a list"),
        ("eu_members: [AT, DE, FR]\n", "", "eu_members", "is missing"),
        ("German: DE", "German: Germany", "demonyms.German", "unknown country 'Germany'"),
        ("PRC: CN", "PRC: [CN]", "abbreviations.PRC", "must be text"),
        ("names:\n  CN: China (mainland)", "names: [CN]", "names", "must be a mapping"),
    ],
)
def test_a_broken_support_file_is_named_with_file_and_field(
    tmp_path: Path, old: str, new: str, field: str, words: str
) -> None:
    assert old in SUPPORT
    path = tmp_path / "_jurisdictions.yaml"
    path.write_text(SUPPORT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeFileError) as info:
        read_support_file(path)
    assert str(info.value) == f"{path}, field {field!r}: {info.value.reason}"
    assert words in info.value.reason and info.value.field == field
