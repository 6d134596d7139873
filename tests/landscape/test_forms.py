"""Landscape forms keep your work: bad values answered inline in plain words, labels accepted."""

from __future__ import annotations

import re

import pytest

API = "/api/v1/landscape"


@pytest.fixture
def web(read_only_client):  # type: ignore[no-untyped-def]
    return read_only_client


def _problems(html: str) -> list[str]:
    block = re.search(r'data-testid="form-problems">(.*?)</div>', html, re.S)
    if block is None:
        return []
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.S)
    ]


@pytest.mark.parametrize(
    "path", ["/landscape/search", "/landscape/dashboard", "/landscape/network"]
)
def test_a_bad_year_is_named_in_plain_words_and_the_rest_still_applies(web, path: str) -> None:
    page = web.get(path, params={"year_from": "20x5", "kind": "publication"})
    assert page.status_code == 200
    problems = _problems(page.text)
    assert len(problems) == 1
    assert problems[0].startswith("From year:") and "four-digit year" in problems[0]
    assert "String should match pattern" not in page.text and "^\\d" not in page.text
    assert 'value="20x5"' in page.text  # what was typed is still in the field
    assert re.search(
        r"<option value=\"publication\" selected>publication</option>"
        r"|value=\"publication\"[^>]*checked",
        page.text,
    )


def test_every_bad_value_is_reported_not_only_the_first(web) -> None:
    page = web.get(
        "/landscape/dashboard",
        params={"year_from": "20x5", "year_to": "abcd", "topic": "astrology", "eu_cn": "maybe"},
    )
    assert page.status_code == 200
    fields = re.findall(r'<li data-field="([a-z_]+)"', page.text)
    assert sorted(fields) == ["eu_cn", "topic", "year_from", "year_to"]
    assert 'value="astrology"' in page.text and 'aria-invalid="true"' in page.text


def test_overlong_search_text_is_refused_inline(web) -> None:
    page = web.get("/landscape/search", params={"q": "gene " * 200})
    assert page.status_code == 200
    (problem,) = _problems(page.text)
    assert problem.startswith("Search text:") and "1,000 characters long; at most 500" in problem


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Pharmacogenomics", "pharmacogenomics"),
        ("oncology", "oncology"),
        ("AI and data", "ai_data"),
    ],
)
def test_topic_labels_shown_on_the_page_are_accepted(web, label: str, code: str) -> None:
    by_label = web.get(f"{API}/search", params={"topic": label})
    by_code = web.get(f"{API}/search", params={"topic": code})
    assert by_label.status_code == 200, by_label.text
    assert by_label.json()["total"] == by_code.json()["total"]
    page = web.get("/landscape/dashboard", params={"topic": label})
    assert page.status_code == 200 and _problems(page.text) == []


@pytest.mark.parametrize("name", ["Germany", "germany", "DEU", "de"])
def test_countries_by_name_or_code(web, name: str) -> None:
    total = web.get(f"{API}/search", params={"country": "DE"}).json()["total"]
    response = web.get(f"{API}/search", params={"country": name})
    assert response.status_code == 200 and response.json()["total"] == total > 0


def test_the_api_keeps_strict_422s(web) -> None:
    response = web.get(f"{API}/dashboard", params={"year_from": "20x5"})
    assert response.status_code == 422 and response.json()["field"] == "year_from"
    assert web.get(f"{API}/search", params={"topic": "astrology"}).status_code == 422


def test_the_filter_form_offers_autocomplete(web) -> None:
    html = web.get("/landscape/dashboard").text
    assert 'list="country-options"' in html and 'list="topic-options"' in html
    assert '<option value="Germany">DE</option>' in html
    # the label is what is typed (and read back); the code is not shown
    assert '<option value="Pharmacogenomics" data-code="pharmacogenomics"></option>' in html
