"""A study in English and Chinese, run through the web forms end to end: each expert
reads, answers and gets feedback in the language of their invitation, whatever their
browser asks for; the coordinator's report follows the coordinator's language."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from permed_atlas.settings import Settings

STATEMENTS = {
    "A1": (
        "Share genomic data under a common consent model",
        "在统一的知情同意模式下共享基因组数据",
    ),
    "A2": ("Fund joint biobank audits", "资助联合生物样本库审计"),
}
ZH_ONLY = "zh-Hans"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # two experts: a minimum group of 1 lets the feedback show the panel's figures
    return settings.model_copy(update={"delphi_min_group_size": 1})


@pytest.fixture
def coordinator(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("coord@example.org", "editor")
    login(client, "coord@example.org")
    return client


@pytest.fixture
def expert_client(app) -> Iterator:  # type: ignore[no-untyped-def]
    """A browser of an expert: no account, its own cookies, an English Accept-Language."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app, base_url="http://testserver", headers={"Accept-Language": "en-GB,en"})
        clients.append(c.__enter__())
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _post_study(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    """The new-study form posted with the 70% rule and ``fields``."""
    return client.post(
        "/delphi/new",
        data={"agree_share": "70", "exclude_share": "70", **fields},
        follow_redirects=False,
    )


def _create_study(client: TestClient) -> int:
    created = _post_study(
        client,
        slug="eu-cn-data",
        languages="en,zh",
        title="EU-China data sharing",
        title_zh="中欧数据共享",
    )
    assert created.status_code == 303, created.text
    study_id = int(created.headers["location"].rstrip("/").split("/")[-1])
    added = client.post(
        f"/delphi/studies/{study_id}/pillars",
        data={"pillar": "P1", "title": "Data", "title_zh": "数据"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    return study_id


def _round_id(client: TestClient, study_id: int, number: int) -> int:
    page = client.get(f"/delphi/studies/{study_id}?lang=en").text
    return int(re.findall(r'href="/delphi/rounds/(\d+)">Round ' + str(number), page)[0])


def _add_items(client: TestClient, round_id: int) -> None:
    for code, (en, zh) in STATEMENTS.items():
        response = client.post(
            f"/delphi/rounds/{round_id}/items",
            data={"code": code, "statement": en, "statement_zh": zh},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def _invite(client: TestClient, study_id: int, round_id: int) -> dict[str, dict[str, str]]:
    for name, country, language in (("Anna Weber", "DE", "en"), ("Li Wei", "CN", "zh")):
        response = client.post(
            f"/delphi/studies/{study_id}/experts",
            data={"name": name, "country": country, "language": language},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    assert client.post(f"/delphi/rounds/{round_id}/open", follow_redirects=False).status_code == 303
    exported = client.post(f"/delphi/rounds/{round_id}/invitations", data={"days": "10"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    return {row["language"]: row for row in rows}


def _item_ids(page: str) -> dict[str, int]:
    ids = re.findall(r'name="rating_(\d+)"', page)
    return dict(zip(STATEMENTS, dict.fromkeys(int(i) for i in ids), strict=True))


def test_a_bilingual_study_from_invitation_to_report(
    coordinator: TestClient, expert_client
) -> None:  # type: ignore[no-untyped-def]
    study_id = _create_study(coordinator)
    round_id = _round_id(coordinator, study_id, 1)
    _add_items(coordinator, round_id)
    invitations = _invite(coordinator, study_id, round_id)

    # each mail in its expert's language, with the personal link
    zh_row, en_row = invitations["zh"], invitations["en"]
    assert zh_row["body"].startswith("尊敬的 Li Wei") and "Dear" not in zh_row["body"]
    assert zh_row["link"] in zh_row["body"] and "数据" in zh_row["subject"]
    assert en_row["body"].startswith("Dear Anna Weber,") and "Data" in en_row["subject"]

    # the Chinese expert's browser asks for English: the invitation decides
    zh_expert, en_expert = expert_client(), expert_client()
    zh_path = zh_row["link"].replace("http://testserver", "")
    en_path = en_row["link"].replace("http://testserver", "")
    zh_form = zh_expert.get(zh_path)
    assert zh_form.status_code == 200
    assert f'<html lang="{ZH_ONLY}">' in zh_form.text
    assert zh_form.headers["content-language"] == ZH_ONLY
    for _en, zh in STATEMENTS.values():
        assert zh in zh_form.text
    assert STATEMENTS["A1"][0] not in zh_form.text
    assert "保存回答" in zh_form.text and "中欧数据共享" in zh_form.text  # the button, the study
    # the study is bilingual: the form offers a switch to the other language of the study
    assert f'href="{zh_path}?lang=en"' in zh_form.text

    en_form = en_expert.get(en_path, headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in en_form.text and STATEMENTS["A1"][0] in en_form.text
    assert STATEMENTS["A1"][1] not in en_form.text

    # a refused save explains itself in the expert's language
    ids = _item_ids(zh_form.text)
    refused = zh_expert.post(zh_path, data={f"comment_{ids['A1']}": "需要更多讨论"})
    assert refused.status_code == 422
    assert "请选择一个评分" in refused.text and "choose a rating" not in refused.text

    saved = zh_expert.post(zh_path, data={f"rating_{i}": "5" for i in ids.values()})
    assert saved.status_code == 200 and "已保存 2 个回答" in saved.text
    en_expert.post(en_path, data={f"rating_{ids['A1']}": "5", f"rating_{ids['A2']}": "2"})

    # the closed round carries A2 (no consensus): round 2's feedback in each language
    assert coordinator.post(f"/delphi/rounds/{round_id}/close", follow_redirects=False)
    response = coordinator.post(
        f"/delphi/rounds/{round_id}/next", data={"carry": "pending"}, follow_redirects=False
    )
    assert response.status_code == 303
    round2 = _round_id(coordinator, study_id, 2)
    coordinator.post(f"/delphi/rounds/{round2}/open")
    second = {
        row["language"]: row["link"].replace("http://testserver", "")
        for row in csv.DictReader(
            io.StringIO(coordinator.post(f"/delphi/rounds/{round2}/invitations").text)
        )
    }
    zh_feedback = zh_expert.get(second["zh"]).text
    assert STATEMENTS["A2"][1] in zh_feedback and STATEMENTS["A1"][1] not in zh_feedback
    assert "第 1 轮小组评分 1–5：" in zh_feedback and "您当时的评分：" in zh_feedback
    assert "Your rating then" not in zh_feedback
    en_feedback = en_expert.get(second["en"]).text
    assert "Round 1 panel ratings" in en_feedback and "Your rating then:" in en_feedback

    # the report in the coordinator's language: the request's
    report_zh = coordinator.get(f"/delphi/studies/{study_id}/report.html?lang=zh").text
    assert "中欧数据共享" in report_zh and STATEMENTS["A1"][1] in report_zh
    assert "达成共识的条件" in report_zh and "统计仅使用有效评分" in report_zh
    report_en = coordinator.get(f"/delphi/studies/{study_id}/report.html?lang=en").text
    assert "EU-China data sharing" in report_en and STATEMENTS["A1"][0] in report_en
    assert "Consensus when at least 70% of valid ratings" in report_en
    # why each item ended as it did: recorded in English, shown in the report's language
    include_zh = "第 1 轮达成纳入共识（同意比例 100%，不同意比例 0%，中位数 5，四分位距 0，n=2）"
    assert include_zh in report_zh and "延续至第 2 轮；第 1 轮未达成共识（同意比例 50%" in report_zh
    assert "consensus to include in round" not in report_zh and "carried to" not in report_zh
    assert "consensus to include in round 1 (share agree 100%, share disagree 0%" in report_en
    assert "carried to round 2; no consensus in round 1 (share agree 50%" in report_en
    round_zh = coordinator.get(f"/delphi/rounds/{round_id}?lang=zh").text
    assert include_zh in round_zh and "延续至第 2 轮；" in round_zh
    # the statistics CSV is data: English columns and rule, both statements
    stats = coordinator.get(f"/delphi/studies/{study_id}/statistics.csv?lang=zh").text
    first = next(csv.DictReader(io.StringIO(stats)))
    assert first["statement_zh"] == STATEMENTS["A1"][1]
    assert first["consensus_rule"].startswith("Consensus when")
    assert first["outcome_reason"].startswith("consensus to include in round 1 (share agree")

    # the JSON API keeps English names and gives both texts
    study_json = coordinator.get(f"/api/v1/delphi/studies/{study_id}").json()
    assert study_json["study"]["languages"] == ["en", "zh"]
    assert study_json["surveys"][0]["title_zh"] == "数据"
    form_json = zh_expert.get(f"/api/v1/delphi/respond/{second['zh'].rsplit('/', 1)[1]}").json()
    assert form_json["language"] == "zh"
    assert form_json["items"][0]["item"]["statement_zh"] == STATEMENTS["A2"][1]


def test_the_form_switch_and_a_refused_save_stay_in_the_chosen_language(
    coordinator: TestClient, expert_client
) -> None:  # type: ignore[no-untyped-def]
    study_id = _create_study(coordinator)
    round_id = _round_id(coordinator, study_id, 1)
    _add_items(coordinator, round_id)
    en_path = _invite(coordinator, study_id, round_id)["en"]["link"].replace(
        "http://testserver", ""
    )
    expert = expert_client()
    switched = expert.get(f"{en_path}?lang=zh")
    assert STATEMENTS["A1"][1] in switched.text and f'<html lang="{ZH_ONLY}">' in switched.text
    ids = _item_ids(switched.text)
    saved = expert.post(f"{en_path}?lang=zh", data={f"rating_{ids['A1']}": "4"})
    assert saved.status_code == 200 and "已保存 1 个回答" in saved.text
    # without ?lang= the invitation's language again, not the cookie the switch set
    assert STATEMENTS["A1"][0] in expert.get(en_path).text


def test_missing_chinese_text_is_refused_naming_item_and_field(coordinator: TestClient) -> None:
    no_zh_title = _post_study(coordinator, slug="half", languages="en,zh", title="Half")
    assert no_zh_title.status_code == 422 and "title_zh" in no_zh_title.text
    study_id = _create_study(coordinator)
    round_id = _round_id(coordinator, study_id, 1)
    refused = coordinator.post(
        f"/delphi/rounds/{round_id}/items",
        data={"code": "B7", "statement": "English only"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 422
    assert "statement_zh" in refused.text and "B7" in refused.text


def test_monolingual_form_has_no_switch(coordinator: TestClient, expert_client) -> None:  # type: ignore[no-untyped-def]
    created = _post_study(coordinator, slug="zh-only", languages="zh", title_zh="仅中文")
    study_id = int(created.headers["location"].rstrip("/").split("/")[-1])
    coordinator.post(
        f"/delphi/studies/{study_id}/pillars", data={"pillar": "P1", "title_zh": "数据"}
    )
    round_id = _round_id(coordinator, study_id, 1)
    coordinator.post(
        f"/delphi/rounds/{round_id}/items", data={"code": "C1", "statement_zh": "建立联合伦理审查"}
    )
    bad = coordinator.post(
        f"/delphi/studies/{study_id}/experts",
        data={"name": "Anna", "country": "DE", "language": "en"},
    )
    assert bad.status_code == 422 and "language" in bad.text
    coordinator.post(f"/delphi/studies/{study_id}/experts", data={"name": "Li", "country": "CN"})
    coordinator.post(f"/delphi/rounds/{round_id}/open")
    row = next(
        csv.DictReader(io.StringIO(coordinator.post(f"/delphi/rounds/{round_id}/invitations").text))
    )
    assert row["language"] == "zh"
    page = expert_client().get(row["link"].replace("http://testserver", "")).text
    assert "建立联合伦理审查" in page
    assert 'data-lang="en"' not in page  # no switch: the study runs in Chinese only


def test_a_study_file_takes_the_chinese_texts_and_refuses_a_missing_one(tmp_path: Path) -> None:
    from permed_atlas.delphi.errors import StudyFileError
    from permed_atlas.delphi.files import load_study_file

    text = """\
slug: bilingual-file
languages: [en, zh]
title: Data sharing
title_zh: 数据共享
surveys:
  - pillar: P1
    title: Data
    title_zh: 数据
    items:
      - {code: D1, statement: Share data, statement_zh: 共享数据, rationale_zh: 理由}
      - {code: D2, statement: Audit biobanks}
"""
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyFileError) as refused:
        load_study_file(path)
    message = str(refused.value)
    assert "surveys[0].items[1].statement_zh" in message and "'D2'" in message
    assert refused.value.field == "statement_zh"
    path.write_text(text.replace("statement: Audit biobanks", "statement: Audit biobanks, "
                                 "statement_zh: 审计生物样本库"), encoding="utf-8")  # fmt: skip
    draft = load_study_file(path)
    assert draft.languages == ("en", "zh") and draft.title_zh == "数据共享"
    assert draft.surveys[0].title_zh == "数据"
    assert [i.statement_zh for i in draft.surveys[0].items] == ["共享数据", "审计生物样本库"]
    assert draft.surveys[0].items[0].rationale_zh == "理由"
    with pytest.raises(StudyFileError, match="languages: fr"):
        path.write_text(text.replace("[en, zh]", "[en, fr]"), encoding="utf-8")
        load_study_file(path)
