"""Bad or contradictory scenario input: a clear error naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.transfer import ScenarioError, assess_transfer, parse_scenario, read_scenario_file

BASE = {"from": "DE", "to": "CN", "data": ["health", "pseudonymised"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"data": ["genetic", "anonymised", "identified"]}, "data_categories", "contradict"),
        ({"data": ["pseudonymised", "anonymised"]}, "data_categories", "contradict"),
        ({"data": ["non_personal", "identified"]}, "data_categories", "contradicts"),
        ({"data": ["dna"]}, "data_categories", "unknown category 'dna'"),
        ({"from": "XX"}, "exporter_country", "unknown country code 'XX'"),
        ({"to": "Ch"}, "importer_country", "looks like a shortened name"),
        ({"from": "Ge"}, "exporter_country", "(GE is Georgia)"),
        ({"to": "Korea"}, "importer_country", "fits more than one country"),
        ({"to": "Chinaa"}, "importer_country", "did you mean China (CN)?"),
        ({"subjects_country": "Atlantis"}, "subjects_country", "unknown country 'Atlantis'"),
        ({"importer_role": "boss"}, "importer_role", "is not one of processor"),
        ({"data": ["health"], "small_cells": True}, "small_cells", "aggregate"),
        ({"sensitive_subjects": -1}, "sensitive_subjects", "cannot be negative"),
        ({"to": False}, "importer_country", "quote Norway"),
        ({"subjects": -5}, "data_subjects", "cannot be negative"),
        ({"subjects": "lots"}, "data_subjects", "not a whole number"),
        ({"subjects": 2.5}, "data_subjects", "not a whole number"),
        ({"consent": "implied"}, "consent", "'implied' is not one of explicit"),
        ({"purpose": "marketing"}, "purpose", "is not one of research"),
        ({"foreign_party": "perhaps"}, "foreign_party", "not yes/no"),
        ({"consent": "none", "separate_consent": True}, "separate_consent", "cannot be given"),
        ({"exporter_foreign_controlled": True, "foreign_party": False}, "foreign_party", "foreign"),
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"data": []}, "data_categories", "is required"),
        ({"measures": ["magic_wand"]}, "measures", "unknown measure 'magic_wand'"),
        ({"exporter_country": "FR"}, "exporter_country", "given twice with different values"),
        # The cumulative counts include this transfer: a lower one would be the count the CAC
        # thresholds read (12,000 sensitive records under the 10,000 assessment threshold).
        ({"subjects": 12000, "sensitive_subjects": 5000}, "sensitive_subjects",
         "sensitive_subjects (5000) is below the 12000 individuals of this transfer"),
        ({"data": ["identified"], "subjects": 200000, "non_sensitive_subjects": 5000},
         "non_sensitive_subjects", "counts since 1 January with this transfer included"),
        ({"data": ["identified"], "minors_under_14": True, "subjects": 200,
          "sensitive_subjects": 100, "non_sensitive_subjects": 50}, "sensitive_subjects",
         "sensitive_subjects + non_sensitive_subjects (150) is below the 200"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(changes: dict, field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        assess_transfer({**BASE, **changes})
    assert info.value.field == field
    assert message in str(info.value)
    assert str(info.value).startswith(f"{field}:")


def test_counts_that_add_up_are_taken() -> None:
    split = {"data": ["identified"], "minors_under_14": True, "subjects": 200,
             "sensitive_subjects": 150, "non_sensitive_subjects": 50}  # fmt: skip
    facts = assess_transfer({**BASE, "from": "CN", "to": "DE", **split}).facts
    assert (facts["sensitive_count"], facts["non_sensitive_count"]) == (150, 50)


def test_consent_none_with_a_research_purpose_is_fine() -> None:
    scenario = parse_scenario({**BASE, "consent": "none", "purpose": "research"})
    assert scenario.consent == "none"


def test_yes_no_strings_and_aliases() -> None:
    scenario = parse_scenario({**BASE, "foreign_party": "yes", "government_funded": "no",
                               "subjects": "12", "consent": "Broad-Research"})  # fmt: skip
    assert scenario.foreign_party is True and scenario.government_funded is False
    assert scenario.data_subjects == 12 and scenario.consent == "broad_research"


def test_scenario_files(tmp_path: Path) -> None:
    good = tmp_path / "s.yaml"
    good.write_text("from: CN\nto: DE\ndata: [genetic]\nsubjects: 10\n", encoding="utf-8")
    assert read_scenario_file(good).exporter_country == "CN"
    as_json = tmp_path / "s.json"
    as_json.write_text('{"from": "CN", "to": "DE", "data": ["genetic"]}', encoding="utf-8")
    assert read_scenario_file(as_json).importer_country == "DE"
    bad = tmp_path / "bad.yaml"
    bad.write_text("from: CN\nto: DE\ndata: [genetic]\nsubjects: -1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.yaml: data_subjects: cannot be negative"):
        read_scenario_file(bad)


@pytest.mark.parametrize(
    ("given", "code"),
    [("Germany", "DE"), ("germany", "DE"), ("DE", "DE"), ("de", "DE"), ("DEU", "DE"),
     ("Deutschland", "DE"), ("China", "CN"), ("PRC", "CN"), ("中国", "CN"),
     ("United Kingdom", "GB"), ("UK", "GB"), ("EU/EEA", "EU"), ("EEA", "EU"), ("NO", "NO")],
)  # fmt: skip
def test_countries_by_name_code_alias_or_eu_eea(given: str, code: str) -> None:
    assert parse_scenario({**BASE, "to": given}).importer_country == code


def test_old_importer_roles_are_read_as_the_new_ones() -> None:
    assert parse_scenario({**BASE, "importer_role": "stores_only"}).importer_role == "processor"
    assert parse_scenario({**BASE, "importer_role": "processes"}).importer_role == (
        "joint_controller"
    )
