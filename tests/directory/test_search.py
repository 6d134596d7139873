"""BM25 search over real entries from the shipped files, no database.

Words and stems are tested in tests/test_textsearch.py.
"""

from __future__ import annotations

import pytest

from permed_atlas.directory import (
    DirectoryEntry,
    InvalidEntryError,
    load_directory_files,
    search_entries,
)


@pytest.fixture(scope="module")
def entries(catalog: dict[str, frozenset[str]]) -> tuple[DirectoryEntry, ...]:
    return load_directory_files(known_regions=set(catalog)).entries


def _ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.entry.id for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("GDPR", "gdpr"),
        ("beacon", "beacon-v2"),
        ("human genetic resources", "hgr-regulations"),
        ("Personal Information Protection Law", "pipl"),
        ("clinical trials regulation", "eu-ctr"),
        ("data use ontology consent codes", "duo"),
        ("Kadoorie", "china-kadoorie-biobank"),
        ("ICPerMed", "icpermed"),
    ],
)
def test_search_ranks_the_obvious_entry_first(
    entries: tuple[DirectoryEntry, ...],
    catalog: dict[str, frozenset[str]],
    query: str,
    expected: str,
) -> None:
    hits = search_entries(entries, query, region_countries=catalog)
    assert _ids(hits)[0] == expected
    assert hits[0].matched_terms
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_filters_by_kind_and_region(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    laws_cn = search_entries(
        entries, "data", kinds=["law"], regions=["CN"], region_countries=catalog
    )
    assert laws_cn and all(h.entry.kind == "law" for h in laws_cn)
    assert "gdpr" not in _ids(laws_cn) and "pipl" in _ids(laws_cn)
    # a country inside a region set finds the set's entries; GLOBAL ones always pass
    de = _ids(search_entries(entries, "", regions=["DE"], region_countries=catalog))
    assert {"gdpr", "dfg", "ga4gh", "sino-german-center"} <= set(de)
    assert "pipl" not in de and "nih" not in de
    everything = search_entries(entries, "", region_countries=catalog)
    assert len(everything) == len(entries)
    assert everything[0].entry.kind == "funder"  # listed by kind order, then name


def test_bad_filters_are_refused(
    entries: tuple[DirectoryEntry, ...], catalog: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(InvalidEntryError, match="unknown kind 'agency'"):
        search_entries(entries, "x", kinds=["agency"], region_countries=catalog)
    with pytest.raises(InvalidEntryError, match="unknown region 'MARS'"):
        search_entries(entries, "x", regions=["MARS"], region_countries=catalog)
    with pytest.raises(InvalidEntryError, match="only stop words"):
        search_entries(entries, "the of and", region_countries=catalog)
