"""Name and affiliation normalisation used by the disambiguation."""

from __future__ import annotations

from permed_atlas.partners.names import (
    block_key,
    institution_key,
    institutions_from_affiliation,
    name_token,
    split_name,
)


def test_surname_and_initial_from_both_name_orders() -> None:
    assert block_key("Claudia I Henschke") == block_key("Henschke, Claudia I.") == "henschke|c"
    assert split_name("Jan van der Berg") == ("van der berg", ["jan"])
    assert block_key("José Martínez") == "martinez|j"
    assert name_token("David F Yankelevitz") == "yankelevitz|david"
    assert block_key("") is None and name_token(None) is None


def test_institutions_from_real_pubmed_affiliations() -> None:
    raw = (
        "Department of Radiology, Icahn School of Medicine, Mount Sinai Hospital, New York, "
        "NY, United States of America; Phoenix Veterans Health Care System, Phoenix, AZ"
    )
    assert institutions_from_affiliation(raw) == [
        "Icahn School of Medicine",
        "Mount Sinai Hospital",
    ]
    assert institutions_from_affiliation(
        "1. Key Laboratory of Medicinal Resources, Shaanxi Normal University, Xi'an, China."
    ) == ["Key Laboratory of Medicinal Resources", "Shaanxi Normal University"]
    # A generic segment names nobody in particular and would join strangers.
    assert institutions_from_affiliation("Faculty of Medicine, School of Medicine") == []
    assert institution_key("University of Milan") == "university milan"
    assert institution_key("School of Medicine") is None
