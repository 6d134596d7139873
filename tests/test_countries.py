"""The shared countries kit: names, codes, aliases and EU/EEA in; ISO alpha-2 or an error out."""

from __future__ import annotations

import pytest

from permed_atlas.countries import (
    EU_EEA,
    CountryError,
    country_choices,
    describe_country,
    eea_members,
    eu_members,
    resolve_country,
)


@pytest.mark.parametrize(
    ("given", "code"),
    [("Germany", "DE"), ("  germany ", "DE"), ("DE", "DE"), ("de", "DE"), ("DEU", "DE"),
     ("China", "CN"), ("People's Republic of China", "CN"), ("中国", "CN"), ("UK", "GB"),
     ("Republic of Korea", "KR"), ("South Korea", "KR"), ("Côte d'Ivoire", "CI"),
     ("Cote d'Ivoire", "CI"), ("Hong Kong", "HK"), ("EL", "GR"), ("Türkiye", "TR")],
)  # fmt: skip
def test_resolves_names_codes_and_aliases(given: str, code: str) -> None:
    assert resolve_country(given, field="to") == code


@pytest.mark.parametrize(
    ("given", "message"),
    [("Ge", "looks like a shortened name"), ("Ch", "(CH is Switzerland)"),
     ("Korea", "fits more than one country: North Korea (KP), South Korea (KR)"),
     ("Congo", "fits more than one country"), ("XX", "unknown country code 'XX'"),
     ("Germny", "did you mean Germany (DE)?"), ("", "is not a country name"),
     ("EU/EEA", "not one country")],
)  # fmt: skip
def test_unknown_ambiguous_or_truncated_input_names_the_field(given: str, message: str) -> None:
    with pytest.raises(CountryError) as info:
        resolve_country(given, field="importer_country")
    assert info.value.field == "importer_country"
    assert str(info.value).startswith("importer_country: ") and message in str(info.value)


def test_false_from_yaml_is_not_norway() -> None:
    with pytest.raises(CountryError, match="quote Norway"):
        resolve_country(False, field="from")


def test_eu_eea_as_a_party_and_membership_from_the_data_files() -> None:
    assert resolve_country("EU/EEA", field="from", allow_eu_eea=True) == EU_EEA
    assert resolve_country("European Union", field="from", allow_eu_eea=True) == EU_EEA
    assert len(eu_members()) == 27 and "GB" not in eu_members()
    assert eea_members() == eu_members() | {"IS", "LI", "NO"}
    assert "CH" not in eea_members()
    assert describe_country("CN") == "China (CN)"
    assert describe_country(EU_EEA).startswith("EU/EEA")


def test_choices_for_autocomplete_list_eu_eea_first_and_every_country() -> None:
    choices = country_choices()
    assert choices[0][0] == "EU/EEA"
    assert ("China", "China (CN)") in choices and ("Georgia", "Georgia (GE)") in choices
    assert len(choices) > 240
