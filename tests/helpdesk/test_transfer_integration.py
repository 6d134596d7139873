"""Sample and data flows read from questions, and the transfer assessor's result in the answer."""

from __future__ import annotations

import pytest

from permed_atlas.helpdesk import answer_question, detect_countries, load_knowledge, read_flow
from permed_atlas.transfer import DISCLAIMER

EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def _flow(question: str):  # type: ignore[no-untyped-def]
    knowledge = load_knowledge()
    mentions = detect_countries(question, demonyms=knowledge.demonyms,
                                abbreviations=knowledge.abbreviations)  # fmt: skip
    return read_flow(question, mentions)


def test_the_issue_example_gives_hgr_export_and_gdpr_pipl_obligations() -> None:
    answer = answer_question(EXAMPLE, knowledge=load_knowledge())
    assert answer.transfer is not None
    flow = answer.transfer.flow
    assert (flow.origin, flow.destination) == ("CN", "DE")
    assert set(flow.data_categories) == {"samples", "genetic"}
    assert any("only other country named" in line for line in flow.derived)
    assert answer.transfer.disclaimer == DISCLAIMER
    result = answer.transfer.assessment
    assert result is not None
    obligations = {o["rule_id"]: o["reference"] for o in result["obligations"]}
    assert obligations["hgr-art27-materials-export"] == "HGR Regulations, Art. 27"
    assert "Art. 22(1)" in obligations["hgr-art22-cooperation-approval"]
    assert any(rule.startswith("gdpr-") for rule in obligations)
    assert any(rule.startswith("pipl-") for rule in obligations)
    assert all(o["reference"] and o["source"] for o in result["obligations"])
    # What the question does not say stays unknown and is listed as missing.
    assert "data_subjects" not in result["scenario"] or result["scenario"]["data_subjects"] is None
    assert any(m.startswith("consent") for m in result["missing"])
    assert any(m.startswith("data_subjects") for m in result["missing"])


def test_sending_data_from_germany_to_china_triggers_gdpr_chapter_v() -> None:
    flow = _flow("Can we send trial data to China from our German sites?")
    assert flow is not None
    assert (flow.origin, flow.destination, flow.data_categories) == ("DE", "CN", ("health",))
    answer = answer_question("Can we send trial data to China from our German sites?",
                             knowledge=load_knowledge())  # fmt: skip
    assert answer.transfer is not None and answer.transfer.assessment is not None
    rules = {o["rule_id"] for o in answer.transfer.assessment["obligations"]}
    assert "gdpr-art46-sccs" in rules


def test_unknown_ends_are_listed_as_missing_and_nothing_is_assessed() -> None:
    flow = _flow("What do we need for the export of blood samples?")
    assert flow is not None and flow.origin is None and flow.destination is None
    assert any("origin country" in m for m in flow.missing)
    assert any("destination country" in m for m in flow.missing)
    answer = answer_question("What do we need for the export of blood samples?",
                             knowledge=load_knowledge())  # fmt: skip
    assert answer.transfer is not None and answer.transfer.assessment is None


def test_three_countries_without_direction_are_not_guessed() -> None:
    flow = _flow("We will ship samples between France, Spain and China")
    assert flow is not None and flow.origin is None and flow.destination is None


def test_demonyms_and_stated_facts_are_read() -> None:
    flow = _flow("Export 800 patients' Chinese samples for whole-genome sequencing to the "
                 "Netherlands with broad consent")  # fmt: skip
    assert flow is not None
    assert (flow.origin, flow.destination) == ("CN", "NL")
    assert flow.sequencing is True and flow.data_subjects == 800
    assert flow.consent == "broad_research" and flow.foreign_party is True
    assert "genetic" in flow.data_categories and "samples" in flow.data_categories


def test_analysis_abroad_is_a_flow_even_without_a_verb_of_movement() -> None:
    flow = _flow("Chinese blood samples analysed in France")
    assert flow is not None and (flow.origin, flow.destination) == ("CN", "FR")
    assert _flow("blood samples analysed quickly") is None


def test_no_flow_when_nothing_moves_or_stays_in_one_country() -> None:
    assert _flow("ethics review for a trial in Germany") is None
    assert _flow("ship samples from Germany to Germany") is None


def test_the_eu_as_an_end_is_not_a_country_for_the_assessor() -> None:
    flow = _flow("send genomic data from China to the EU")
    assert flow is not None and flow.origin == "CN" and flow.destination is None
    assert any("the EU is not one country" in m for m in flow.missing)


@pytest.mark.parametrize(
    ("question", "origin", "destination", "categories"),
    [
        ("临床试验数据从德国传到中国需要什么？", "DE", "CN", ("health",)),
        ("我们要把中国患者的血液样本运到德国做基因测序", "CN", "DE", ("samples", "genetic")),
    ],
)
def test_a_chinese_question_is_read_as_a_flow(
    question: str, origin: str, destination: str, categories: tuple[str, ...]
) -> None:
    answer = answer_question(question, knowledge=load_knowledge())
    assert answer.transfer is not None
    flow = answer.transfer.flow
    assert (flow.origin, flow.destination) == (origin, destination)
    assert flow.data_categories == categories
    assert answer.transfer.assessment is not None


def test_a_chinese_question_without_movement_has_no_flow() -> None:
    assert answer_question("中国的伦理审查怎么做", knowledge=load_knowledge()).transfer is None


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("send health data of 1.2 million patients from China to Germany", 1_200_000),
        ("send health data of 50 000 patients from China to Germany", 50_000),
        ("send health data of 12.000 patients from China to Germany", 12_000),
        ("send health data of 20k patients from China to Germany", 20_000),
        ("In 2023 500 patients sent data from China to Germany", 500),
        ("我们要把3000名患者的临床数据从中国传到德国", 3000),
        ("把1.5万名受试者的基因数据从中国传到德国", 15_000),
        ("send data of 1.5 patients from China to Germany", None),
    ],
)
def test_the_whole_number_of_people_is_read(question: str, count: int | None) -> None:
    # "1.2 million" was read as 2 and "50 000" as 50: the CAC 2024 thresholds turn on it.
    flow = _flow(question)
    assert flow is not None and flow.data_subjects == count


def test_a_count_over_the_threshold_asks_for_the_security_assessment() -> None:
    answer = answer_question("send health data of 1.2 million patients from China to Germany",
                             knowledge=load_knowledge())  # fmt: skip
    assert answer.transfer is not None and answer.transfer.assessment is not None
    fired = {o["rule_id"] for o in answer.transfer.assessment["obligations"]}
    assert "cac-security-assessment-sensitive" in fired and "cac-standard-contract" not in fired


@pytest.mark.parametrize(
    "question",
    [
        "send data that are not anonymised from China to Germany, 3000 patients",
        "send non-anonymised health data from China to Germany",
    ],
)
def test_not_anonymised_is_not_read_as_anonymised(question: str) -> None:
    flow = _flow(question)
    assert flow is not None and "anonymised" not in flow.data_categories
    answer = answer_question(question, knowledge=load_knowledge())
    assert answer.transfer is not None and answer.transfer.assessment is not None
    assert answer.transfer.assessment["facts"]["personal_data"] is True
    pseudonymised = _flow("send pseudonymised, not anonymised, data from China to Germany")
    assert pseudonymised is not None and "pseudonymised" in pseudonymised.data_categories
