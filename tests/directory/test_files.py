"""The data files: the shipped ones are valid; broken ones fail naming file, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from permed_atlas.directory import BUNDLED_DIRECTORY_DIR, DirectoryFileError, load_directory_files
from permed_atlas.directory.files import transfer_rule_ids

REQUIRED_IDS = {
    # funders
    "european-commission",
    "dg-rtd",
    "hadea",
    "most",
    "nsfc",
    "cas",
    "dfg",
    "bmbf",
    "anr",
    "isciii",
    "zonmw",
    "ukri",
    "mrc",
    "nih",
    # programmes
    "horizon-europe",
    "horizon-europe-cluster-1",
    "ep-permed",
    "era-permed",
    "sino-eu-permed",
    "ic2permed",
    "eu-africa-permed",
    "eulac-permed",
    "china-13th-five-year-plan",
    "china-14th-five-year-plan",
    "precision-medicine-key-project",
    "healthy-china-2030",
    "us-precision-medicine-initiative",
    "all-of-us",
    # laws
    "gdpr",
    "pipl",
    "dsl",
    "cybersecurity-law",
    "scientific-data-measures",
    "hgr-regulations",
    "hgr-implementing-rules",
    "eu-ctr",
    "ehds-regulation",
    # standards and initiatives
    "ga4gh",
    "beacon-v2",
    "duo",
    "phenopackets",
    "one-plus-mg",
    "gdi",
    "ehds",
    "bbmri-eric",
    "elixir",
    "miabis",
    "icpermed",
    # biobanks
    "uk-biobank",
    "estonian-biobank",
    "finngen",
    "china-kadoorie-biobank",
    "china-national-genebank",
    "shanghai-zhangjiang-biobank",
}


def test_shipped_files_are_valid_and_complete(catalog: dict[str, frozenset[str]]) -> None:
    files = load_directory_files(known_regions=set(catalog))
    ids = {e.id for e in files.entries}
    assert ids >= REQUIRED_IDS, sorted(REQUIRED_IDS - ids)
    assert {e.kind for e in files.entries} == {
        "funder",
        "programme",
        "call",
        "law",
        "standard",
        "initiative",
        "biobank",
    }
    for entry in files.entries:
        assert entry.source and entry.date_checked
        assert 1 <= entry.summary.count(". ") + 1 <= 5, entry.id  # a few sentences
        if entry.kind == "biobank":
            assert entry.details["bbmri_eric"] in {"member", "observer", "not a member", "unknown"}
    by_id = {e.id: e for e in files.entries}
    # laws point at the data-transfer rule file the assessor applies
    assert by_id["gdpr"].details["transfer_rules"] == "gdpr"
    assert by_id["hgr-implementing-rules"].details["transfer_rules"] == "hgr"
    assert set(transfer_rule_ids()) >= {"gdpr", "pipl", "dsl", "hgr", "scientific_data"}
    assert not by_id["shanghai-zhangjiang-biobank"].confirmed
    assert by_id["pipl"].details["in_force"] == "2021-11-01"


def test_africa_and_lac_are_landscape_region_sets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # EU-Africa PerMed and EULAC PerMed need these; the landscape counts them the same way.
    from permed_atlas.landscape import load_region_sets
    from permed_atlas.settings import Settings

    sets = load_region_sets(Settings(data_dir=tmp_path))
    assert len(sets["AFRICA"].countries) == 54 and "ZA" in sets["AFRICA"].countries
    assert len(sets["LAC"].countries) == 33 and "BR" in sets["LAC"].countries


def _entry(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "test-funder",
        "kind": "funder",
        "name": "Test Funder",
        "summary": "A funder used by the tests. It funds tests.",
        "regions": ["DE"],
        "source": "https://example.org",
        "date_checked": "2026-11-23",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def _folder(tmp_path: Path, *entries: dict[str, object]) -> Path:
    folder = tmp_path / "dir"
    folder.mkdir(exist_ok=True)
    (folder / "broken.yaml").write_text(
        yaml.safe_dump({"entries": list(entries)}), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "agency"}, "field 'kind': unknown kind 'agency'"),
        ({"source": None}, "field 'source' is missing"),
        ({"date_checked": "2026-13-01"}, "field 'date_checked': '2026-13-01' is not a date"),
        ({"related": ["no-such-entry"]}, "field 'related': no entry with id 'no-such-entry'"),
        ({"regions": ["XX"]}, "unknown region 'XX'"),
        ({"budget": 10}, "unknown field 'budget' for a funder"),
        ({"id": "Bad Id"}, "must be a slug"),
        ({"url": "www.example.org"}, "field 'url' must start with https://"),
        ({"related": ["test-funder"]}, "cannot be related to itself"),
    ],
)
def test_broken_entry_names_file_entry_and_field(
    tmp_path: Path, catalog: dict[str, frozenset[str]], fields: dict[str, object], message: str
) -> None:
    folder = _folder(tmp_path, _entry(**fields))
    with pytest.raises(DirectoryFileError) as caught:
        load_directory_files(folder, known_regions=set(catalog))
    text = str(caught.value)
    assert text.startswith("broken.yaml: entry"), text
    assert message in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bbmri_eric": "yes"}, "field 'bbmri_eric': 'yes' is not one of"),
        ({"bbmri_eric": None}, "field 'bbmri_eric' is missing (required for a biobank)"),
        ({"country": "ZZ"}, "field 'country': 'ZZ' is not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_biobank_fields(
    tmp_path: Path, catalog: dict[str, frozenset[str]], fields: dict[str, object], message: str
) -> None:
    entry = _entry(id="test-biobank", kind="biobank", country="DE", bbmri_eric="member")
    entry.update(fields)
    folder = _folder(tmp_path, {k: v for k, v in entry.items() if v is not None})
    with pytest.raises(DirectoryFileError, match="test-biobank") as caught:
        load_directory_files(folder, known_regions=set(catalog))
    assert message in str(caught.value)


def test_law_transfer_rules_and_funder_kind_are_checked(
    tmp_path: Path, catalog: dict[str, frozenset[str]]
) -> None:
    law = _entry(id="test-law", kind="law", jurisdiction="CN", transfer_rules="nope")
    with pytest.raises(DirectoryFileError, match="no rule file 'nope' in data/transfer"):
        load_directory_files(_folder(tmp_path, law), known_regions=set(catalog))
    programme = _entry(id="test-programme", kind="programme", status="active", funders=["test-law"])
    law["transfer_rules"] = "pipl"
    with pytest.raises(DirectoryFileError, match="'test-law' is a law, not a funder"):
        load_directory_files(_folder(tmp_path, law, programme), known_regions=set(catalog))


def test_duplicate_ids_across_files(tmp_path: Path, catalog: dict[str, frozenset[str]]) -> None:
    folder = _folder(tmp_path, _entry())
    shutil.copy(folder / "broken.yaml", folder / "again.yaml")
    with pytest.raises(DirectoryFileError, match="'test-funder' is also defined in again.yaml"):
        load_directory_files(folder, known_regions=set(catalog))


def test_not_yaml_and_no_entries(tmp_path: Path, catalog: dict[str, frozenset[str]]) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "bad.yaml").write_text("entries: [\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match="bad.yaml: not valid YAML"):
        load_directory_files(folder, known_regions=set(catalog))
    (folder / "bad.yaml").write_text("funders: []\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match="needs a list under 'entries:'"):
        load_directory_files(folder, known_regions=set(catalog))


def test_bundled_folder_is_in_the_package() -> None:
    assert (BUNDLED_DIRECTORY_DIR / "laws.yaml").is_file()
