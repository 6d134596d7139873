"""The longest curated texts in Chinese: directory and helpdesk summaries, glossary explanations.

``summary_zh`` beside a directory or helpdesk entry's ``summary`` and ``explanation_zh`` beside
a glossary term's ``explanation`` (docs/i18n-data.md): read as optional text, refused naming
the file and field when not text, shown on Chinese pages (English, marked, where missing)
and in the Chinese Markdown answer, kept beside the English in the JSON.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from permed_atlas.directory.create import create_entry
from permed_atlas.directory.errors import DirectoryFileError
from permed_atlas.directory.files import load_directory_files, parse_entry, read_entry_file
from permed_atlas.helpdesk.errors import KnowledgeFileError
from permed_atlas.helpdesk.glossary import GLOSSARY_FILE, load_glossary
from permed_atlas.helpdesk.knowledge import BUNDLED_DIR, check_knowledge_file, load_knowledge
from permed_atlas.landscape.regions import region_countries
from permed_atlas.settings import Settings

PASSWORD = "correct-horse-battery"
LAW = {"id": "x-law", "kind": "law", "name": "X Act", "summary": "An act.", "regions": ["CN"],
       "source": "https://example.org", "date_checked": "2026-11-23",
       "jurisdiction": "CN"}  # fmt: skip


# --- loaders ---------------------------------------------------------------------------------


def test_directory_reads_summary_zh_and_refuses_one_that_is_not_text(tmp_path: Path) -> None:
    entry = parse_entry({**LAW, "summary_zh": "一部  法律。"}, where="x.yaml", known_regions={"CN"})
    assert entry.summary_zh == "一部 法律。"
    assert entry.to_dict()["summary_zh"] == "一部 法律。"
    assert parse_entry(LAW, where="x.yaml", known_regions={"CN"}).summary_zh == ""
    path = tmp_path / "laws.yaml"
    path.write_text(yaml.safe_dump({"entries": [{**LAW, "summary_zh": ["一部法律"]}]}), "utf-8")
    with pytest.raises(DirectoryFileError) as refused:
        read_entry_file(path, known_regions={"CN"}, rule_ids=set())
    assert "laws.yaml" in str(refused.value) and "'summary_zh'" in str(refused.value)
    assert refused.value.field == "summary_zh"
    with pytest.raises(DirectoryFileError, match="summary_zh"):
        parse_entry({**LAW, "summary_zh": "长" * 2001}, where="x.yaml", known_regions={"CN"})


def test_helpdesk_reads_summary_zh_and_refuses_one_that_is_not_text(tmp_path: Path) -> None:
    data = yaml.safe_load((BUNDLED_DIR / "hk.yaml").read_text(encoding="utf-8"))
    data["entries"][0]["summary_zh"] = {"text": "摘要"}
    path = tmp_path / "hk.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = check_knowledge_file(path).problems
    assert [(p.field, Path(str(p.path)).name) for p in problems] == [("summary_zh", "hk.yaml")]
    assert "summary_zh" in str(problems[0]) and "hk.yaml" in str(problems[0])
    del data["entries"][0]["summary_zh"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check_knowledge_file(path).entries[0].summary_zh == ""


def test_glossary_reads_explanation_zh_and_refuses_one_that_is_not_text(tmp_path: Path) -> None:
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    data["terms"][0]["explanation_zh"] = ["说明"]
    path = tmp_path / "_glossary.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeFileError) as refused:
        load_glossary(path)
    assert refused.value.field == "explanation_zh" and "_glossary.yaml" in str(refused.value)
    del data["terms"][0]["explanation_zh"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_glossary(path)[0].explanation_zh == ""


# --- every bundled entry and term has its Chinese ----------------------------------------------


def test_every_bundled_summary_and_explanation_has_its_chinese() -> None:
    directory = load_directory_files(known_regions=set(region_countries())).entries
    assert len(directory) >= 69
    assert [e.id for e in directory if not e.summary_zh] == []
    helpdesk = load_knowledge([]).entries
    assert len(helpdesk) >= 56
    assert [e.id for e in helpdesk if not e.summary_zh] == []
    glossary = load_glossary()
    assert len(glossary) >= 21
    assert [t.term for t in glossary if not t.explanation_zh] == []
    # Chinese, not a copy of the English; Chinese laws by their official titles and articles
    texts = [e.summary_zh for e in (*directory, *helpdesk)] + [t.explanation_zh for t in glossary]
    assert all(sum("\u4e00" <= c <= "\u9fff" for c in text) > len(text) / 3 for text in texts)
    by_id = {e.id: e for e in directory}
    assert "（《个人信息保护法》第三十八条）" in by_id["pipl"].summary_zh
    assert "自2021年11月1日起施行" in by_id["pipl"].summary_zh
    assert "国务院令第717号" in by_id["hgr-regulations"].summary_zh


# --- pages, Markdown and JSON ------------------------------------------------------------------


def test_directory_entry_and_list_show_the_chinese_summary(
    zh_client: TestClient, client: TestClient
) -> None:
    page = zh_client.get("/directory/pipl").text
    summary = '<p data-testid="entry-summary">中国关于个人信息的综合性法律，自2021年11月1日起施行。'
    assert summary in page
    assert 'data-testid="summary-zh-source"' in page  # said to be our unreviewed translation
    listing = zh_client.get("/directory/", params={"kind": "law"}).text
    assert "<p>中国关于个人信息的综合性法律" in listing
    assert "comprehensive law on personal information" not in listing
    english = client.get("/directory/pipl").text
    assert "China&#x27;s comprehensive law on personal information" in english
    assert "中国关于个人信息的综合性法律" not in english and "summary-zh-source" not in english


def test_directory_searches_and_returns_the_chinese_summary(zh_client: TestClient) -> None:
    found = zh_client.get("/api/v1/directory/entries", params={"q": "敏感个人信息"}).json()
    assert found["hits"][0]["id"] == "pipl"
    entry = zh_client.get("/api/v1/directory/entries/pipl").json()
    assert entry["summary"].startswith("China's comprehensive law")  # English stays
    assert entry["summary_zh"].startswith("中国关于个人信息的综合性法律")
    csv_text = zh_client.get("/api/v1/directory/export", params={"format": "csv"}).text
    assert "summary_zh" in csv_text.splitlines()[0]


def test_an_entry_without_a_chinese_summary_shows_english_marked(
    zh_client: TestClient, session: Session, settings: Settings
) -> None:
    zh_client.get("/directory/")  # the bundled entries are loaded
    entry = {"id": "local-fund", "kind": "funder", "name": "Local Health Fund",
             "name_zh": "本地基金", "summary": "A fund for local health research.",
             "regions": ["DE"], "source": "https://example.org"}  # fmt: skip
    create_entry(session, entry, actor_id=None, settings=settings)
    session.commit()
    marked = (
        '<span lang="en" class="untranslated" title="not translated yet">'
        "A fund for local health research.</span>"
    )
    assert marked in zh_client.get("/directory/local-fund").text
    assert marked in zh_client.get("/directory/", params={"kind": "funder"}).text
    assert 'data-testid="summary-zh-source"' not in zh_client.get("/directory/local-fund").text


def test_summary_zh_is_edited_in_the_form_and_kept_in_the_history(
    client: TestClient,
    make_user,  # type: ignore[no-untyped-def]
    login,  # type: ignore[no-untyped-def]
) -> None:
    make_user("editor@example.org", "editor", PASSWORD)
    login(client, "editor@example.org", PASSWORD)
    form = client.get("/directory/pipl/edit")
    assert '<textarea id="f-summary_zh" name="summary_zh">中国关于个人信息的综合性法律' in form.text
    token = client.headers.pop("X-CSRF-Token")
    saved = client.post(
        "/directory/pipl/edit",
        data={"summary_zh": "修改后的中文摘要。", "comment": "zh", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    revisions = client.get("/api/v1/directory/entries/pipl/history").json()
    assert revisions[0]["changed"] == ["summary_zh"]
    assert client.get("/directory/pipl?lang=zh").text.count("修改后的中文摘要。") == 1
    restored = client.post(
        "/directory/pipl/restore", data={"revision": "1", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert restored.status_code == 303
    entry = client.get("/api/v1/directory/entries/pipl").json()
    assert entry["summary_zh"].startswith("中国关于个人信息的综合性法律")


def test_helpdesk_entry_page_shows_the_chinese_summary(
    zh_client: TestClient, client: TestClient
) -> None:
    page = zh_client.get("/helpdesk/entries/cn-hgr-information-filing").text
    assert "<p>向外国组织或者个人提供或者开放使用我国人类遗传资源信息" in page
    english = client.get("/helpdesk/entries/cn-hgr-information-filing").text
    assert "<p>Before providing or opening China&#x27;s HGR information" in english
    assert "向外国组织或者个人提供或者开放使用" not in english
    data = client.get("/api/v1/helpdesk/entries/cn-hgr-information-filing").json()
    assert data["summary"].startswith("Before providing") and data["summary_zh"]


def test_helpdesk_answer_shows_chinese_summaries_and_glossary(
    zh_client: TestClient, client: TestClient
) -> None:
    question = "什么是PIIA？在中国开展临床试验需要哪些审批？"
    page = " ".join(zh_client.get("/helpdesk/", params={"q": question}).text.split())
    assert "中国与数据保护影响评估（DPIA）相对应的制度" in page  # the term asked about
    assert "counterpart of the DPIA" not in page
    assert "<p>在中国开展药物临床试验须经国家药品监督管理局（NMPA）许可。" in page
    english = client.get("/helpdesk/", params={"q": "What is a PIIA? Trial approval in China"})
    assert "China&#x27;s counterpart of the DPIA" in english.text
    assert "相对应的制度" not in english.text
    answer = client.get("/api/v1/helpdesk/ask", params={"q": question}).json()
    piia = next(t for t in answer["glossary"] if t["term"] == "PIIA")
    assert piia["explanation"].startswith("China's counterpart")
    assert piia["explanation_zh"].startswith("中国与数据保护影响评估")


def test_markdown_answer_in_chinese_has_the_chinese_summaries(client: TestClient) -> None:
    question = "What is a PIIA? We want to run a clinical trial in China"
    chinese = client.get(f"/helpdesk/answer.md?{urlencode({'q': question, 'lang': 'zh'})}").text
    assert "中国与数据保护影响评估（DPIA）相对应的制度" in chinese
    assert "在中国开展药物临床试验须经国家药品监督管理局（NMPA）许可。" in chinese
    english = client.get(f"/helpdesk/answer.md?{urlencode({'q': question, 'lang': 'en'})}").text
    assert "China's counterpart of the DPIA" in english and "相对应的制度" not in english


def test_helpdesk_funding_list_shows_the_directory_chinese_summary(zh_client: TestClient) -> None:
    zh_client.get("/directory/")  # the bundled directory is loaded
    question = "funding for personalised medicine research in Germany"
    page = zh_client.get("/helpdesk/", params={"q": question}).text
    assert 'data-testid="funding"' in page and "data-directory=" in page, page
    assert "欧洲个性化医学伙伴关系每年开展的联合跨国项目征集" in page
    assert "Yearly joint transnational calls" not in page
    answer = zh_client.get("/api/v1/helpdesk/ask", params={"q": question}).json()
    assert all(item["summary_zh"] for item in answer["funding"])
