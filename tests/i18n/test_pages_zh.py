"""Pages in Chinese show the curated data's Chinese names, and English marked where missing.

The request language is negotiated by the web app (issue #18's other half); here an ASGI
wrapper puts every request in Chinese, so these tests need nothing from the negotiation.
"""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_directory_law_page_shows_the_official_chinese_title(zh_client: TestClient) -> None:
    page = zh_client.get("/directory/pipl")
    assert page.status_code == 200, page.text
    assert '<h1 data-testid="entry-name">中华人民共和国个人信息保护法（PIPL）</h1>' in page.text
    assert "<title>中华人民共和国个人信息保护法（PIPL）" in page.text
    listing = zh_client.get("/directory/", params={"kind": "law"}).text
    assert "中华人民共和国数据安全法" in listing
    # GDPR has no official Chinese title: English, marked as not translated.
    assert (
        '<span lang="en" class="untranslated" title="not translated yet">'
        "General Data Protection Regulation (GDPR)</span>" in listing
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
    assert 'class="untranslated" title="not translated yet">Regulation (EU) 2016/679' in page.text


def test_helpdesk_entry_page_in_chinese(zh_client: TestClient) -> None:
    page = zh_client.get("/helpdesk/entries/cn-hgr-materials-export")
    assert page.status_code == 200, page.text
    assert "<h1>人类遗传资源材料出境" in page.text
    assert "申请人类遗传资源材料出境证明" in page.text  # a step in Chinese
    assert "中国" in page.text  # the jurisdiction


def test_helpdesk_entry_steps_without_translation_are_marked(zh_client: TestClient) -> None:
    page = zh_client.get("/helpdesk/entries/de-drks").text
    assert "<h1>德国临床试验注册中心（DRKS）</h1>" in page
    assert '<li><span lang="en" class="untranslated"' in page


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
