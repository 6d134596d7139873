"""The landscape's DuckDB store: every SQL statement over the corpus lives in this package.

- ``corpus_schema.sql``, ``corpus.py``: the corpus tables, opening the file, storing works;
  ``work_rows.py``: works as rows of those tables (Arrow batches) and read back.
- ``derived_schema.sql``, ``aggregates.py``: the derived tables tagging rebuilds (``agg_*``).
- ``aggregate_queries.py``, ``indicators.py``: the indicators, from the aggregates or the works.
- ``tagging.py``: countries, regions, topics and flags computed as SQL from the core's rules.
- ``dirty.py``, ``aggregates_delta.py``: which works changed since tagging, the rules'
  fingerprint, and the aggregates updated by delta for the changed works only.
- ``search.py``, ``_search_sql.py``: faceted BM25 search over the search index;
  ``search_index.py`` builds that index, or updates the rows of the changed works only,
  with the row-making SQL of ``_index_sql.py``.
- ``snapshots.py``: the published read-only copy the web app serves.
- ``withdrawals.py``: records a source withdrew (PubMed deletions).

The pure core (models, regions, topics, filters, countries) never imports this package;
the service layer and the edges (CLI, routes, presenters, report) do.
"""
