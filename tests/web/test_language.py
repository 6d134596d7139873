"""The language of each request: ?lang=, the cookie, Accept-Language, English; on every page.

Real requests through the assembled app (TestClient), the 120-work corpus and the Delphi demo
study; the walk follows the links of the pages themselves, so a new page is covered as soon
as anything links to it.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from permed_atlas.web.language import LANGUAGE_COOKIE

PASSWORD = "correct-horse-battery"
# Links that download a file or leave the pages: the walk checks pages only.
NOT_PAGES = re.compile(
    r"\.(csv|json|parquet|pdf|md|xlsx|gexf|zip|svg|png|js|css)$|^/(api|static|logout)\b"
)
PAGE_LIMIT = 160


def _lang_of(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


def test_query_parameter_wins_and_sets_a_cookie(client) -> None:
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert _lang_of(response.text) == "zh-Hans"
    assert "研究格局" in response.text  # the navigation, in Chinese
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=zh;") and "Max-Age=31536000" in cookie
    assert response.headers["content-language"] == "zh-Hans"
    assert "Accept-Language" in response.headers["vary"]


def test_the_cookie_keeps_the_choice_on_the_next_page(client) -> None:
    client.get("/?lang=zh")
    later = client.get("/landscape/search", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _lang_of(later.text) == "zh-Hans"
    assert "set-cookie" not in later.headers or LANGUAGE_COOKIE not in later.headers["set-cookie"]
    back = client.get("/landscape/search?lang=en")
    assert _lang_of(back.text) == "en" and ">Search</button>" in back.text
    assert _lang_of(client.get("/").text) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("", "en"),
    ],
)
def test_accept_language_without_a_choice(client, header, expected) -> None:
    headers = {"Accept-Language": header} if header else {}
    assert _lang_of(client.get("/", headers=headers).text) == expected


def test_an_unknown_lang_value_or_cookie_is_ignored(client) -> None:
    response = client.get("/?lang=klingon", headers={"Accept-Language": "zh-CN"})
    assert _lang_of(response.text) == "zh-Hans"
    assert LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")
    client.cookies.set(LANGUAGE_COOKIE, "xx")
    assert _lang_of(client.get("/").text) == "en"


def test_the_switch_keeps_the_path_and_the_query(client) -> None:
    html = client.get("/landscape/search?q=cancer&kind=patent").text
    switch = re.search(r'data-testid="language-switch">(.*?)</nav>', html, re.S)
    assert switch
    assert 'href="/landscape/search?q=cancer&amp;kind=patent&amp;lang=zh"' in switch.group(1)
    assert "中文" in switch.group(1)


def test_errors_follow_the_language_on_pages_but_not_in_the_api(client) -> None:
    page = client.get("/no-such-page?lang=zh")
    assert page.status_code == 404 and "未找到" in page.text and "Not Found" not in page.text
    api = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "zh"})
    assert api.status_code == 404 and api.json()["detail"] == "Not Found"
    bad = client.get("/landscape/search?year_from=20x5&lang=zh")
    assert "起始年份" in bad.text and "请输入四位数年份" in bad.text


def test_the_api_keeps_english_names_and_codes(client, web_corpus) -> None:
    english = client.get("/api/v1/landscape/search?q=cancer&lang=en").json()
    chinese = client.get("/api/v1/landscape/search?q=cancer&lang=zh").json()
    assert english.keys() == chinese.keys()
    assert english["total"] == chinese["total"]


def _log_in(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("admin@example.org", "admin", PASSWORD)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_every_page_has_the_switch_and_speaks_chinese(app, client, make_user, web_corpus) -> None:
    from permed_atlas.delphi import load_demo_study

    with app.state.session_factory() as session:
        load_demo_study(session)
        session.commit()
    _log_in(client, make_user)
    client.get("/?lang=zh")
    seen: set[str] = set()
    queue = deque(["/"])
    problems: list[str] = []
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html = response.text
        if 'data-testid="language-switch"' not in html:
            problems.append(f"{path}: no language switch")
        if _lang_of(html) != "zh-Hans":
            problems.append(f"{path}: <html lang={_lang_of(html)}>")
        for href in re.findall(r'href="([^"#]+)', html):
            href = href.replace("&amp;", "&")
            parts = urlsplit(urljoin(path, href))
            if parts.netloc or NOT_PAGES.search(parts.path) or "lang=" in parts.query:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    assert problems == []
    areas = {p.split("/")[1] for p in seen if p.count("/") > 1}
    # the walk reached every capability's pages, detail pages included
    assert {"landscape", "directory", "delphi", "roadmap", "transfer", "helpdesk"} <= areas
    assert len(seen) >= 60, sorted(seen)


def test_chart_titles_and_notes_follow_the_language(client, web_corpus) -> None:
    params = {"eu_cn": "yes", "country": "CN", "lang": "zh"}
    chinese = client.get("/api/v1/landscape/dashboard", params=params).json()
    english = client.get("/api/v1/landscape/dashboard", params={**params, "lang": "en"}).json()
    assert chinese.keys() == english.keys()  # field names stay English
    text = str(chinese)
    assert "按地区划分的每年作品数" in text and "Works per year, by region" not in text
    assert "中欧合作筛选条件设为“是”" in text and "必然为 100%" in text  # a note, formatted
    assert "国家筛选条件只保留涉及" in text
    assert "The EU–China filter is set to yes" in str(english)
