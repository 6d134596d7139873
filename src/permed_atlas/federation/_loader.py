"""Mapping a biobank's table onto the sample model, inside DuckDB."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb

from permed_atlas.federation.errors import MappingError
from permed_atlas.federation.mapping import NodeConfig, miabis_terms
from permed_atlas.i18n import LazyString, Message, lazy_gettext

_DIAGNOSIS_RE = r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$"
# A code or shorthand, optionally with the values of a restricted term ("DUO:0000007=C50|C18"),
# the form permed_atlas.transfer.parse_consent_term reads.
_CONSENT_RE = r"^([A-Z]+|DUO:[0-9]{7})(=[A-Z0-9_:.| -]+)?$"


def sql_name(name: str) -> str:
    """``name`` as a quoted DuckDB identifier (a biobank's column names are not ours)."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def _where_line(data: Path, row: int, is_csv: bool) -> str:
    # Line 1 of a CSV is its header, so data row n sits on line n + 1.
    return f"{data}:{row + 1}" if is_csv else f"{data}: row {row}"


def load_samples(
    con: duckdb.DuckDBPyConnection, config: NodeConfig, data: Path, *, key_secret: str = ""
) -> None:
    """Create tables ``samples`` and ``datasets`` from ``data`` mapped by ``config``.

    Each donor gets a ``donor_key``, the record key of the cell key method (see
    cellkey.py): 32 bits of SHA-256(``key_secret`` | "donor" | id); each of its
    samples carries the same key as ``sample_key``, so a sample count and a donor
    count of the same people get the same cell key. With the node's persisted random
    secret the keys are random to anyone without it, and permanent: a reload, or a
    new version of the table, gives a record the same key as long as its donor id stays.

    :param key_secret: the node's record-key secret.
    :raises MappingError: for a missing column or a value that cannot be mapped.
    """
    is_csv = _read_raw(con, config, data)
    year_field = _create_mapped(con, config)
    _check_mapped(con, config, data, is_csv=is_csv, year_field=year_field)
    _create_tables(con, key_secret)
    con.execute("DROP TABLE mapped")
    con.execute("DROP TABLE raw")


def _read_raw(con: duckdb.DuckDBPyConnection, config: NodeConfig, data: Path) -> bool:
    """Table ``raw`` from the file, every mapped column present; whether the file is a CSV."""
    is_csv = data.suffix.lower() not in {".parquet", ".pq"}
    reader = "read_csv(?, header = true, all_varchar = true)" if is_csv else "read_parquet(?)"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () AS _row, * FROM {reader}",
        [str(data)],
    )
    present = {r[0] for r in con.execute("DESCRIBE raw").fetchall()}
    for field_name, column in config.columns.items():
        if column not in present:
            if is_csv:
                _refuse_ragged_row(data)
            raise MappingError(
                Message(
                    "%(data)s: column %(column)s (mapped to %(field_name)s in "
                    "%(source)s) is missing",
                    data=data,
                    column=repr(column),
                    field_name=field_name,
                    source=config.source,
                ),
                field=field_name,
            )
    return is_csv


def _refuse_ragged_row(data: Path) -> None:
    """Name the first row whose cell count differs from the header's, if there is one.

    Given a row of another width (a short or a summary line, common in exports), DuckDB's
    dialect sniffer gives up and reads each line as one column named after the whole
    header: the columns then look missing although the header has them.
    """
    with data.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for row in _rows_read(reader):
            if row and len(row) != len(header):
                raise MappingError(
                    Message(
                        "%(where)s: %(cells)s cells, but the header has %(columns)s columns",
                        where=_where_line(data, reader.line_num - 1, True),
                        cells=len(row),
                        columns=len(header),
                    ),
                    field=None,
                )


