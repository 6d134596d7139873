-- Derived tables: rebuilt by tagging (tagging.py) from the corpus tables and the tags, never
-- written by ingest. They are created by tagging rather than by corpus_schema.sql on purpose:
-- their presence is how `needs_tagging` tells a corpus tagged by this version from one tagged
-- by an older version (or never tagged), which must be re-tagged before the indicators run.
-- Other capabilities read region_members, work_topic_set and work_institutions: keep their columns.
-- {cell_columns} stands for the columns of a cell (aggregates.py CELL_COLUMN_TYPES, declared
-- once there because every agg_* table below and every query over them shares them).

-- The region sets the tags were computed from, so that indicators can place an
-- institution's country in a region with the same sets.
CREATE TABLE IF NOT EXISTS region_members (
    region       VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL
);

-- What the tags were computed with: the fingerprint of the rules and region sets (dirty.py),
-- so that a changed topics or regions file retags every work, not only the changed ones.
CREATE TABLE IF NOT EXISTS tag_state (
    key   VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);

-- One row per work and topic (work_topics has one per fired rule), PM relevance left out.
CREATE TABLE IF NOT EXISTS work_topic_set (
    work_id BIGINT NOT NULL,
    topic   VARCHAR NOT NULL
);

-- One row per work and institution (affiliations has one per contributor and institution).
CREATE TABLE IF NOT EXISTS work_institutions (
    work_id          BIGINT NOT NULL,
    institution_key  VARCHAR NOT NULL,       -- institution_id, or the name when there is no id
    institution_id   VARCHAR,
    institution_name VARCHAR,
    country_code     VARCHAR
);

-- One row per institution key: the id, name and country shown for it (those most of its
-- works give, so that every filter and every order of ingest shows the same name) and a
-- small integer key.
CREATE TABLE IF NOT EXISTS institution_dim (
    inst             INTEGER NOT NULL,
    institution_key  VARCHAR NOT NULL,
    institution_id   VARCHAR,
    institution_name VARCHAR,
    country_code     VARCHAR
);

-- Pre-aggregated indicator tables (aggregates.py). A "cell" counts the works sharing every
-- facet the dashboard filters by: year, kind, the two flags, and the bit masks of their
-- regions and topics (bit numbers in agg_bits), so a chart is a GROUP BY over a few
-- thousand cells instead of joins over millions of tag rows.
CREATE TABLE IF NOT EXISTS agg_bits (
    dim   VARCHAR NOT NULL,                  -- 'region' | 'topic'
    value VARCHAR NOT NULL,
    bit   INTEGER NOT NULL                   -- 0..61
);

-- What the aggregates were built from: row counts checked before each use, so that a corpus
-- changed since tagging (an ingest) falls back to the raw queries instead of stale numbers.
CREATE TABLE IF NOT EXISTS agg_state (
    key   VARCHAR NOT NULL,                  -- 'available', 'works', 'work_flags', ...
    value BIGINT NOT NULL
);

-- One row per work (sorted by work id): the cell of a single work with its countries
-- (work_countries rows) and institutions (institution_dim.inst of its work_institutions
-- rows), for an institution filter, whose few works are read once per dashboard.
CREATE TABLE IF NOT EXISTS agg_work_facts (
    work_id     BIGINT NOT NULL,
    {cell_columns},
    countries   VARCHAR[],
    insts       INTEGER[]
);

-- The works of each institution id ('id') and lower-case institution name ('name'), sorted by
-- key, so an institution filter reads a few row groups instead of every affiliation.
CREATE TABLE IF NOT EXISTS agg_institution_keys (
    kind    VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    work_id BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_cells (
    {cell_columns},
    works       BIGINT NOT NULL
);

-- The cells once per country of their works (sorted by country).
CREATE TABLE IF NOT EXISTS agg_country_cells (
    country_code VARCHAR NOT NULL,
    {cell_columns},
    works        BIGINT NOT NULL
);

-- The cells once per institution of their works (institution_dim.inst, sorted).
CREATE TABLE IF NOT EXISTS agg_institution_cells (
    inst        INTEGER NOT NULL,
    {cell_columns},
    works       BIGINT NOT NULL
);

-- For a country filter: the cells once per (country, another country of the same works).
CREATE TABLE IF NOT EXISTS agg_country_pair_cells (
    country_code  VARCHAR NOT NULL,
    other_country VARCHAR NOT NULL,
    {cell_columns},
    works         BIGINT NOT NULL
);

-- For a country filter, the institutions of that country's works: the cells once per
-- (country, institution) of their works, so the ranking reads one country's rows (sorted by
-- country) instead of every work's facts.
CREATE TABLE IF NOT EXISTS agg_country_institution_cells (
    country_code  VARCHAR NOT NULL,
    inst          INTEGER NOT NULL,
    {cell_columns},
    works         BIGINT NOT NULL
);

-- One row per patent and region of one of its applicants (family counts cannot be summed
-- over cells, so patents stay one row each; they are a small part of a corpus).
CREATE TABLE IF NOT EXISTS agg_patent_regions (
    work_id     BIGINT NOT NULL,
    region      VARCHAR NOT NULL,
    family_key  VARCHAR NOT NULL,
    {cell_columns},
    countries   VARCHAR[]
);

-- EU–China works, most cited first, for the top-cited list.
CREATE TABLE IF NOT EXISTS agg_eu_cn_works (
    work_id     BIGINT NOT NULL,
    cited       INTEGER NOT NULL,
    {cell_columns},
    countries   VARCHAR[]
);
