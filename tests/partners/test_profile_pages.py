"""Profiles list their works; partial names find candidates; the embeddings option explained."""

from __future__ import annotations

import re

import pytest

from permed_atlas.partners import build_profiles
from permed_atlas.partners.errors import UnknownAuthorError
from permed_atlas.partners.index import load_index
from permed_atlas.partners.store import profile_of
from permed_atlas.settings import Settings

from ._corpus import FINDER_PAPERS, make_corpus


@pytest.fixture
def built(settings: Settings) -> Settings:
    settings.ensure_data_dir()
    with make_corpus(settings.corpus_path, FINDER_PAPERS, settings) as connection:
        build_profiles(connection)
    return settings


def test_profile_lists_works_newest_first(built: Settings, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/partners/authors/A1")
    assert page.status_code == 200
    works = page.text[page.text.index('data-testid="works"') :]
    works = works[: works.index("</ol>")]
    listed = re.findall(r'<a href="/landscape/works/(\d+)">([^<]+)</a> \((\d{4})\)', works)
    # Anna Schmidt wrote papers 1 (2019), 2 (2021) and 3 (2022) of the corpus.
    assert [(int(i), int(y)) for i, _, y in listed] == [(3, 2022), (2, 2021), (1, 2019)]
    assert listed[0][1] == "VKORC1 genotype guided warfarin anticoagulation"
    assert "Li Wei" not in works
    data = client.get("/api/v1/partners/authors/A4").json()
    assert [(w["work_id"], w["year"]) for w in data["works"]] == [(5, 2023), (4, 2020)]
    landscape = client.get("/landscape/works/3")
    assert landscape.status_code == 200 and "VKORC1 genotype guided" in landscape.text


def test_partial_names(built: Settings, client) -> None:  # type: ignore[no-untyped-def]
    one = client.get("/partners/authors/schmidt")  # one researcher fits: the profile
    assert one.status_code == 200 and "Anna Schmidt" in one.text
    several = client.get("/partners/authors/li")  # Liu Yang and Li Wei
    assert several.status_code == 200 and "no researcher profile" not in several.text
    keys = re.findall(r'<li data-key="([^"]+)"', several.text)
    assert keys == ["A6", "A4"]  # the busier researcher first
    assert 'href="/partners/authors/A4"' in several.text
    none = client.get("/partners/authors/zzqx")
    assert none.status_code == 404 and "no researcher matches" in none.text and "zzqx" in none.text
    finder = client.get("/partners/", params={"kind": "author", "q": "li"})
    assert finder.status_code == 200 and 'data-testid="candidates"' in finder.text
    assert re.findall(r'<li data-key="([^"]+)"', finder.text) == ["A6", "A4"]
    unique = client.get("/partners/", params={"kind": "author", "q": "Schmid"})
    assert unique.status_code == 200 and 'data-testid="results"' in unique.text
    api = client.get("/api/v1/partners/find", params={"kind": "author", "q": "li"})
    assert api.status_code == 404 and "fits 2 researchers" in api.text and "Li Wei" in api.text


def test_candidates_in_the_store(built: Settings) -> None:
    with _open(built) as conn:
        with pytest.raises(UnknownAuthorError) as caught:
            profile_of(conn, "wang li")  # no name holds both words
        assert caught.value.candidates == ()
        with pytest.raises(UnknownAuthorError) as caught:
            profile_of(conn, "an")  # Anna Schmidt, Wang Fang, Liu Yang, Chen Hao: several
        names = [c.name for c in caught.value.candidates]
        assert names and all("an" in n.lower() for n in names)
        assert profile_of(conn, "WANG").name == "Wang Fang"  # case does not matter
        assert len(load_index(conn).author_candidates("a")) == 0  # one letter says nothing


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    import duckdb

    return duckdb.connect(str(settings.corpus_path), read_only=True)


def test_embeddings_explained_where_the_extra_is_missing(  # type: ignore[no-untyped-def]
    built: Settings, client, monkeypatch
) -> None:
    # The extra is installed in the test venv; the route's check is what a server without
    # it answers, so that one function stands in for the missing packages.
    import permed_atlas.partners.routes as routes

    ready = client.get("/partners/")
    assert "semantic embeddings</option>" in ready.text and "not installed" not in ready.text
    monkeypatch.setattr(routes, "embeddings_available", lambda: False)
    page = client.get("/partners/")
    assert page.status_code == 200
    assert re.search(
        r'<option value="embeddings" disabled>semantic embeddings \(not installed', page.text
    )
    assert (
        "pip install &#39;permed-atlas[embeddings]&#39;" in page.text
        or "permed-atlas[embeddings]" in page.text
    )
    asked = client.get(
        "/partners/", params={"kind": "text", "q": "warfarin", "method": "embeddings"}
    )
    assert asked.status_code == 200 and 'data-testid="results"' in asked.text
    assert 'data-testid="method-notice"' in asked.text and "finder-error" not in asked.text
