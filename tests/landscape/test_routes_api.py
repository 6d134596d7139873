"""The landscape's JSON API (/api/v1/landscape/...), including bad input."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pyarrow.parquet as pq
import pytest

from permed_atlas.landscape.store.indicators import INDICATOR_NAMES

API = "/api/v1/landscape"


@pytest.fixture
def api(read_only_client):  # type: ignore[no-untyped-def]
    return read_only_client


def test_search_returns_hits_facets_and_stable_links(api) -> None:
    body = api.get(
        f"{API}/search", params={"q": "lung cancer", "region": "EU27", "country": "CN"}
    ).json()
    assert body["total"] >= 1 and body["hits"][0]["work_id"] == 1
    assert body["hits"][0]["url"] == "/landscape/works/1"
    assert body["terms"] == ["lung", "cancer"]
    assert body["query"]["region"] == ["EU27"] and body["query"]["country"] == ["CN"]
    countries = {f["value"]: f for f in body["facets"]["country"]}
    assert countries["CN"]["selected"] and countries["CN"]["label"] == "China"
    assert countries["CN"]["count"] == body["total"]
    assert body["links"]["self"] == f"{API}/search?q=lung+cancer&region=EU27&country=CN"
    again = api.get(body["links"]["self"]).json()
    assert again["total"] == body["total"] and again["hits"] == body["hits"]


def test_search_paging_and_sorting(api) -> None:
    first = api.get(f"{API}/search", params={"sort": "citations", "page_size": 7}).json()
    second = api.get(
        f"{API}/search", params={"sort": "citations", "page_size": 7, "page": 2}
    ).json()
    assert first["pages"] == 18 and len(first["hits"]) == 7
    cited = [h["cited_by_count"] for h in first["hits"] + second["hits"]]
    assert cited == sorted(cited, reverse=True)
    assert not {h["work_id"] for h in first["hits"]} & {h["work_id"] for h in second["hits"]}


def test_facet_counts_update_with_the_query(api) -> None:
    everything = api.get(f"{API}/search").json()
    narrowed = api.get(f"{API}/search", params={"kind": "patent", "eu_cn": "no"}).json()
    kinds_all = {f["value"]: f["count"] for f in everything["facets"]["kind"]}
    kinds = {f["value"]: f["count"] for f in narrowed["facets"]["kind"]}
    assert kinds == {"patent": narrowed["total"]} and narrowed["total"] <= kinds_all["patent"]
    assert {f["value"] for f in narrowed["facets"]["eu_cn"]} == {"false"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 1000}, "page_size"),
        ({"page_size": -1}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": 9999, "page_size": 100}, "page"),
        ({"year_from": "20x0"}, "year_from"),
        ({"year_from": "2020", "year_to": "2010"}, "year_from"),
        ({"kind": "book"}, "kind"),
        ({"sort": "title desc; drop table works"}, "sort"),
        ({"eu_cn": "maybe"}, "eu_cn"),
        ({"country": "XX"}, "country"),
        ({"country": "' OR 1=1 --"}, "country"),
        ({"region": "NOWHERE"}, "region"),
        ({"institution": "../../../etc/passwd"}, "institution"),
        ({"topic": "x" * 301}, "topic"),
        ({"q": "x" * 501}, "q"),
        ({"q": "*** ((( )))"}, "q"),
    ],
)
def test_bad_search_input_is_4xx_naming_the_field(api, params, field) -> None:
    response = api.get(f"{API}/search", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == field
    assert "Traceback" not in response.text and "duckdb" not in response.text.lower()


def test_export_csv_and_parquet(api) -> None:
    total = api.get(f"{API}/search", params={"q": "cancer"}).json()["total"]
    csv = api.get(f"{API}/search/export", params={"q": "cancer", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert len(csv.text.strip().splitlines()) == total + 1
    assert csv.headers["X-Total-Count"] == str(total)
    parquet = api.get(f"{API}/search/export", params={"q": "cancer", "format": "parquet"})
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == total
    assert api.get(f"{API}/search/export", params={"format": "xlsx"}).status_code == 422


def test_work_has_fields_people_tags_explanation_and_links(api) -> None:
    body = api.get(f"{API}/works/1").json()
    assert body["work"]["title"].startswith("Precision medicine in lung cancer")
    assert body["work"]["doi"] == "10.5555/web.1"
    assert [(c["name"], c["affiliations"][0]["country_code"]) for c in body["contributors"]] == [
        ("Person 1-1", "DE"),
        ("Person 1-2", "CN"),
    ]
    assert body["countries"] == ["CN", "DE"] and "EU27" in body["regions"]
    assert body["eu_cn"] is True and body["pm_relevant"] is True
    assert any(t["topic"] == "oncology" for t in body["topics"])
    labels = {link["label"]: link["url"] for link in body["links"]}
    assert labels["DOI"] == "https://doi.org/10.5555/web.1"
    assert labels["OpenAlex"] == "https://openalex.org/W9001"
    assert body["explanation"]["eu_cn"] is True and body["explanation"]["hits"]
    assert body["terms"]["mesh"] == ["Lung Neoplasms", "Precision Medicine"]


def test_patent_links_go_to_lens_and_espacenet(api) -> None:
    labels = {link["label"]: link["url"] for link in api.get(f"{API}/works/10").json()["links"]}
    assert labels["Lens"] == "https://www.lens.org/lens/patent/010-000-000-000-000"
    assert labels["Espacenet"].endswith("pn%3DEP3000010A1")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/works/99999", 404),
        ("/works/0", 422),
        ("/works/abc", 422),
        ("/works/1;DROP", 422),
        ("/works/..%2F..%2Fetc%2Fpasswd", 404),
        ("/works/99999999999999999999999", 422),
    ],
)
def test_bad_work_ids(api, path, status) -> None:
    response = api.get(API + path)
    assert response.status_code == status
    assert "detail" in response.json()


def test_dashboard_has_every_indicator_and_chart(api) -> None:
    body = api.get(f"{API}/dashboard").json()
    assert set(body["indicators"]) == set(INDICATOR_NAMES)
    assert {"output", "copublications", "institutions", "topic_trends", "patents"} <= set(
        body["charts"]
    )
    assert body["charts"]["output"]["mark"]["type"] == "line"
    totals = [r for r in body["indicators"]["output"]["rows"] if r["region"] == "ALL"]
    assert sum(r["works"] for r in totals) == 120


def test_dashboard_filters_with_the_same_facets(api) -> None:
    everything = api.get(f"{API}/dashboard").json()
    patents = api.get(f"{API}/dashboard", params={"kind": "patent", "country": "CN"}).json()
    total = sum(r["works"] for r in patents["indicators"]["output"]["rows"] if r["region"] == "ALL")
    search_total = api.get(f"{API}/search", params={"kind": "patent", "country": "CN"}).json()[
        "total"
    ]
    assert total == search_total < 120
    assert patents["filter"]["kind"] == "patent" and patents["filter"]["country"] == "CN"
    assert everything["indicators"]["output"]["csv_url"].endswith("format=csv")


def test_indicator_as_csv_and_json(api) -> None:
    rows = api.get(f"{API}/dashboard/output", params={"kind": "publication"}).json()
    csv = api.get(f"{API}/dashboard/output", params={"kind": "publication", "format": "csv"})
    assert (
        csv.status_code == 200 and csv.text.splitlines()[0] == "region,year,works,pm_relevant,eu_cn"
    )
    assert len(csv.text.strip().splitlines()) == len(rows) + 1
    assert api.get(f"{API}/dashboard/nonsense").status_code == 422
    assert api.get(f"{API}/dashboard/output", params={"format": "xlsx"}).status_code == 422
    assert api.get(f"{API}/dashboard", params={"regions": "MARS"}).json()["field"] == "regions"
    assert api.get(f"{API}/dashboard", params={"topic": "astrology"}).status_code == 422


def test_network_json_and_downloads(api) -> None:
    body = api.get(f"{API}/network", params={"level": "country"}).json()
    ids = {n["id"] for n in body["nodes"]}
    assert {"DE", "CN"} <= ids and body["edges"]
    assert all(
        e["source"] in ids and e["target"] in ids and e["weight"] >= 1 for e in body["edges"]
    )
    gexf = api.get(body["downloads"]["gexf"])
    assert gexf.status_code == 200
    root = ET.fromstring(gexf.content)
    assert root.tag.endswith("gexf") and len(root.findall(".//{*}node")) == len(body["nodes"])
    vos = api.get(body["downloads"]["vosviewer"])
    names = zipfile.ZipFile(io.BytesIO(vos.content)).namelist()
    assert sorted(names) == [
        "permed-atlas-country-network_map.txt",
        "permed-atlas-country-network_network.txt",
    ]
    institutions = api.get(f"{API}/network", params={"level": "institution", "max_nodes": 5}).json()
    assert len(institutions["nodes"]) <= 5
    assert api.get(f"{API}/network", params={"level": "planet"}).status_code == 422
    assert api.get(f"{API}/network", params={"max_nodes": 10**6}).status_code == 422


def test_dashboard_charts_use_facet_labels_and_explain_a_fixed_share(api) -> None:
    body = api.get(f"{API}/dashboard").json()
    search = api.get(f"{API}/search").json()["facets"]
    facet_names = {f["value"]: f["label"] for f in search["region"]}
    # The chart legends name regions exactly as the search page's facets do.
    legend = body["charts"]["output"]["encoding"]["color"]["scale"]["domain"]
    assert facet_names["EU27"] in legend and "EU27" not in legend
    assert body["region_labels"]["EU27"] == facet_names["EU27"]
    assert body["small_base"] == 30 and body["chart_notes"]["copublications"] == []
    fixed = api.get(f"{API}/dashboard", params={"eu_cn": "yes"}).json()
    assert len(fixed["charts"]["copublications"]["vconcat"]) == 1
    assert "100% by construction" in fixed["chart_notes"]["copublications"][0]


def test_network_json_lists_regions_keeps_the_filter_and_colours_eu_and_china(api) -> None:
    body = api.get(
        f"{API}/network",
        params={"level": "institution", "region": "EU27", "eu_cn": "yes", "min_weight": 1},
    ).json()
    assert "EU27" in body["regions"] and "CN" in body["regions"]
    assert body["filter"]["region"] == "EU27" and body["filter"]["eu_cn"] is True
    assert body["max_nodes"] == 100 and body["min_weight"] == 1
    sides = {s["key"]: s for s in body["legend"]["sides"]}
    assert sides["EU27"]["colour"] == "#0072B2" and sides["CN"]["colour"] == "#D55E00"
    by_id = {n["id"]: n for n in body["nodes"]}
    assert any(n["side"] == "CN" for n in by_id.values())
    assert all(n["side_colour"] == sides[n["side"]]["colour"] for n in by_id.values())
    assert sum(s["nodes"] for s in sides.values()) == len(by_id)
    clusters = body["legend"]["clusters"]
    assert sum(c["nodes"] for c in clusters) == len(by_id)
    colour_of = {c["cluster"]: c["colour"] for c in clusters}
    assert all(n["cluster_colour"] == colour_of[n["cluster"]] for n in by_id.values())


def test_empty_corpus_gives_empty_results_not_errors(client) -> None:
    body = client.get(f"{API}/search").json()
    assert body["total"] == 0 and body["hits"] == []
    assert client.get(f"{API}/works/1").status_code == 404
