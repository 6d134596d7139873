"""Answers grouped per country, EU entries in member states, funding only when asked."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from permed_atlas.helpdesk import (
    FundingItem,
    HelpdeskInputError,
    answer_question,
    answer_to_dict,
    load_knowledge,
)

EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def test_the_example_is_answered_per_country_with_references() -> None:
    answer = answer_question(EXAMPLE, knowledge=load_knowledge())
    assert answer.countries == ("DE", "CN")
    groups = {g.country: [h.entry.id for h in g.hits] for g in answer.by_country}
    assert "de-bfarm-pei-authorisation" in groups["DE"]
    assert "eu-ctr-authorisation" in groups["DE"]  # EU-level entries apply in Germany
    assert {"cn-hgr-materials-export", "cn-hgr-cooperation-approval", "cn-nmpa-ind"} <= set(
        groups["CN"]
    )
    assert not any(e.startswith("cn-") for e in groups["DE"])
    assert not any(e.startswith(("de-", "eu-")) for e in groups["CN"])
    # The country's own entries come before the EU-level ones on the same topic.
    assert groups["DE"].index("de-bfarm-pei-authorisation") < groups["DE"].index(
        "eu-ctr-authorisation"
    )
    for group in answer.by_country:
        for hit in group.hits:
            assert hit.entry.references and hit.entry.source and hit.entry.date_checked


def test_funding_is_looked_up_only_for_funding_questions() -> None:
    calls: list[tuple[str, Sequence[str]]] = []

    def lookup(question: str, codes: Sequence[str]) -> tuple[list[FundingItem], str]:
        calls.append((question, codes))
        item = FundingItem(id="ep-permed", kind="programme", name="EP PerMed", summary="s",
                           url=None, source="https://example.org", date_checked="2026-11-23",
                           regions=("EU27",), score=1.0, matched_terms=("medicin",))  # fmt: skip
        return [item], ""

    knowledge = load_knowledge()
    funded = answer_question("Which grants fund German-Chinese trials?", knowledge=knowledge,
                             funding_lookup=lookup)  # fmt: skip
    assert funded.about_funding and calls == [("Which grants fund German-Chinese trials?",
                                               ("DE", "CN"))]  # fmt: skip
    assert [f.id for f in funded.funding] == ["ep-permed"]
    assert any(h.entry.topic == "funding" for g in funded.by_country for h in g.hits)
    plain = answer_question("ethics review in Spain", knowledge=knowledge, funding_lookup=lookup)
    assert not plain.about_funding and len(calls) == 1


def test_without_countries_everything_is_ranked_and_a_note_says_so() -> None:
    answer = answer_question("how do I register a trial in a WHO primary registry",
                             knowledge=load_knowledge())  # fmt: skip
    assert answer.countries == ()
    assert answer.notes and "No country was named" in answer.notes[0]
    assert "int-who-ictrp" in [h.entry.id for h in answer.international]


def test_eu_question_gets_the_eu_group() -> None:
    answer = answer_question("ethics review in the EU", knowledge=load_knowledge())
    assert [g.country for g in answer.by_country] == ["EU"]
    assert answer.by_country[0].hits[0].entry.id == "eu-ctr-ethics-part-ii"


@pytest.mark.parametrize("question", ["", "   ", "the of and", "x" * 2001])
def test_bad_questions_are_refused_naming_the_field(question: str) -> None:
    with pytest.raises(HelpdeskInputError) as info:
        answer_question(question, knowledge=load_knowledge())
    assert info.value.field == "question"


def test_answer_as_plain_data_carries_references_and_the_transfer_label() -> None:
    data = answer_to_dict(answer_question(EXAMPLE, knowledge=load_knowledge()))
    assert data["countries"] == ["DE", "CN"]
    first = data["by_country"][0]["entries"][0]["entry"]
    assert first["references"][0]["law"] and first["source"].startswith("http")
    assert data["transfer"]["label"].startswith("Guidance from the transfer assessor")
    assert data["transfer"]["flow"]["origin"] == "CN"
    assert "Guidance, not legal advice" in data["disclaimer"]
