"""The rankings (top countries, top institutions, most cited works) as one SQL shape each.

The indicators answer from the works (:mod:`.indicators`) or from the pre-aggregated
cells (:mod:`.aggregate_queries`); only what is counted differs, so the ranking itself
is written once here and both give the same order and ties.
"""

from __future__ import annotations


def ranked_countries_sql(*, per_country: str, works: str, region_clause: str, totals: str) -> str:
    """Rows (region, rank, country, works, share); one parameter, the limit, follows the
    caller's.

    :param per_country: a FROM item aliased ``c`` with ``country_code`` (and what ``works``
        sums or counts).
    :param works: the aggregate giving a country's works.
    :param region_clause: the condition on ``m.region``.
    :param totals: a query of (region, total) the shares divide by.
    """
    return (
        "SELECT region, rank, country_code, works, works / total FROM ("
        f" SELECT m.region, c.country_code, {works} AS works,"
        f"  row_number() OVER (PARTITION BY m.region ORDER BY {works} DESC, c.country_code)"
        "  AS rank"
        f" FROM {per_country}"
        " JOIN region_members m ON m.country_code = c.country_code"
        f" WHERE {region_clause} GROUP BY m.region, c.country_code) ranked"
        f" JOIN ({totals}) totals USING (region)"
        " WHERE rank <= ? ORDER BY region, rank"
    )


def ranked_institutions_sql(*, per_institution: str, key: str, region_clause: str) -> str:
    """Rows (region, rank, institution id, name, country, works, EU–China works); one
    parameter, the limit, follows the caller's.

    :param per_institution: a query of (``key``, works, eu_cn_works).
    :param key: the column joining ``institution_dim``, which names each institution the
        same way whatever the filter.
    :param region_clause: the condition on ``m.region``.
    """
    return (
        "SELECT region, rank, institution_id, institution, country_code, works, eu_cn_works"
        " FROM (SELECT m.region, d.institution_id, d.institution_name AS institution,"
        "  d.country_code, i.works, i.eu_cn_works, row_number() OVER (PARTITION BY m.region"
        "   ORDER BY i.works DESC, d.institution_name, d.institution_key) AS rank"
        f" FROM ({per_institution}) i"
        f" JOIN institution_dim d USING ({key})"
        " JOIN region_members m ON m.country_code = d.country_code"
        f" WHERE {region_clause}) WHERE rank <= ? ORDER BY region, rank"
    )


def work_order_sql(alias: str) -> str:
    """ORDER BY terms that tell works apart by what they are, for ties in a ranking.

    Work ids follow the order the files were read in: a tie broken by them would rank two
    equally cited works differently after the same files were read in another order. Only
    works that share every identifier and title fall back to the work id.

    :param alias: the alias of the ``works`` table in the query.
    """
    columns = ("doi", "openalex_id", "pmid", "lens_id", "publication_number", "title")
    return ", ".join(f"{alias}.{column} NULLS LAST" for column in columns) + f", {alias}.work_id"
