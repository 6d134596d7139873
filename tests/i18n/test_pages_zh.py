"""Pages in Chinese show the curated data's Chinese names, and English marked where missing.

The request language is negotiated by the web app (issue #18's other half); here an ASGI
wrapper puts every request in Chinese, so these tests need nothing from the negotiation.
"""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from permed_atlas.directory.create import create_entry
from permed_atlas.helpdesk.knowledge import BUNDLED_DIR
from permed_atlas.settings import Settings


def test_directory_law_page_shows_the_official_chinese_title(zh_client: TestClient) -> None:
    page = zh_client.get("/directory/pipl")
    assert page.status_code == 200, page.text
    assert '<h1 data-testid="entry-name">中华人民共和国个人信息保护法（PIPL）</h1>' in page.text
    assert "<title>中华人民共和国个人信息保护法（PIPL）" in page.text
    listing = zh_client.get("/directory/", params={"kind": "law"}).text
    assert "中华人民共和国数据安全法" in listing
    # the GDPR has no official Chinese title: our translation, its source on the entry page
    assert "通用数据保护条例（GDPR）" in listing
    gdpr = zh_client.get("/directory/gdpr").text
    assert (
        '<tr><th>中文名称来源</th><td data-field="name_zh_source">PerMed Atlas 翻译，非官方，'
        "未经审校" in gdpr
    )


def test_directory_entry_without_chinese_shows_english_marked(
    zh_client: TestClient, session: Session, settings: Settings
) -> None:
    zh_client.get("/directory/")  # the bundled entries are loaded
    entry = {"id": "local-fund", "kind": "funder", "name": "Local Health Fund",
             "summary": "A fund.", "regions": ["DE"], "source": "https://example.org"}  # fmt: skip
    create_entry(session, entry, actor_id=None, settings=settings)
    session.commit()
    listing = zh_client.get("/directory/", params={"kind": "funder"}).text
    assert (
        '<span lang="en" class="untranslated" title="not translated yet">Local Health Fund</span>'
        in listing
    )


def test_directory_search_finds_chinese_names(zh_client: TestClient) -> None:
    hits = zh_client.get("/api/v1/directory/entries", params={"q": "个人信息保护法"}).json()
    assert hits["hits"][0]["id"] == "pipl"


def test_english_pages_are_unchanged(client: TestClient) -> None:
    page = client.get("/directory/pipl").text
    assert "Personal Information Protection Law" in page and "untranslated" not in page


def test_transfer_rules_page_shows_chinese_law_and_rule_titles(zh_client: TestClient) -> None:
    page = zh_client.get("/transfer/rules")
    assert page.status_code == 200, page.text
    assert "<h2>中华人民共和国个人信息保护法</h2>" in page.text
    assert "<h2>中华人民共和国数据安全法</h2>" in page.text
    assert "处理敏感个人信息须取得单独同意" in page.text
    assert "<h2>欧盟第2016/679号条例（《通用数据保护条例》）</h2>" in page.text


def test_transfer_rule_file_without_chinese_shows_english_marked(
    zh_client: TestClient, settings: Settings
) -> None:
    folder = settings.data_dir / "transfer_rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "local.yaml").write_text(
        'law: LOCAL\ntitle: Local Act\nversion: "1"\nsource: https://x\n'
        'date_checked: "2026-11-22"\nrules:\n  - id: local-scope\n    title: Local scope\n'
        "    when: {fact: genetic, is: true}\n    then: {effect: note, obligation: Note it.}\n"
        "    reference: {law: L, article: s. 1}\n    explanation: E\n",
        encoding="utf-8",
    )
    page = zh_client.get("/transfer/rules").text
    assert 'class="untranslated" title="not translated yet">Local Act</span></h2>' in page
    assert 'class="untranslated" title="not translated yet">Local scope</span>' in page


def test_helpdesk_entry_page_in_chinese(zh_client: TestClient) -> None:
    page = zh_client.get("/helpdesk/entries/cn-hgr-materials-export")
    assert page.status_code == 200, page.text
    assert "<h1>人类遗传资源材料出境" in page.text
    assert "申请人类遗传资源材料出境证明" in page.text  # a step in Chinese
    assert "中国" in page.text  # the jurisdiction


def test_helpdesk_entry_steps_without_translation_are_marked(
    zh_client: TestClient, settings: Settings
) -> None:
    page = zh_client.get("/helpdesk/entries/de-drks").text
    assert "<h1>德国临床试验注册中心（DRKS）</h1>" in page
    assert "在首位受试者入组前于德国临床试验注册中心（DRKS）注册研究" in page
    # a deployment's own entry, its step in English only
    folder = settings.helpdesk_knowledge_dir
    folder.mkdir(parents=True, exist_ok=True)
    bundled = yaml.safe_load((BUNDLED_DIR / "de.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in bundled["entries"] if e["id"] == "de-drks")
    entry.update(id="de-local-registry", title="Local registry", title_zh="本地登记处",
                 procedure=[{"text": "Register locally"}])  # fmt: skip
    local_file = {"country": "DE", "name": "Germany", "entries": [entry]}
    (folder / "local.yaml").write_text(yaml.safe_dump(local_file), encoding="utf-8")
    local = zh_client.get("/helpdesk/entries/de-local-registry")
    assert local.status_code == 200, local.text
    assert "<h1>本地登记处</h1>" in local.text
    assert '<li><span lang="en" class="untranslated"' in local.text


def test_helpdesk_answer_in_chinese_heads_countries_in_chinese(zh_client: TestClient) -> None:
    page = zh_client.get("/helpdesk/", params={"q": "在中国开展临床试验需要哪些审批？"})
    assert page.status_code == 200, page.text
    assert "<h2>中国（大陆）</h2>" in page.text
    assert '<span class="tag" data-country="CN">中国（大陆） (CN)</span>' in page.text
    # The checklist line, written from the code and the entry, not from the English text.
    line = "中国（大陆）: 药物临床试验申请（60个工作日默示许可）"
    assert f'<a href="/helpdesk/entries/cn-nmpa-ind">{line}</a>' in " ".join(page.text.split())
    compare = zh_client.get("/helpdesk/compare", params={"topic": "ethics_review",
                                                        "country": ["DE", "CN"]})  # fmt: skip
    assert compare.status_code == 200, compare.text
    assert "德国 (DE)" in compare.text and "中国（大陆） (CN)" in compare.text
