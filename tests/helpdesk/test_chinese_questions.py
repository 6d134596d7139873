"""Questions asked in Chinese (and in a mix of Chinese and English) find the right entries (#18).

Through the CLI (``permed helpdesk ask --format json``), the HTML page and the JSON API.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.settings import Settings

runner = CliRunner()

QUESTIONS = [
    ("在中国开展临床试验需要哪些审批？", "cn-nmpa-ind"),
    ("人类遗传资源样本出境需要什么手续？", "cn-hgr-materials-export"),
    ("向境外提供人类遗传资源信息要备案吗？", "cn-hgr-information-filing"),
    ("国际合作研究使用中国人类遗传资源要审批吗", "cn-hgr-cooperation-approval"),
    ("中国的伦理审查怎么做？", "cn-ethics-review-2023"),
    ("在中国临床试验注册中心怎么注册", "cn-chictr"),
]
MIXED = ("HGR export certificate 怎么申请？", "cn-hgr-materials-export")


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from permed_atlas.settings import get_settings

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "permed-data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _top_ids(answer: dict, n: int = 3) -> list[str]:  # type: ignore[type-arg]
    return [hit["id"] for hit in answer["ranked"][:n]]


@pytest.mark.parametrize(("question", "expected"), [*QUESTIONS, MIXED])
def test_cli_answers_chinese_questions(question: str, expected: str) -> None:
    result = runner.invoke(app, ["helpdesk", "ask", question, "--no-funding", "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert expected in _top_ids(answer), (question, _top_ids(answer))


def test_web_page_and_api_answer_a_chinese_question(client: TestClient) -> None:
    question, expected = QUESTIONS[1]
    page = client.get("/helpdesk/", params={"q": question})
    assert page.status_code == 200, page.text
    assert f'data-entry="{expected}"' in page.text
    api = client.get("/api/v1/helpdesk/ask", params={"q": question})
    assert api.status_code == 200, api.text
    assert expected in _top_ids(api.json())
    mixed = client.get("/api/v1/helpdesk/ask", params={"q": MIXED[0]}).json()
    assert MIXED[1] in _top_ids(mixed)


def test_a_chinese_step_is_searched() -> None:
    # 默示许可 (implied approval) is only in the Chinese keywords and the Chinese steps.
    result = runner.invoke(app, ["helpdesk", "ask", "60个工作日默示许可", "--no-funding",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _top_ids(json.loads(result.output), 1) == ["cn-nmpa-ind"]


# Words only an entry's Chinese summary holds (not its Chinese title, keywords or steps).
IN_SUMMARY_ZH = [
    ("临床试验信息的透明度", "eu-ctis-transparency", "透明度"),
    ("儿科和先进疗法的伦理委员会", "it-ethics-committees", "儿科"),
    ("流行病学研究的数据保护", "it-data-protection", "流行病学"),
    ("航空运输样本需要什么手续", "cn-special-articles-quarantine", "航空运输"),
]


@pytest.mark.parametrize(("question", "expected", "word"), IN_SUMMARY_ZH)
def test_a_chinese_summary_is_searched(question: str, expected: str, word: str) -> None:
    from permed_atlas.helpdesk import answer_question, load_knowledge

    answer = answer_question(question, knowledge=load_knowledge(), assess_transfers=False)
    assert answer.ranked[0].entry.id == expected, [h.entry.id for h in answer.ranked[:3]]
    assert word in answer.ranked[0].matched_terms


def test_a_funding_question_in_chinese_reads_the_programmes_chinese_summaries(
    session: Session, settings: Settings
) -> None:
    # 罕见病 (rare diseases) is only in the Chinese summary of Horizon Europe's health cluster
    from permed_atlas.directory import load_seed_directory
    from permed_atlas.helpdesk import find_funding, load_knowledge

    load_seed_directory(session, settings=settings)
    session.commit()
    items, note = find_funding(
        session, question="资助罕见病研究的基金", countries=(), knowledge=load_knowledge()
    )
    assert note == "" and items[0].id == "horizon-europe-cluster-1", [i.id for i in items]
    assert "罕见" in items[0].matched_terms
