"""The same topic across countries, and listing entries."""

from __future__ import annotations

import pytest

from permed_atlas.helpdesk import (
    HelpdeskInputError,
    compare_topic,
    comparison_to_dict,
    list_entries,
    load_knowledge,
)


def test_trial_authorisation_germany_vs_china_side_by_side() -> None:
    comparison = compare_topic(load_knowledge(), topic="trial_authorisation",
                               countries=["de", "CN"])  # fmt: skip
    assert comparison.topic_label == "Clinical-trial authorisation"
    de, cn = comparison.columns
    assert (de.country, cn.country) == ("DE", "CN")
    assert [e.id for e in de.entries] == ["de-bfarm-pei-authorisation"]
    assert "eu-ctr-authorisation" in [e.id for e in de.eu_entries]
    assert [e.id for e in cn.entries] == ["cn-nmpa-ind"] and cn.eu_entries == ()
    data = comparison_to_dict(comparison)
    column = data["columns"][1]["entries"][0]
    assert {"authority", "timeline", "documents", "fees", "references", "source"} <= set(column)


def test_a_country_without_entries_gets_an_empty_column() -> None:
    comparison = compare_topic(load_knowledge(), topic="ethics_review", countries=["PL", "CN"])
    pl = comparison.columns[0]
    assert pl.name == "Poland" and pl.entries == () and pl.eu_entries


@pytest.mark.parametrize(
    ("topic", "countries", "field", "words"),
    [
        ("visa", ["DE", "CN"], "topic", "unknown topic 'visa'"),
        ("", ["DE", "CN"], "topic", "is required"),
        ("ethics_review", ["DE", "XX"], "country", "unknown country code 'XX'"),
        ("ethics_review", ["DE"], "country", "at least two countries"),
        ("ethics_review", ["DE", "de"], "country", "at least two countries"),
    ],
)
def test_bad_comparisons_name_the_field(
    topic: str, countries: list[str], field: str, words: str
) -> None:
    with pytest.raises(HelpdeskInputError) as info:
        compare_topic(load_knowledge(), topic=topic, countries=countries)
    assert info.value.field == field and words in str(info.value)


def test_list_by_country_includes_eu_level_and_filters_topic() -> None:
    knowledge = load_knowledge()
    fr = list_entries(knowledge, country="FR", topic="ethics review")
    assert {e.id for e in fr} == {"fr-cpp-ethics", "eu-ctr-ethics-part-ii"}
    assert fr[0].country == "FR"  # national entries first
    assert len(list_entries(knowledge)) == len(knowledge.entries)
    with pytest.raises(HelpdeskInputError, match="country"):
        list_entries(knowledge, country="Germany")
