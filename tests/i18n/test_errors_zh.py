"""Domain errors a page shows are in the reader's language; the JSON API's stay English.

Each capability's bad input is asked for with ``?lang=zh`` through the web app, as a reader's
link would, and the page must say what is wrong in Chinese (the value typed kept as it was).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, field_message, use_language


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
                "unknown region %(value)s; known regions: %(options)s",
                value="'XX'",
                options="CN, EU27",
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


# --- every domain error is composed as a Message ---------------------------------------------


def _is_text(node: object) -> bool:
    import ast

    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _plain_text_raises() -> list[str]:
    """Errors made from English-only text anywhere in the package: ``SomePermedError("...")``
    or ``(f"...")`` (raised or returned), and a data-file reader's ``where.fail(field, "...")``.
    Such an error can only ever be shown in English, on a page and in ``permed --lang zh``."""
    import ast
    import importlib
    import pkgutil

    import permed_atlas
    from permed_atlas.errors import PermedError

    found = []
    for info in pkgutil.walk_packages(permed_atlas.__path__, "permed_atlas."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        assert module.__file__ is not None
        with open(module.__file__, encoding="utf-8") as source:
            tree = ast.parse(source.read())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func
            name = getattr(callee, "id", None) or getattr(callee, "attr", None)
            if name == "fail" and len(node.args) == 2 and _is_text(node.args[1]):
                found.append(f"{info.name}:{node.lineno} fail")
            kind = getattr(module, name, None) if node.args and _is_text(node.args[0]) else None
            if isinstance(kind, type) and issubclass(kind, PermedError):
                found.append(f"{info.name}:{node.lineno} {name}")
    return found


def test_no_domain_error_is_raised_with_english_only_text() -> None:
    assert _plain_text_raises() == []


def test_the_scan_finds_an_error_raised_with_plain_text(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # the guard above must be able to fail: a module raising f"..." is reported
    import sys

    import permed_atlas

    package = tmp_path / "permed_atlas"
    package.mkdir()
    (package / "late_addition.py").write_text(
        "from permed_atlas.errors import ConflictError\n\n\n"
        "def refuse(n: int) -> None:\n"
        '    raise ConflictError(f"round {n} is closed")\n\n\n'
        "def read(where, value) -> None:\n"
        '    raise where.fail("title", "is missing")\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(permed_atlas, "__path__", [*permed_atlas.__path__, str(package)])
    monkeypatch.delitem(sys.modules, "permed_atlas.late_addition", raising=False)
    found = _plain_text_raises()
    assert "permed_atlas.late_addition:5 ConflictError" in found
    assert "permed_atlas.late_addition:9 fail" in found


# --- the messages a coordinator meets, in Chinese on the page --------------------------------


@pytest.fixture
def zh_coordinator(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("coord@example.org", "editor")
    login(client, "coord@example.org")
    client.cookies.set("permed_lang", "zh")
    return client


def _draft_round(client: TestClient) -> tuple[int, int]:
    created = client.post(
        "/delphi/new",
        data={"slug": "zh-errors", "languages": "en", "title": "Errors",
              "agree_share": "70", "exclude_share": "70"},
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303, created.text
    study_id = int(created.headers["location"].rstrip("/").split("/")[-1])
    client.post(f"/delphi/studies/{study_id}/pillars", data={"pillar": "P1", "title": "Data"})
    page = client.get(f"/delphi/studies/{study_id}", params={"lang": "en"}).text
    round_id = int(re.findall(r'href="/delphi/rounds/(\d+)">Round 1', page)[0])
    return study_id, round_id


def test_a_delphi_round_refuses_in_chinese_and_the_api_stays_english(
    zh_coordinator: TestClient,
) -> None:
    _, round_id = _draft_round(zh_coordinator)
    item = {"code": "A1", "statement": "Share data"}
    first = zh_coordinator.post(
        f"/delphi/rounds/{round_id}/items", data=item, follow_redirects=False
    )
    assert first.status_code == 303, first.text
    again = zh_coordinator.post(f"/delphi/rounds/{round_id}/items?lang=zh", data=item)
    assert again.status_code == 400
    assert "第 1 轮已有条目 'A1'" in again.text.replace("&#39;", "'")
    assert "already has an item" not in again.text
    close = zh_coordinator.post(f"/delphi/rounds/{round_id}/close?lang=zh")
    assert close.status_code == 400
    # the round's state is named in the reader's words too, not as the stored code
    assert "第 1 轮为 草稿 状态；只有开启中的轮次可以关闭" in close.text
    english = zh_coordinator.post(f"/delphi/rounds/{round_id}/close?lang=en")
    assert "round 1 is draft; only an open round can be closed" in english.text


def test_an_uploaded_responses_file_is_refused_in_chinese(zh_coordinator: TestClient) -> None:
    study_id, _ = _draft_round(zh_coordinator)
    upload = zh_coordinator.post(
        f"/delphi/studies/{study_id}/responses?lang=zh",
        files={"file": ("ratings.csv", b"expert,round\nanna,1\n", "text/csv")},
    )
    assert upload.status_code == 422
    text = upload.text
    assert "ratings.csv" in text and "缺少列（需要" in text and "missing column" not in text


def test_a_command_line_error_follows_permed_lang(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    from permed_atlas.cli import main

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path))
    for language, expected in (
        ("en", "error: no study 'nowhere'"),
        ("zh", "错误: 没有研究 'nowhere'"),
    ):
        monkeypatch.setattr(
            sys, "argv", ["permed", "--lang", language, "delphi", "publish", "nowhere"]
        )
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 1
        assert expected in " ".join(capsys.readouterr().err.split())


def test_a_data_file_problem_follows_permed_lang(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a reader's clause ("must start with https://") is translated inside the file's place
    import sys

    from permed_atlas.cli import main

    folder = tmp_path / "directory"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "entries:\n  - id: test-funder\n    kind: funder\n    summary: A funder\n"
        "    regions: [EU27]\n    url: ftp://example.org\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    lines = {}
    for language in ("en", "zh"):
        argv = ["permed", "--lang", language, "directory", "validate", str(folder)]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit):
            main()
        lines[language] = " ".join(capsys.readouterr().err.split())
    assert "a.yaml: entry 1 (test-funder): field 'url' must start with https://" in lines["en"]
    assert "字段 'url' 必须以 https:// 开头" in lines["zh"]
    assert "must start" not in lines["zh"]
