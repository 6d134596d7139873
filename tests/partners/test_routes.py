"""/partners pages and /api/v1/partners JSON on a hand-built corpus."""

from __future__ import annotations

import pytest

from permed_atlas.partners import build_profiles
from permed_atlas.settings import Settings

from ._corpus import FINDER_PAPERS, make_corpus


@pytest.fixture
def built(settings: Settings) -> Settings:
    settings.ensure_data_dir()
    with make_corpus(settings.corpus_path, FINDER_PAPERS, settings) as connection:
        build_profiles(connection)
    return settings


def test_pages(built: Settings, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/partners/")
    assert page.status_code == 200 and 'data-testid="partner-form"' in page.text
    found = client.get("/partners/", params={"kind": "author", "q": "A1"})
    assert found.status_code == 200
    results = found.text[found.text.index('data-testid="results"') :]
    assert results.index(">Li Wei</a>") < results.index('data-testid="match-country"')
    assert 'href="/partners/authors/A4"' in results and "Wang Fang" not in results
    assert "shared terms:" in results and "via Marc Dubois and Chen Hao" in results
    assert 'href="/api/v1/partners/find?kind=author&amp;q=A1"' in found.text
    profile = client.get("/partners/authors/A1")
    assert profile.status_code == 200
    assert "Anna Schmidt" in profile.text and "Charité Berlin" in profile.text
    assert 'href="/partners/authors/A3"' in profile.text  # co-author Wang Fang, linked
    assert 'data-testid="output-table"' in profile.text and "<td>2021</td>" in profile.text
    missing = client.get("/partners/authors/A404")
    assert missing.status_code == 404
    empty = client.get("/partners/", params={"kind": "text", "q": "  "})
    assert empty.status_code == 422 and "empty" in empty.text


def test_json_api(built: Settings, client) -> None:  # type: ignore[no-untyped-def]
    status = client.get("/api/v1/partners/status").json()
    assert status["built"] is True and int(status["meta"]["authors"]) == 7
    data = client.get(
        "/api/v1/partners/find",
        params={"kind": "text", "q": "warfarin CYP2C9 pharmacogenomics", "limit": 2},
    ).json()
    assert data["searched_region"] == "CN" and len(data["matches"]) == 2
    assert data["weights"] == {
        "similarity": 0.6,
        "activity": 0.25,
        "network": 0.15,
        "coauthor_penalty": 0.5,
    }
    first = data["matches"][0]
    assert first["country_code"] == "CN" and first["reasons"]
    assert {"kind", "text"} == set(first["reasons"][0])
    author = client.get("/api/v1/partners/authors/A4").json()
    assert author["name"] == "Li Wei" and author["works_by_year"] == [[2020, 1], [2023, 1]]
    assert client.get("/api/v1/partners/authors/nobody").status_code == 404
    assert (
        client.get("/api/v1/partners/find", params={"kind": "topic", "q": "astro"}).status_code
        == 404
    )
    assert (
        client.get(
            "/api/v1/partners/find", params={"kind": "institution", "q": "Nowhere U"}
        ).status_code
        == 404
    )
    bad = client.get("/api/v1/partners/find", params={"kind": "text", "q": "x", "limit": 500})
    assert bad.status_code == 422 and bad.json()["field"] == "limit"
    empty = client.get("/api/v1/partners/find", params={"kind": "text", "q": " "})
    assert empty.status_code == 422


def test_clear_message_before_profiles_are_built(settings: Settings, web_corpus, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/partners/", params={"q": "cancer"})
    assert page.status_code == 200 and 'data-testid="not-built"' in page.text
    api = client.get("/api/v1/partners/find", params={"kind": "text", "q": "cancer"})
    assert api.status_code == 400 and "permed partners build" in api.json()["detail"]
    assert client.get("/api/v1/partners/status").json()["built"] is False
