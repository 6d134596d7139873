"""Funding match: scope by BM25, eligibility by region coverage, matched terms shown."""

from __future__ import annotations

import pytest

from permed_atlas.directory import (
    DirectoryEntry,
    InvalidEntryError,
    load_directory_files,
    rank_funding,
)


@pytest.fixture(scope="module")
def entries(catalog: dict[str, frozenset[str]]) -> tuple[DirectoryEntry, ...]:
    return load_directory_files(known_regions=set(catalog)).entries


@pytest.mark.parametrize(
    ("description", "regions", "expected"),
    [
        (
            "Sino-European cooperation between Chinese and German hospitals on personalised "
            "medicine for cancer patients",
            ["DE", "CN"],
            "sino-eu-permed",
        ),
        (
            "Joint research of German and Chinese groups, with workshops and researcher mobility",
            ["DE", "CN"],
            "sino-german-center",
        ),
        (
            "Personalised medicine and genomics capacity building with African partners",
            ["DE", "ZA"],
            "eu-africa-permed",
        ),
        (
            "Personalised medicine cooperation with Latin America and the Caribbean",
            ["ES", "BR"],
            "eulac-permed",
        ),
        (
            "A national precision medicine cohort with omics and big data for cancer diagnosis",
            ["CN"],
            "precision-medicine-key-project",
        ),
        (
            "A transnational consortium on implementing personalised medicine in health systems",
            ["DE", "FR", "ES"],
            "ep-permed",
        ),
        (
            "Genomic data and electronic health records of one million participants in a cohort",
            ["US"],
            "all-of-us",
        ),
        (
            "Collaborative research on rare diseases and clinical trials with health data",
            ["EU27"],
            "horizon-europe-cluster-1",
        ),
    ],
)
def test_expected_programme_in_top_three(
    entries: tuple[DirectoryEntry, ...],
    catalog: dict[str, frozenset[str]],
    description: str,
    regions: list[str],
    expected: str,
) -> None:
    matches = rank_funding(entries, description, regions=regions, region_countries=catalog)
    top = [m.entry.id for m in matches[:3]]
    assert expected in top, (top, [m.matched_terms for m in matches[:3]])
    best = next(m for m in matches if m.entry.id == expected)
    assert best.matched_terms and best.score > 0
    assert set(best.eligible_regions) == {r.upper() for r in regions}


def test_region_eligibility(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    text = "personalised medicine cooperation between Europe and China"
    both = {
        m.entry.id
        for m in rank_funding(
            entries, text, regions=["DE", "CN"], region_countries=catalog, limit=50
        )
    }
    assert {"sino-eu-permed", "ic2permed"} <= both
    assert "era-permed" not in both  # EU27 + ICPerMed countries do not include CN
    assert all(
        m.entry.kind in {"programme", "call"}
        for m in rank_funding(entries, text, region_countries=catalog, limit=50)
    )
    us = {
        m.entry.id
        for m in rank_funding(
            entries, text, regions=["DE", "US"], region_countries=catalog, limit=50
        )
    }
    assert "sino-eu-permed" not in us
    partial = rank_funding(
        entries, text, regions=["DE", "US"], region_countries=catalog, coverage="any", limit=50
    )
    sino = next(m for m in partial if m.entry.id == "sino-eu-permed")
    assert sino.eligible_regions == ("DE",)


def test_bad_input_is_refused(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(InvalidEntryError, match="describe the project"):
        rank_funding(entries, "the and of", region_countries=catalog)
    with pytest.raises(InvalidEntryError, match="unknown region 'ATLANTIS'"):
        rank_funding(entries, "cancer", regions=["ATLANTIS"], region_countries=catalog)
    with pytest.raises(InvalidEntryError, match="limit"):
        rank_funding(entries, "cancer", region_countries=catalog, limit=0)
