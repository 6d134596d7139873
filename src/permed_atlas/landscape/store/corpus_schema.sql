-- The landscape corpus in DuckDB: the contract between ingest, tagging, indicators and the web app.
-- work_id is the store's own key; every source identifier maps to it through work_ids,
-- which is what makes re-ingesting a file, or the same work from another source, a no-op merge.

CREATE TABLE IF NOT EXISTS works (
    work_id            BIGINT NOT NULL,      -- assigned by the store, stable once given
    kind               VARCHAR NOT NULL,     -- 'publication' | 'patent'
    sources            VARCHAR[] NOT NULL,   -- e.g. ['openalex', 'pubmed']
    openalex_id        VARCHAR,              -- 'W2741809807'
    doi                VARCHAR,              -- lower case, no resolver prefix
    pmid               VARCHAR,
    pmcid              VARCHAR,
    lens_id            VARCHAR,
    publication_number VARCHAR,              -- patents: 'EP3782854A1'
    family_id          VARCHAR,              -- patents: family id
    title              VARCHAR,
    abstract           VARCHAR,
    year               INTEGER,              -- publication year; patents: priority year (earliest)
    type               VARCHAR,
    venue              VARCHAR,
    language           VARCHAR,
    cited_by_count     INTEGER,
    updated_date       VARCHAR               -- OpenAlex updated_date (ISO); a newer copy replaces
);

-- Corpora made before updated_date was a column get it (schema upgrade, idempotent).
ALTER TABLE works ADD COLUMN IF NOT EXISTS updated_date VARCHAR;

-- One row per contributor (author, applicant, inventor) of a work.
CREATE TABLE IF NOT EXISTS contributors (
    work_id         BIGINT NOT NULL,
    position        INTEGER NOT NULL,
    role            VARCHAR NOT NULL,        -- 'author' | 'applicant' | 'inventor'
    name            VARCHAR,
    author_id       VARCHAR,                 -- OpenAlex author id when present
    orcid           VARCHAR,
    raw_affiliation VARCHAR
);

-- One row per contributor x institution; a country stated without an institution
-- (patent party residence, parsed affiliation text) is a row with institution_name NULL.
CREATE TABLE IF NOT EXISTS affiliations (
    work_id          BIGINT NOT NULL,
    position         INTEGER NOT NULL,
    institution_id   VARCHAR,
    institution_name VARCHAR,
    ror              VARCHAR,
    country_code     VARCHAR                 -- ISO 3166-1 alpha-2 or NULL when unknown
);

-- Concepts, OpenAlex topics, keywords, MeSH headings, CPC and IPC classes.
CREATE TABLE IF NOT EXISTS terms (
    work_id BIGINT NOT NULL,
    scheme  VARCHAR NOT NULL,                -- 'concept' | 'topic' | 'keyword' | 'mesh' | 'cpc' | 'ipc' | 'vernacular_title'
    term    VARCHAR NOT NULL,
    term_id VARCHAR,
    score   DOUBLE
);

-- Every identifier of every work: ('doi', '10.1/abc') -> work_id.
CREATE TABLE IF NOT EXISTS work_ids (
    id_type  VARCHAR NOT NULL,               -- 'openalex_id' | 'doi' | 'pmid' | 'lens_id' | 'family_id' | 'publication_number'
    id_value VARCHAR NOT NULL,
    work_id  BIGINT NOT NULL
);

-- The records of a work read from more than one (an OpenAlex and a PubMed record of one
-- article, two publications of a patent family), each as JSON of what it has that the work
-- does not show (store/records.py record_to_json): the work is merged
-- from all of them whatever order they came in, a new version replaces its own record only,
-- a withdrawn record takes only what it gave (store/records.py). A work read from one record
-- has no rows here: its rows above are that record.
CREATE TABLE IF NOT EXISTS work_records (
    work_id    BIGINT NOT NULL,
    record_key VARCHAR NOT NULL,             -- source and the source's id: 'pubmed:29768149'
    record     VARCHAR NOT NULL              -- the record (models.Work) less what the work shows
);

-- OpenAlex works merged into others (the snapshot's merged_ids): a record still holding a
-- merged id is not stored again, and a link to it leads to the survivor (store/merges.py).
-- old_work_id, not work_id: deleting a work's rows must not delete what it was merged into.
CREATE TABLE IF NOT EXISTS merged_works (
    merged_id   VARCHAR NOT NULL,            -- 'W123', merged away
    merged_into VARCHAR NOT NULL,            -- 'W456', the work it was merged into
    merge_date  VARCHAR,
    old_work_id BIGINT                       -- the corpus id the merged work had, if stored
);

-- Tags, recomputed by tagging from the rows above and the region and topic data files.
CREATE TABLE IF NOT EXISTS work_countries (
    work_id      BIGINT NOT NULL,
    country_code VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS work_regions (
    work_id BIGINT NOT NULL,
    region  VARCHAR NOT NULL                 -- region set code: 'EU27', 'CN', 'ICPERMED', ...
);

CREATE TABLE IF NOT EXISTS work_topics (
    work_id BIGINT NOT NULL,
    topic   VARCHAR NOT NULL,                -- topic code from the topic rules file
    rule_id VARCHAR NOT NULL                 -- which rule fired (for `permed explain`)
);

CREATE TABLE IF NOT EXISTS work_flags (
    work_id     BIGINT NOT NULL,
    pm_relevant BOOLEAN NOT NULL,
    eu_cn       BOOLEAN NOT NULL             -- institutions in both the EU-27 and China
);

-- Derived tables (region_members, work_topic_set, work_institutions, institution_dim and the
-- pre-aggregated agg_* tables the dashboard reads) are in derived_schema.sql beside this file.
-- Tagging creates and rebuilds them, not this schema: their presence tells `needs_tagging`
-- that a corpus was tagged by a version that builds them, where empty tables created here
-- would make an old or untagged corpus look tagged.
