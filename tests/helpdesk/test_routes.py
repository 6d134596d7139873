"""Helpdesk pages and their JSON twins, including bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest

EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def test_api_ask_answers_the_example(read_only_client) -> None:  # type: ignore[no-untyped-def]
    response = read_only_client.get("/api/v1/helpdesk/ask", params={"q": EXAMPLE})
    assert response.status_code == 200
    data = response.json()
    assert data["countries"] == ["DE", "CN"]
    assert [g["country"] for g in data["by_country"]] == ["DE", "CN"]
    rules = {o["rule_id"] for o in data["transfer"]["assessment"]["obligations"]}
    assert {"hgr-art27-materials-export", "hgr-art22-cooperation-approval"} <= rules
    assert "Guidance, not legal advice" in data["transfer"]["disclaimer"]


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/helpdesk/ask?q=", 422, "question"),
        ("/api/v1/helpdesk/ask?q=%20%20", 422, "question"),
        ("/api/v1/helpdesk/ask", 422, "q"),
        ("/api/v1/helpdesk/compare?topic=visa&country=DE&country=CN", 422, "topic"),
        ("/api/v1/helpdesk/compare?topic=ethics_review&country=DE&country=QQ", 422, "country"),
        ("/api/v1/helpdesk/compare?topic=ethics_review&country=DE", 422, "country"),
        ("/api/v1/helpdesk/entries?country=Germany", 422, "country"),
        ("/api/v1/helpdesk/entries?topic=visa", 422, "topic"),
        ("/api/v1/helpdesk/entries/no-such-entry", 404, None),
    ],
)
def test_api_bad_input_is_a_clear_4xx(read_only_client, url: str, status: int, field) -> None:  # type: ignore[no-untyped-def]
    response = read_only_client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field
    assert body["detail"]


def test_api_compare_entries_and_topics(read_only_client) -> None:  # type: ignore[no-untyped-def]
    data = read_only_client.get(
        "/api/v1/helpdesk/compare", params={"topic": "ethics_review", "country": ["DE", "CN"]}
    ).json()
    assert [c["country"] for c in data["columns"]] == ["DE", "CN"]
    assert data["columns"][1]["entries"][0]["id"] == "cn-ethics-review-2023"
    listed = read_only_client.get(
        "/api/v1/helpdesk/entries", params={"country": "CN", "topic": "human_genetic_resources"}
    )
    assert {e["id"] for e in listed.json()["entries"]} >= {"cn-hgr-materials-export"}
    entry = read_only_client.get("/api/v1/helpdesk/entries/cn-nmpa-ind").json()
    assert entry["country"] == "CN" and entry["references"][0]["text"].startswith("Drug Admin")
    assert read_only_client.get("/api/v1/helpdesk/topics").json()["funding"] == "Funding"


def test_question_page_groups_by_country_with_references(read_only_client) -> None:  # type: ignore[no-untyped-def]
    response = read_only_client.get(f"/helpdesk/?q={quote(EXAMPLE)}")
    assert response.status_code == 200
    html = response.text
    assert 'data-testid="country-DE"' in html and 'data-testid="country-CN"' in html
    assert 'data-entry="cn-hgr-materials-export"' in html
    assert "HGR Regulations, Art. 27" in html  # the assessor's obligation with its reference
    assert 'data-testid="transfer-result"' in html and "not legal advice" in html
    assert "/api/v1/helpdesk/ask?q=" in html
    assert read_only_client.get("/helpdesk/").status_code == 200


def test_question_page_empty_question_is_422_with_the_form(read_only_client) -> None:  # type: ignore[no-untyped-def]
    response = read_only_client.get("/helpdesk/?q=")
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.text and "question" in response.text


def test_compare_page(read_only_client) -> None:  # type: ignore[no-untyped-def]
    assert read_only_client.get("/helpdesk/compare").status_code == 200
    page = read_only_client.get("/helpdesk/compare?topic=trial_authorisation&country=DE&country=CN")
    assert page.status_code == 200
    assert 'data-testid="column-DE"' in page.text and 'data-entry="cn-nmpa-ind"' in page.text
    bad = read_only_client.get("/helpdesk/compare?topic=nope&country=DE&country=CN")
    assert bad.status_code == 422 and "unknown topic" in bad.text


def test_entry_pages(read_only_client) -> None:  # type: ignore[no-untyped-def]
    page = read_only_client.get("/helpdesk/entries/eu-ctr-authorisation")
    assert page.status_code == 200
    assert "Regulation (EU) No 536/2014" in page.text and "2026-11-23" in page.text
    assert read_only_client.get("/helpdesk/entries/nope").status_code == 404
    listing = read_only_client.get("/helpdesk/entries?country=DE")
    assert listing.status_code == 200 and 'data-entry="eu-ctr-authorisation"' in listing.text
    unknown = read_only_client.get("/helpdesk/entries?country=XX")
    assert unknown.status_code == 200 and '<li data-field="country">' in unknown.text
    assert read_only_client.get("/api/v1/helpdesk/entries?country=XX").status_code == 422


def test_funding_question_lists_directory_programmes(app, client) -> None:  # type: ignore[no-untyped-def]
    try:
        from permed_atlas.directory import load_seed_directory
    except ImportError:
        pytest.skip("the directory capability is not installed")
    with app.state.session_factory() as session:
        load_seed_directory(session, settings=app.state.settings)
        session.commit()
    data = client.get("/api/v1/helpdesk/ask", params={
        "q": "Which funding programmes support a German-Chinese personalised medicine project?"
    }).json()  # fmt: skip
    assert data["about_funding"] and data["funding"], data["funding_note"]
    assert all(item["kind"] in {"programme", "call", "funder"} for item in data["funding"])
    assert client.get(f"/directory/{data['funding'][0]['id']}").status_code == 200
    page = client.get("/helpdesk/entries/eu-ep-permed")
    assert 'data-testid="directory-links"' in page.text
    assert "not in the directory yet" not in page.text


def test_funding_without_directory_rows_says_so(read_only_client) -> None:  # type: ignore[no-untyped-def]
    params = {"q": "grants for trials in Spain"}
    data = read_only_client.get("/api/v1/helpdesk/ask", params=params).json()
    assert data["about_funding"] and data["funding"] == [] and data["funding_note"]
    assert any(e["entry"]["id"] == "es-isciii-aes" for e in data["by_country"][0]["entries"])


def test_a_chinese_question_is_answered_with_chinese_titles(read_only_client) -> None:  # type: ignore[no-untyped-def]
    question = "在中国开展国际合作临床试验，人类遗传资源需要审批吗？"
    data = read_only_client.get("/api/v1/helpdesk/ask", params={"q": question}).json()
    assert data["countries"] == ["CN"]
    ids = [e["entry"]["id"] for g in data["by_country"] for e in g["entries"]]
    assert "cn-hgr-cooperation-approval" in ids[:3] or "cn-hgr-trial-filing" in ids[:3]
    page = read_only_client.get("/helpdesk/", params={"q": question})
    assert page.status_code == 200 and "has no words to search for" not in page.text
    assert 'lang="zh" data-testid="title-zh">国际合作临床试验备案<' in page.text
