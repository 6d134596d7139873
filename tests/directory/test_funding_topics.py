"""Funding match on concrete project texts: narrow topic words, countries eligible, closed calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from permed_atlas.directory import (
    DirectoryEntry,
    DirectoryFileError,
    is_closed,
    load_directory_files,
    load_funding_topics,
    rank_funding,
)


@pytest.fixture(scope="module")
def entries(catalog: dict[str, frozenset[str]]) -> tuple[DirectoryEntry, ...]:
    return load_directory_files(known_regions=set(catalog)).entries


# Project texts as applicants write them: a gene, a drug, a method, rarely the programme's words.
@pytest.mark.parametrize(
    ("description", "regions", "expected"),
    [
        ("DPYD pharmacogenomics project", ["DE", "CN"], {"sino-eu-permed", "ic2permed"}),
        (
            "Genotyping DPYD variants before fluoropyrimidine chemotherapy to prevent toxicity",
            ["DE", "CN"],
            {"sino-german-center", "sino-eu-permed"},
        ),
        ("CYP2C19 testing before clopidogrel", ["US"], {"all-of-us"}),
        (
            "Machine learning on electronic health records for stratified therapy",
            ["NL"],
            {"eu4health", "horizon-europe-cluster-1"},
        ),
        (
            "Tumour sequencing to guide oncology treatment",
            ["CN"],
            {"precision-medicine-key-project"},
        ),
        ("Biobank samples of cancer cohorts", ["ZA", "DE"], {"eu-africa-permed"}),
        ("Orphan disorders registry", ["FR"], {"horizon-europe-cluster-1"}),
    ],
)
def test_concrete_project_texts_find_fitting_programmes(
    entries: tuple[DirectoryEntry, ...],
    catalog: dict[str, frozenset[str]],
    description: str,
    regions: list[str],
    expected: set[str],
) -> None:
    matches = rank_funding(
        entries,
        description,
        regions=regions,
        region_countries=catalog,
        topic_rules=load_funding_topics(),
        limit=10,
    )
    found = {m.entry.id for m in matches}
    assert expected <= found, [(m.entry.id, m.matched_terms) for m in matches]
    for match in matches:  # every match is eligible for every partner country
        assert set(match.eligible_regions) == set(regions)
        assert match.entry.kind in {"programme", "call"}


def test_without_topic_rules_the_narrow_text_finds_nothing(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    # The reported failure: the programme texts never say DPYD or pharmacogenomics.
    bare = rank_funding(
        entries, "DPYD pharmacogenomics project", regions=["DE", "CN"], region_countries=catalog
    )
    assert bare == []


def test_countries_decide_eligibility_not_topic(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    rules = load_funding_topics()
    text = "DPYD pharmacogenomics for personalised medicine"
    china = {
        m.entry.id
        for m in rank_funding(
            entries,
            text,
            regions=["DE", "CN"],
            region_countries=catalog,
            topic_rules=rules,
            limit=50,
        )
    }
    europe = {
        m.entry.id
        for m in rank_funding(
            entries,
            text,
            regions=["DE", "FR"],
            region_countries=catalog,
            topic_rules=rules,
            limit=50,
        )
    }
    assert "horizon-europe-cluster-1" in europe and "horizon-europe-cluster-1" not in china
    assert "all-of-us" not in china | europe


def _call(entry_id: str, **details: str) -> DirectoryEntry:
    return DirectoryEntry(
        id=entry_id,
        kind="call",
        name=f"Pharmacogenomics call {entry_id}",
        summary="Funds pharmacogenomics research in personalised medicine.",
        regions=("EU27",),
        url=None,
        source="test",
        date_checked="2026-11-23",
        keywords=("pharmacogenomics",),
        details={"status": "active", **details},
    )


def test_closed_calls_marked_and_ranked_after_open_ones(catalog: dict[str, frozenset[str]]) -> None:
    today = date(2026, 12, 6)
    strong_past = replace(
        _call("past-deadline", deadline="2026-12-05"),
        summary="Funds pharmacogenomics pharmacogenomics research in personalised medicine.",
    )
    calls = [
        strong_past,
        _call("future-deadline", deadline="2026-12-06"),
        _call("ended-years", years="2021-2025"),
        _call("status-closed", status="closed"),
        _call("open-years", years="2024-2026"),
    ]
    matches = rank_funding(
        calls, "pharmacogenomics", regions=["DE"], region_countries=catalog, today=today
    )
    closed = {m.entry.id: m.closed for m in matches}
    assert closed == {
        "past-deadline": True,
        "future-deadline": False,
        "ended-years": True,
        "status-closed": True,
        "open-years": False,
    }
    flags = [m.closed for m in matches]
    assert flags == sorted(flags)  # every open match before every closed one
    ids = [m.entry.id for m in matches]
    scores = {m.entry.id: m.score for m in matches}
    # The best-scoring call is closed, so it follows the weaker open ones.
    assert scores["past-deadline"] > scores["future-deadline"]
    assert ids.index("past-deadline") > ids.index("future-deadline")
    # Relative to the day asked: a year later the open-ended 2026 call is closed too.
    later = rank_funding(
        calls, "pharmacogenomics", regions=["DE"], region_countries=catalog, today=date(2027, 1, 2)
    )
    assert [m.entry.id for m in later if not m.closed] == []
    assert is_closed(calls[1], date(2026, 12, 7)) and not is_closed(calls[1], today)


def test_bad_topic_rules_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "rules:\n  - id: x\n    pattern: '(unclosed'\n    terms: [a]\n", encoding="utf-8"
    )
    with pytest.raises(DirectoryFileError, match="rule 1: pattern is not a regular expression"):
        load_funding_topics(bad)
    bad.write_text("rules:\n  - id: x\n    pattern: 'a'\n    terms: a\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match="terms must be a list"):
        load_funding_topics(bad)
    for text in ("rules: 3\n", "- a\n- b\n", "other: 1\n"):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(DirectoryFileError, match="needs a list of rules under 'rules:'"):
            load_funding_topics(bad)
