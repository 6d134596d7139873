"""The landscape's pages (/landscape/...): what a reader sees, and that each links its JSON twin."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def web(read_only_client):  # type: ignore[no-untyped-def]
    return read_only_client


def test_landscape_root_redirects_to_search(web) -> None:
    response = web.get("/landscape/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/landscape/search"


def test_search_page_shows_results_facets_and_exports(web) -> None:
    page = web.get("/landscape/search", params={"q": "lung cancer", "region": "EU27"})
    assert page.status_code == 200
    html = page.text
    assert "Precision medicine in lung cancer" in html
    assert 'href="/landscape/works/1"' in html
    assert re.search(r'name="region" value="EU27" checked', html)
    assert 'value="lung cancer"' in html
    assert 'href="/api/v1/landscape/search?q=lung+cancer&amp;region=EU27"' in html
    assert "format=csv" in html and "format=parquet" in html
    assert '<link rel="alternate" type="application/json"' in html


def test_search_page_escapes_what_the_user_typed(web) -> None:
    page = web.get("/landscape/search", params={"q": "<script>alert(1)</script> lung"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_search_page_paging_links(web) -> None:
    html = web.get("/landscape/search", params={"page_size": 10}).text
    assert "page 1 of 12" in html and 'rel="next"' in html and "page=2" in html


def test_bad_input_is_answered_inline_and_missing_works_are_404(web) -> None:
    page = web.get("/landscape/search", params={"country": "Narnia"})
    assert page.status_code == 200 and 'data-testid="form-problems"' in page.text
    assert "Narnia" in page.text and "<html" in page.text
    assert web.get("/landscape/works/424242").status_code == 404


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/landscape/search.csv", {"country": "Narnia"}),
        ("/landscape/search.parquet", {"country": "ZZ"}),
        ("/landscape/search.csv", {"year_from": "20x5"}),
    ],
)
def test_a_download_with_a_bad_filter_is_refused_not_the_whole_corpus(web, path, params) -> None:
    # The page is served again without the bad value; the file must not be, or the
    # "filtered" export holds every work while the JSON export answers 422.
    download = web.get(path, params=params)
    assert download.status_code == 422
    assert "X-Total-Count" not in download.headers
    api = web.get("/api/v1/landscape/search/export", params=params)
    assert api.status_code == 422
    assert web.get("/landscape/search.csv", params={"country": "IS"}).text.count("\n") == 1


def test_work_page(web) -> None:
    html = web.get("/landscape/works/1").text
    assert "Precision medicine in lung cancer" in html
    assert "Person 1-1" in html and "Germany" not in html or "DE" in html
    assert 'href="https://doi.org/10.5555/web.1"' in html
    assert "Why these tags" in html and "EU–China collaboration: EU-27 DE and China CN" in html
    assert 'href="/api/v1/landscape/works/1"' in html


def test_dashboard_page_embeds_charts_with_downloads(web) -> None:
    html = web.get("/landscape/dashboard", params={"kind": "publication"}).text
    for name in ("output", "copublications", "institutions", "topic_trends", "patents"):
        assert f'data-chart="{name}"' in html
        assert f"/api/v1/landscape/dashboard/{name}?format=csv&amp;kind=publication" in html
    assert 'data-export="png"' in html and 'data-export="svg"' in html
    assert "/static/vendor/vega/vega-embed-7.3.0.min.js" in html
    assert 'id="chart-specs"' in html


def test_network_page(web) -> None:
    html = web.get("/landscape/network").text
    assert "/static/vendor/vis-network/vis-network-10.1.5.min.js" in html
    assert "GEXF" in html and "VOSviewer" in html and 'id="network-data"' in html


def test_network_form_lists_regions_and_keeps_every_filter(web) -> None:
    html = web.get(
        "/landscape/network",
        params={
            "region": "EU27",
            "eu_cn": "yes",
            "pm_relevant": "no",
            "kind": "publication",
            "level": "institution",
            "max_nodes": "40",
            "min_weight": "2",
            "year_from": "2003",
        },
    ).text
    assert '<option value="EU27" selected>European Union (27 member states)</option>' in html
    assert '<option value="CN" >China</option>' in html
    assert '<option value="yes" selected>yes</option>' in html
    assert '<option value="no" selected>no</option>' in html
    assert '<option value="publication" selected>publication</option>' in html
    assert '<option value="institution" selected>institutions</option>' in html
    assert 'name="max_nodes" value="40"' in html and 'name="min_weight" value="2"' in html
    assert 'name="year_from" value="2003"' in html
    assert 'data-testid="legend-side"' in html and 'data-testid="legend-cluster"' in html


def test_dashboard_shows_chart_notes(web) -> None:
    html = web.get("/landscape/dashboard", params={"eu_cn": "yes"}).text
    assert 'data-testid="note-copublications"' in html and "100% by construction" in html
    assert "fewer than 30 works is marked as small" in html
    cited = html[html.index('data-testid="top-cited"') :]
    assert "China" in cited  # every EU–China work lists China by name
    assert not re.search(r"<td>[A-Z]{2}(, [A-Z]{2})*</td>", cited)
