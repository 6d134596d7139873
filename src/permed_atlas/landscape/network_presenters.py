"""The collaboration map's page, JSON and file downloads (``/landscape/network``)."""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from permed_atlas.i18n import gettext
from permed_atlas.landscape.filters import LandscapeFilter
from permed_atlas.landscape.network import (
    build_collaboration_graph,
    write_gexf,
    write_vosviewer,
)
from permed_atlas.landscape.palette import NEUTRAL_GREY, group_colours, region_colours
from permed_atlas.landscape.presenters import (
    _country_label,
    _labels_for,
    landscape_filter,
    query_pairs,
)
from permed_atlas.landscape.regions import CHINA, EU27
from permed_atlas.landscape.schemas import (
    NetworkPublic,
)
from permed_atlas.landscape.search_query import SearchQuery
from permed_atlas.landscape.store.indicators import (
    tagged_regions,
)
from permed_atlas.landscape.store.network import country_regions
from permed_atlas.settings import Settings
from permed_atlas.web.deps import download


@dataclasses.dataclass(frozen=True, slots=True)
class NetworkShape:
    """What the map draws: a node per country or per institution, at most ``max_nodes`` of
    them, and only edges of at least ``min_weight`` shared works."""

    level: str = "country"
    max_nodes: int = 100
    min_weight: int = 1


def _network_legend(nodes: list[dict[str, Any]], region_labels: dict[str, str]) -> dict[str, Any]:
    """Both colourings of the network (EU-27 / China / other, and clusters) with their keys."""
    side_colours = region_colours((EU27, CHINA))
    sides: list[dict[str, Any]] = [
        {"key": code, "label": region_labels.get(code, code), "colour": side_colours[code]}
        for code in (EU27, CHINA)
    ] + [{"key": "", "label": gettext("other countries"), "colour": NEUTRAL_GREY}]
    for side in sides:
        side["nodes"] = sum(1 for n in nodes if n["side"] == side["key"])
    members: dict[int, list[dict[str, Any]]] = {}
    for node in nodes:
        members.setdefault(node["cluster"], []).append(node)
    order = sorted(members)
    colours = group_colours(len(order))
    clusters = [
        {
            "cluster": cluster,
            "colour": colour,
            "nodes": len(members[cluster]),
            "top": [n["label"] for n in sorted(members[cluster], key=lambda n: -n["works"])[:3]],
        }
        for cluster, colour in zip(order, colours, strict=True)
    ]
    return {"sides": sides, "clusters": clusters}


def _graph(corpus: Any, query: SearchQuery, shape: NetworkShape) -> tuple[LandscapeFilter, Any]:
    """The query's facets, and the collaboration graph of the works they keep."""
    flt = landscape_filter(corpus, query)
    graph = build_collaboration_graph(
        corpus,
        flt,
        level="institution" if shape.level == "institution" else "country",
        max_nodes=shape.max_nodes,
        min_weight=shape.min_weight,
    )
    return flt, graph


def _unlinked_notes(graph: Any, nodes: list[dict[str, Any]], min_weight: int) -> list[str]:
    """What a reader cannot see on the map: nodes drawn alone, or no link at all.

    A node without a link is drawn like the others, so a map of scattered dots reads as a
    network unless it is said that some (or all) of them collaborate with no one shown.
    """
    if not nodes:
        return []
    if graph.number_of_edges() == 0:
        return [
            gettext("No link: no two of these nodes share %(n)s or more works.") % {"n": min_weight}
        ]
    alone = [n["label"] for n in nodes if graph.degree(n["id"]) == 0]
    if not alone:
        return []
    return [
        gettext(
            "Without a link (no other node shown shares %(n)s or more works with them): %(names)s."
        )
        % {"n": min_weight, "names": ", ".join(alone[:12]) + (", …" if len(alone) > 12 else "")}
    ]


def network_public(
    settings: Settings,
    corpus: Any,
    query: SearchQuery,
    shape: NetworkShape,
) -> NetworkPublic:
    flt, graph = _graph(corpus, query, shape)
    qs = urlencode(
        [
            *query_pairs(query, paged=False),
            ("level", shape.level),
            ("max_nodes", str(shape.max_nodes)),
            ("min_weight", str(shape.min_weight)),
        ]
    )
    sides = country_regions(corpus, (EU27, CHINA))
    nodes = [
        {
            "id": node,
            # A country node is named in the page's language, as the facets name it.
            "label": _country_label(node) if shape.level == "country" else data["label"],
            "country": data.get("country", ""),
            "works": data["works"],
            "cluster": data.get("cluster", 1),
            "side": sides.get(str(data.get("country", "")).upper(), ""),
        }
        for node, data in graph.nodes(data=True)
    ]
    region_labels = _labels_for(settings)["region"]
    legend = _network_legend(nodes, region_labels)
    colour_of = {c["cluster"]: c["colour"] for c in legend["clusters"]}
    side_colour = {s["key"]: s["colour"] for s in legend["sides"]}
    for node in nodes:
        node["side_colour"] = side_colour[node["side"]]
        node["cluster_colour"] = colour_of[node["cluster"]]
    regions = tagged_regions(corpus)
    return NetworkPublic.model_validate(
        {
            "level": shape.level,
            "filter": dataclasses.asdict(flt),
            "max_nodes": shape.max_nodes,
            "min_weight": shape.min_weight,
            "regions": regions,
            "region_labels": {code: region_labels.get(code, code) for code in regions},
            "nodes": nodes,
            # Strongest first: the page's table lists only the first few hundred.
            "edges": sorted(
                (
                    {"source": a, "target": b, "weight": data["weight"]}
                    for a, b, data in graph.edges(data=True)
                ),
                key=lambda e: (-e["weight"], e["source"], e["target"]),
            ),
            "legend": legend,
            "notes": _unlinked_notes(graph, nodes, shape.min_weight),
            "downloads": {
                fmt: f"/api/v1/landscape/network/export?{qs}&format={fmt}"
                for fmt in ("gexf", "vosviewer")
            },
        }
    )


def network_file(corpus: Any, query: SearchQuery, shape: NetworkShape, fmt: str) -> Response:
    flt, graph = _graph(corpus, query, shape)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / f"permed-atlas-{shape.level}-network"
        if fmt == "gexf":
            files = write_gexf(graph, base.with_suffix(".gexf"))
            return download(
                files.paths[0].read_bytes(),
                media_type="application/gexf+xml",
                filename=files.paths[0].name,
            )
        files = write_vosviewer(graph, base)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files.paths:
                archive.write(path, arcname=path.name)
    return download(
        buffer.getvalue(), media_type="application/zip", filename=f"{base.name}-vosviewer.zip"
    )