def _rows_read(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    # a cell beyond the csv module's limit ends the search; the caller's message stands
    with contextlib.suppress(csv.Error):
        yield from reader


def _text(config: NodeConfig, field_name: str) -> str:
    """The SQL of a field as trimmed text: its column, else the node's default, else NULL."""
    if field_name in config.columns:
        return f"nullif(trim(CAST({sql_name(config.columns[field_name])} AS VARCHAR)), '')"
    default = config.defaults.get(field_name)
    return sql_text(default) if default is not None else "CAST(NULL AS VARCHAR)"


def _create_mapped(con: duckdb.DuckDBPyConnection, config: NodeConfig) -> str:
    """Table ``mapped``: each raw row in the sample model, raw values kept for the checks.

    :returns: the field the collection year is read from.
    """
    cols = config.columns

    def text(field_name: str) -> str:
        return _text(config, field_name)

    vocab = miabis_terms()
    exprs: dict[str, str] = {}
    for dim in ("sex", "material", "storage", "sample_type"):
        pairs = {term.lower(): term for term in vocab[dim]}
        pairs.update({src.lower(): dst for src, dst in config.values.get(dim, {}).items()})
        cases = " ".join(f"WHEN {sql_text(s)} THEN {sql_text(d)}" for s, d in pairs.items())
        exprs[dim] = f"(CASE lower({text(dim)}) {cases} ELSE NULL END)"
    diag = f"upper(replace({text('diagnosis')}, ' ', ''))"
    if "collection_year" in cols or "collection_year" in config.defaults:
        year = f"TRY_CAST(TRY_CAST({text('collection_year')} AS DOUBLE) AS INTEGER)"
        year_field = "collection_year"
    else:
        year = f"year(try_strptime({text('collection_date')}, {sql_text(config.date_format)}))"
        year_field = "collection_date"
    country = (
        f"upper({text('country')})" if "country" in cols else sql_text(config.identity.country)
    )
    sep = sql_text(config.consent_separator)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE mapped AS SELECT
            _row,
            {text("sample_id")} AS sample_id,
            {text("donor_id")} AS donor_id,
            coalesce({text("collection")}, 'main') AS collection,
            {exprs["sample_type"]} AS sample_type, {text("sample_type")} AS raw_sample_type,
            {exprs["material"]} AS material, {text("material")} AS raw_material,
            {exprs["storage"]} AS storage, {text("storage")} AS raw_storage,
            coalesce({exprs["sex"]}, CASE WHEN {text("sex")} IS NULL THEN 'unknown' END) AS sex,
            {text("sex")} AS raw_sex,
            {diag} AS raw_diagnosis,
            TRY_CAST(floor(TRY_CAST({text("age_at_collection")} AS DOUBLE)) AS INTEGER) AS age,
            {text("age_at_collection")} AS raw_age,
            {year} AS year, {text(year_field)} AS raw_year,
            {country} AS country,
            list_sort(list_distinct(list_filter(
                list_transform(string_split(coalesce({text("consent")}, ''), {sep}),
                               lambda x: upper(trim(x))),
                lambda x: x <> ''))) AS duo_codes
        FROM raw
        """
    )
    return year_field


def _mapping_checks(year_field: str) -> list[tuple[str, str, str, LazyString]]:
    """(field, SQL condition of a bad row, the value to show, what is wrong), in check order."""
    return [
        ("sample_id", "sample_id IS NULL", "sample_id", lazy_gettext("is empty")),
        ("donor_id", "donor_id IS NULL", "donor_id", lazy_gettext("is empty")),
        (
            "sex",
            "raw_sex IS NOT NULL AND sex IS NULL",
            "raw_sex",
            lazy_gettext("is not a sex term"),
        ),
        (
            "material",
            "raw_material IS NOT NULL AND material IS NULL",
            "raw_material",
            lazy_gettext("is not a material term"),
        ),
        (
            "storage",
            "raw_storage IS NOT NULL AND storage IS NULL",
            "raw_storage",
            lazy_gettext("is not a storage term"),
        ),
        (
            "sample_type",
            "raw_sample_type IS NOT NULL AND sample_type IS NULL",
            "raw_sample_type",
            lazy_gettext("is not a sample type term"),
        ),
        (
            "diagnosis",
            f"raw_diagnosis IS NOT NULL AND NOT regexp_matches(raw_diagnosis, "
            f"{sql_text(_DIAGNOSIS_RE)})",
            "raw_diagnosis",
            lazy_gettext("is not an ICD-10 code"),
        ),
        (
            "age_at_collection",
            "raw_age IS NOT NULL AND (age IS NULL OR age < 0 OR age > 130)",
            "raw_age",
            lazy_gettext("is not an age in years (0-130)"),
        ),
        (
            year_field,
            "raw_year IS NOT NULL AND (year IS NULL OR year < 1900 OR year > 2100)",
            "raw_year",
            lazy_gettext("is not a collection year"),
        ),
        (
            "country",
            "country IS NOT NULL AND NOT regexp_matches(country, '^[A-Z]{2}$')",
            "country",
            lazy_gettext("is not an ISO 3166-1 alpha-2 code"),
        ),
        (
            "consent",
            f"len(list_filter(duo_codes, lambda x: NOT regexp_matches(x, "
            f"{sql_text(_CONSENT_RE)}))) > 0",
            "array_to_string(duo_codes, '|')",
            lazy_gettext("holds something that is not a DUO code"),
        ),
    ]


def _check_mapped(
    con: duckdb.DuckDBPyConnection,
    config: NodeConfig,
    data: Path,
    *,
    is_csv: bool,
    year_field: str,
) -> None:
    """Refuse the first row whose value cannot be mapped, and a sample id given twice."""
    for field_name, condition, shown, problem in _mapping_checks(year_field):
        bad = con.execute(
            f"SELECT _row, {shown} FROM mapped WHERE {condition} ORDER BY _row LIMIT 1"
        ).fetchone()
        if bad:
            column = config.columns.get(field_name, field_name)
            raise MappingError(
                Message(
                    "%(where)s: column %(column)s (%(field_name)s): %(bad)s %(problem)s",
                    where=_where_line(data, int(bad[0]), is_csv),
                    column=repr(column),
                    field_name=field_name,
                    bad=repr(bad[1]),
                    problem=problem,
                ),
                field=field_name,
            )
    _refuse_duplicate_samples(con, data)


def _refuse_duplicate_samples(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    dup = con.execute(
        "SELECT sample_id, count(*) FROM mapped GROUP BY sample_id HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup:
        raise MappingError(
            Message(
                "%(data)s: sample id %(sample_id)s occurs %(times)s times",
                data=data,
                sample_id=repr(dup[0]),
                times=dup[1],
            ),
            field="sample_id",
        )


def _create_tables(con: duckdb.DuckDBPyConnection, key_secret: str) -> None:
    """Tables ``datasets`` and ``samples`` from ``mapped``, with the record keys."""
    vocab = miabis_terms()
    con.execute(
        """
        CREATE OR REPLACE TABLE datasets AS
        SELECT collection || '-' || CAST(row_number() OVER (ORDER BY collection,
                   array_to_string(duo_codes, '|')) AS VARCHAR) AS id,
               collection, duo_codes
        FROM (SELECT DISTINCT collection, duo_codes FROM mapped)
        """
    )
    # Term columns become ENUMs and numbers small integers: counting with filters on
    # them is several times faster than on text. Sorted by diagnosis so that the zone
    # maps let a diagnosis filter skip row groups.
    for dim in ("sex", "material", "storage", "sample_type"):
        members = ", ".join(sql_text(term) for term in vocab[dim])
        con.execute(f"CREATE TYPE {dim}_term AS ENUM ({members})")
    con.execute(
        """
        CREATE OR REPLACE TABLE samples AS
        SELECT m.sample_id, m.donor_id, d.id AS dataset_id,
               CAST(m.sample_type AS sample_type_term) AS sample_type,
               CAST(m.material AS material_term) AS material,
               CAST(m.storage AS storage_term) AS storage,
               CAST(m.sex AS sex_term) AS sex,
               CAST(m.age AS SMALLINT) AS age, CAST(m.year AS SMALLINT) AS year, m.country,
               CASE WHEN m.raw_diagnosis IS NULL THEN NULL
                    ELSE replace(m.raw_diagnosis, '.', '') END AS diagnosis_key,
               CAST('0x' || substr(sha256(? || '|donor|' || m.donor_id), 1, 8) AS UBIGINT)
                   AS sample_key,
               CAST('0x' || substr(sha256(? || '|donor|' || m.donor_id), 1, 8) AS UBIGINT)
                   AS donor_key
        FROM mapped m JOIN datasets d
          ON d.collection = m.collection AND d.duo_codes = m.duo_codes
        ORDER BY diagnosis_key, m.sex, m.material
        """,
        # A sample carries its donor's key. With keys of its own, the samples of a filter
        # holding one sample per donor (the usual small cell) and those donors would be
        # the same count under two unrelated cell keys: asked as biosamples and as
        # individuals, two independent perturbations of it, which a reader combines.
        [key_secret, key_secret],
    )
