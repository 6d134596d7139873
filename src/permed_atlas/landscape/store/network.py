"""The collaboration network's queries: who shares works with whom, and region membership.

DuckDB counts the pairs; :mod:`permed_atlas.landscape.network` builds the graph.
"""

from __future__ import annotations

from typing import Any, Literal

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.filters import LandscapeFilter
from permed_atlas.landscape.store.filtered import filtered_works_sql

NetworkLevel = Literal["country", "institution"]


def collaboration_rows(
    connection: duckdb.DuckDBPyConnection,
    flt: LandscapeFilter,
    *,
    level: NetworkLevel,
    max_nodes: int,
    min_weight: int,
) -> tuple[list[Any], list[Any]]:
    """Nodes (node, label, country, works) and edges (node, node, shared works).

    :param connection: a tagged corpus.
    :param flt: the facets restricting the works.
    :param level: ``country`` or ``institution``.
    :param max_nodes: keep the nodes with most works.
    :param min_weight: drop edges with fewer shared works.
    """
    works_sql, params = filtered_works_sql(flt)
    if level == "country":
        members = (
            "SELECT DISTINCT c.work_id, c.country_code AS node "
            "FROM fw JOIN work_countries c USING (work_id)"
        )
        labels = "SELECT node, node AS label, node AS country FROM counted"
    elif level == "institution":
        members = (
            "SELECT DISTINCT work_id, institution_key AS node "
            "FROM fw JOIN work_institutions USING (work_id)"
        )
        # The name and country the indicators show (institution_dim, the same whatever the
        # filter and the order the works were stored in), not each filter's own pick.
        labels = (
            "SELECT node, d.institution_name AS label, d.country_code AS country "
            "FROM counted JOIN institution_dim d ON d.institution_key = counted.node"
        )
    else:
        raise LandscapeError(
            Message(
                "network level must be country or institution, not %(level)s",
                level=repr(level),
            ),
        )
    base = (
        f"WITH fw AS ({works_sql}), members AS ({members}), "
        "counted AS (SELECT node, count(*) AS works FROM members GROUP BY node "
        "  ORDER BY works DESC, node LIMIT ?), "
        f"nodes AS (SELECT l.*, c.works FROM ({labels}) l JOIN counted c USING (node)), "
        "kept AS (SELECT m.work_id, m.node FROM members m SEMI JOIN nodes USING (node)) "
    )
    node_rows = connection.execute(
        base + "SELECT node, label, country, works FROM nodes ORDER BY works DESC, node",
        [*params, max_nodes],
    ).fetchall()
    edge_rows = connection.execute(
        base + "SELECT a.node, b.node, count(*) AS weight FROM kept a JOIN kept b "
        "ON a.work_id = b.work_id AND a.node < b.node GROUP BY ALL HAVING count(*) >= ? "
        "ORDER BY weight DESC, 1, 2",
        [*params, max_nodes, min_weight],
    ).fetchall()
    return node_rows, edge_rows


def country_regions(
    connection: duckdb.DuckDBPyConnection, regions: tuple[str, ...]
) -> dict[str, str]:
    """The first of ``regions`` each country belongs to (for colouring nodes EU-27 / China).

    :param connection: a tagged corpus.
    :param regions: region codes, most important first.
    """
    if not regions:
        return {}
    marks = ", ".join("?" for _ in regions)
    try:
        rows = connection.execute(
            f"SELECT country_code, region FROM region_members WHERE region IN ({marks})",
            list(regions),
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise LandscapeError(
            Message("the corpus is not tagged yet (run `permed tag`)"),
        ) from exc
    rank = {code: i for i, code in enumerate(regions)}
    found: dict[str, str] = {}
    for country, region in sorted(rows, key=lambda row: rank[row[1]]):
        found.setdefault(str(country).upper(), str(region))
    return found
