from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.indicators import LandscapeFilter
from permed_atlas.landscape.network import build_collaboration_graph, export_network


def test_country_graph_weights_are_shared_works(tagged) -> None:
    graph = build_collaboration_graph(tagged)
    assert set(graph.nodes) == {"DE", "CN", "HK", "FR", "US"}
    weights = {tuple(sorted(edge)): data["weight"] for *edge, data in graph.edges(data=True)}
    # DE-CN: works 1 and 6; DE-FR: 3; CN-FR: 4; DE-HK, CN-HK: 1; HK-US: 7
    assert weights == {
        ("CN", "DE"): 2,
        ("DE", "FR"): 1,
        ("CN", "FR"): 1,
        ("DE", "HK"): 1,
        ("CN", "HK"): 1,
        ("HK", "US"): 1,
    }
    assert graph.nodes["CN"]["works"] == 4 and graph.nodes["DE"]["label"] == "Germany"
    assert all(1 <= data["cluster"] <= 1000 for _, data in graph.nodes(data=True))


def test_institution_graph_and_filters(tagged) -> None:
    graph = build_collaboration_graph(tagged, LandscapeFilter(year_to=2020), level="institution")
    assert set(graph.nodes) == {"I1", "I2", "I3", "I4"}
    assert graph.edges["I1", "I2"]["weight"] == 1
    assert graph.nodes["I4"]["label"] == "Fudan University" and graph.degree("I4") == 0
    assert build_collaboration_graph(tagged, min_weight=2).number_of_edges() == 1


def test_gexf_reads_back(tagged, tmp_path: Path) -> None:
    files = export_network(tagged, tmp_path / "countries.gexf")
    graph = nx.read_gexf(files.paths[0])
    assert graph.number_of_nodes() == 5 and graph.number_of_edges() == 6
    assert graph.edges["CN", "DE"]["weight"] == 2


def test_vosviewer_map_and_network_files(tagged, tmp_path: Path) -> None:
    files = export_network(tagged, tmp_path / "vos", format="vosviewer")
    map_path, network_path = files.paths
    assert map_path.name == "vos_map.txt" and network_path.name == "vos_network.txt"
    with map_path.open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle, delimiter="\t"))
    assert list(items[0]) == [
        "id",
        "label",
        "cluster",
        "weight<Documents>",
        "weight<Links>",
        "weight<Total link strength>",
    ]
    by_label = {item["label"]: item for item in items}
    assert by_label["Germany"]["weight<Documents>"] == "3"
    assert by_label["Germany"]["weight<Total link strength>"] == "4"
    ids = {item["id"]: item["label"] for item in items}
    links = [line.split("\t") for line in network_path.read_text(encoding="utf-8").splitlines()]
    assert len(links) == 6 and all(len(link) == 3 for link in links)
    strengths = {frozenset((ids[a], ids[b])): int(s) for a, b, s in links}
    assert strengths[frozenset(("Germany", "China"))] == 2


def test_cli_network(corpus_file, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "net.gexf"
    result = runner.invoke(app, ["network", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == 5
    result = runner.invoke(
        app,
        [
            "network",
            "--level",
            "institution",
            "--format",
            "vosviewer",
            "--out",
            str(tmp_path / "inst"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "inst_map.txt").is_file() and (tmp_path / "inst_network.txt").is_file()
