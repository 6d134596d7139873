"""The network page's table of links: the strongest first, and a cut list says it is cut."""

from __future__ import annotations

import pytest

from permed_atlas.landscape import routes
from permed_atlas.landscape.schemas import NetworkEdgePublic


@pytest.fixture
def web(read_only_client):  # type: ignore[no-untyped-def]
    return read_only_client


def test_links_come_strongest_first(web) -> None:
    params = {"level": "institution", "lang": "en"}
    edges = web.get("/api/v1/landscape/network", params=params).json()["edges"]
    weights = [edge["weight"] for edge in edges]
    # The table shows the first 300: in the graph's own order they were any 300, not the top.
    assert len(set(weights)) > 1 and weights == sorted(weights, reverse=True)


def test_a_table_cut_to_300_links_says_so(web, monkeypatch) -> None:
    real = routes.network_public

    def many_links(*args, **kwargs):  # type: ignore[no-untyped-def]
        network = real(*args, **kwargs)
        extra = [NetworkEdgePublic(source=f"a{i}", target=f"b{i}", weight=1) for i in range(301)]
        return network.model_copy(update={"edges": [*network.edges, *extra]})

    monkeypatch.setattr(routes, "network_public", many_links)
    html = web.get("/landscape/network", params={"lang": "en"}).text
    assert 'data-testid="table-cut"' in html and "The 300 links with most shared works" in html
    assert html.count("<tr><td>") == 300
    zh = web.get("/landscape/network", params={"lang": "zh"}).text
    assert "共享作品最多的 300 条" in zh
    monkeypatch.setattr(routes, "network_public", real)
    assert 'data-testid="table-cut"' not in web.get("/landscape/network").text
