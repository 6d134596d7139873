"""Domain errors a page shows are in the reader's language; the JSON API's stay English.

Each capability's bad input is asked for with ``?lang=zh`` through the web app, as a reader's
link would, and the page must say what is wrong in Chinese (the value typed kept as it was).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, field_message, gettext_noop, use_language


def _alert(html: str) -> str:
    """The text of the page's error or problem notice."""
    found = re.search(r'role="alert"[^>]*>(.*?)</(?:p|div|ul)>', html, re.S)
    assert found, "the page shows no error"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_an_error_raised_with_a_message_is_english_text_and_chinese_html() -> None:
    error = InvalidInputError(
        field_message(
            "region",
            Message(
                gettext_noop("unknown region %(code)s; known regions: %(known)s"),
                code="'XX'",
                known="CN, EU27",
            ),
        ),
        field="region",
    )
    assert str(error) == "region: unknown region 'XX'; known regions: CN, EU27"
    with use_language("zh"):
        assert error.translated() == "region：未知区域 'XX'；已知区域：CN, EU27"
        assert error.__html__() == "region：未知区域 &#x27;XX&#x27;；已知区域：CN, EU27"
        assert str(error).startswith("region: unknown region")  # data stays English


def test_transfer_form_names_an_unknown_country_in_chinese(client: TestClient) -> None:
    scenario = {"exporter_country": "Chinaa", "importer_country": "DE",
                "data_categories": "health", "purpose": "research"}  # fmt: skip
    page = client.get("/transfer/assess", params={**scenario, "lang": "zh"})
    assert page.status_code == 422
    alert = _alert(page.text)
    assert "未知国家 &#39;Chinaa&#39;" in alert or "未知国家 'Chinaa'" in alert
    assert "您是否指" in alert and "unknown country" not in alert
    english = _alert(client.get("/transfer/assess", params={**scenario, "lang": "en"}).text)
    assert "unknown country" in english and "did you mean China (CN)?" in english


def test_transfer_form_names_a_contradiction_in_chinese(client: TestClient) -> None:
    scenario = {"exporter_country": "CN", "importer_country": "DE", "purpose": "research",
                "data_categories": ["identified", "anonymised"]}  # fmt: skip
    alert = _alert(client.get("/transfer/assess", params={**scenario, "lang": "zh"}).text)
    assert "相互矛盾" in alert and "contradict" not in alert


def test_landscape_search_says_why_a_value_was_dropped_in_chinese(
    client: TestClient,
    web_corpus,  # type: ignore[no-untyped-def]
) -> None:
    params = {"q": "cancer", "year_from": "2020", "year_to": "2010"}
    page = client.get("/landscape/search", params={**params, "lang": "zh"})
    assert page.status_code == 200  # served again without the value it could not use
    assert "起始年份（2020）晚于截止年份（2010）" in page.text
    assert "is after year_to" not in page.text
    english = client.get("/landscape/search", params={**params, "lang": "en"}).text
    assert "year_from (2020) is after year_to (2010)" in english


def test_directory_names_an_unknown_region_in_chinese(client: TestClient) -> None:
    page = client.get("/directory/", params={"region": "Atlantis", "lang": "zh"})
    assert "未知区域 &#39;Atlantis&#39;" in page.text or "未知区域 'Atlantis'" in page.text
    assert "unknown region" not in page.text


def test_helpdesk_compare_names_an_unknown_topic_in_chinese(client: TestClient) -> None:
    params = {"topic": "astrology", "country": ["DE", "CN"], "lang": "zh"}
    page = client.get("/helpdesk/compare", params=params)
    assert page.status_code == 422
    alert = _alert(page.text)
    assert "未知主题" in alert and "unknown topic" not in alert


def test_helpdesk_question_without_words_is_refused_in_chinese(client: TestClient) -> None:
    page = client.get("/helpdesk/", params={"q": "？？", "lang": "zh"})
    assert page.status_code == 422
    alert = _alert(page.text)
    assert "没有可检索的词语" in alert and "no words" not in alert


def test_federation_page_names_a_bad_age_in_chinese(client: TestClient) -> None:
    page = client.get("/federation/", params={"run": "1", "age": "old", "lang": "zh"})
    assert "应为数字或范围" in page.text
    assert "expected a number" not in page.text


def test_json_api_errors_stay_english_in_a_chinese_request(client: TestClient) -> None:
    compare = client.get(
        "/api/v1/helpdesk/compare",
        params={"topic": "astrology", "country": ["DE", "CN"], "lang": "zh"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert compare.status_code == 422
    assert compare.json()["detail"].startswith("topic: unknown topic 'astrology'; one of ")
    assert compare.json()["field"] == "topic"
    ask = client.post(
        "/api/v1/transfer/assess?lang=zh",
        json={"exporter_country": "Chinaa", "importer_country": "DE",
              "data_categories": ["health"], "purpose": "research"},
    )  # fmt: skip
    assert ask.status_code == 422
    assert "unknown country 'Chinaa'" in str(ask.json()["detail"])
    region = client.get("/api/v1/directory/entries", params={"region": "Atlantis", "lang": "zh"})
    assert region.status_code == 422
    assert region.json()["detail"].startswith("unknown region 'Atlantis': use an ISO")
