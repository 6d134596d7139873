"""Collaboration networks of countries or institutions, for Gephi and VOSviewer.

Nodes are countries (ISO codes) or institutions; an edge joins two nodes that
share works, weighted by the number of works they share (co-publications, or
co-owned patents). DuckDB counts the pairs; networkx holds the graph, finds
clusters (Louvain, fixed seed, so files are reproducible) and writes GEXF.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import networkx as nx
import pycountry

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.filters import NO_FILTER, LandscapeFilter
from permed_atlas.landscape.store.network import (
    NetworkLevel,
    collaboration_rows,
)
from permed_atlas.outputfiles import written_beside, written_together

NetworkFormat = Literal["gexf", "vosviewer"]


def _country_label(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "name", code) if country is not None else code


def build_collaboration_graph(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter = NO_FILTER,
    *,
    level: NetworkLevel = "country",
    max_nodes: int = 500,
    min_weight: int = 1,
) -> nx.Graph:
    """A weighted collaboration graph of the filtered works.

    :param connection: a tagged corpus.
    :param flt: the facets restricting the works.
    :param level: ``country`` or ``institution``.
    :param max_nodes: keep the nodes with most works (institution maps get unreadable beyond).
    :param min_weight: drop edges with fewer shared works.
    """
    node_rows, edge_rows = collaboration_rows(
        connection, flt, level=level, max_nodes=max_nodes, min_weight=min_weight
    )
    graph = nx.Graph(level=level)
    for node, label, country, works in node_rows:
        text = _country_label(label) if level == "country" else str(label)
        graph.add_node(str(node), label=text, country=country or "", works=int(works))
    for source, target, weight in edge_rows:
        graph.add_edge(str(source), str(target), weight=int(weight))
    _assign_clusters(graph)
    return graph


def _assign_clusters(graph: nx.Graph) -> None:
    if graph.number_of_nodes() == 0:
        return
    communities = nx.community.louvain_communities(graph, weight="weight", seed=42)
    ordered = sorted(communities, key=lambda nodes: (-len(nodes), min(nodes)))
    for index, nodes in enumerate(ordered, start=1):
        for node in nodes:
            # VOSviewer accepts clusters 1..1000; the tail of tiny clusters shares the last one.
            graph.nodes[node]["cluster"] = min(index, 1000)


@dataclass(frozen=True, slots=True)
class NetworkFiles:
    """The files written for one network."""

    paths: tuple[Path, ...]
    nodes: int
    edges: int


def write_gexf(graph: nx.Graph, path: Path) -> NetworkFiles:
    """Write ``graph`` as GEXF 1.2 (Gephi).

    :param graph: from :func:`build_collaboration_graph`.
    :param path: the .gexf file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = nx.readwrite.gexf.GEXFWriter(version="1.2draft")
    writer.add_graph(graph)
    # networkx writes <graph name="">, an attribute the GEXF 1.2draft schema does not define;
    # Gephi and schema-validating readers reject the file with it.
    for graph_element in writer.xml.iter("graph"):
        graph_element.attrib.pop("name", None)
    with written_beside(path) as tmp:
        writer.write(tmp)
    return NetworkFiles((path,), graph.number_of_nodes(), graph.number_of_edges())


def vosviewer_paths(path: Path) -> tuple[Path, Path]:
    """The map and network file names VOSviewer reads for the output ``path``."""
    stem = path.with_suffix("") if path.suffix in {".txt", ".tsv"} else path
    return stem.with_name(stem.name + "_map.txt"), stem.with_name(stem.name + "_network.txt")


def _vosviewer_label(label: str) -> str:
    # VOSviewer also splits map files on commas and semicolons, so a label holding one must be
    # enclosed in double quotes ("Korea, Republic of"); tabs and line breaks would end the field.
    label = " ".join(label.split())
    if any(char in label for char in ',;"'):
        return '"' + label.replace('"', '""') + '"'
    return label


def write_vosviewer(graph: nx.Graph, path: Path) -> NetworkFiles:
    """Write VOSviewer map and network files (tab-separated, as VOSviewer documents them).

    The map file has a header ``id label cluster weight<Documents> weight<Links>
    weight<Total link strength>``; item ids are integers from 1; a label with a comma or
    semicolon is enclosed in double quotes, as VOSviewer requires. The network file
    has no header and one ``id id strength`` line per link.

    :param graph: from :func:`build_collaboration_graph`.
    :param path: base name; ``<base>_map.txt`` and ``<base>_network.txt`` are written.
    """
    map_path, network_path = vosviewer_paths(path)
    map_path.parent.mkdir(parents=True, exist_ok=True)
    ids = {node: index for index, node in enumerate(graph.nodes, start=1)}
    header = (
        "id",
        "label",
        "cluster",
        "weight<Documents>",
        "weight<Links>",
        "weight<Total link strength>",
    )
    # Both files are written before either replaces an older one: a failure leaves the old
    # pair, never a new map beside an old network.
    with written_together((map_path, network_path)) as (map_tmp, network_tmp):
        with map_tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\t".join(header) + "\n")
            for node, data in graph.nodes(data=True):
                row = (
                    ids[node],
                    _vosviewer_label(str(data["label"])),
                    data.get("cluster", 1),
                    data["works"],
                    graph.degree(node),
                    graph.degree(node, weight="weight"),
                )
                handle.write("\t".join(str(value) for value in row) + "\n")
        with network_tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            for source, target, data in graph.edges(data=True):
                first, second = sorted((ids[source], ids[target]))
                writer.writerow([first, second, data["weight"]])
    return NetworkFiles((map_path, network_path), graph.number_of_nodes(), graph.number_of_edges())


def export_network(
    connection: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    flt: LandscapeFilter = NO_FILTER,
    level: NetworkLevel = "country",
    format: NetworkFormat = "gexf",
    max_nodes: int = 500,
    min_weight: int = 1,
) -> NetworkFiles:
    """Build a collaboration network and write it as GEXF or VOSviewer files.

    :param connection: a tagged corpus.
    :param out: the GEXF file, or the base name of the VOSviewer files.
    :param flt: the facets restricting the works.
    :param level: ``country`` or ``institution``.
    :param format: ``gexf`` or ``vosviewer``.
    :param max_nodes: keep the nodes with most works.
    :param min_weight: drop edges with fewer shared works.
    """
    if format not in ("gexf", "vosviewer"):
        raise LandscapeError(
            Message(
                "network format must be gexf or vosviewer, not %(format)s",
                format=repr(format),
            ),
        )
    graph = build_collaboration_graph(
        connection, flt, level=level, max_nodes=max_nodes, min_weight=min_weight
    )
    if format == "gexf":
        return write_gexf(graph, out)
    return write_vosviewer(graph, out)
