"""Synthetic biobank tables for the demo nodes and the benchmark (made by DuckDB, seeded).

Each style writes the same sample model with its own column names and codes,
as real biobanks do, so the mapping configs have real work to do.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from permed_atlas.federation._loader import sql_name, sql_text

# (ICD-10 code, per-mille upper bound of its band, sex it is restricted to or "")
_DIAGNOSES = (
    ("C50.9", 140, "female"),
    ("C50.4", 190, "female"),
    ("C18.7", 260, ""),
    ("C34.1", 340, ""),
    ("C61", 400, "male"),
    ("E11.9", 520, ""),
    ("I25.1", 590, ""),
    ("G30.9", 620, ""),
    ("C91.0", 632, ""),
    ("Q90.0", 635, ""),
    ("J45.9", 700, ""),
)
_MATERIALS = (
    ("SERUM", 250),
    ("PLASMA", 450),
    ("WHOLE_BLOOD", 600),
    ("DNA", 750),
    ("TISSUE_FROZEN", 850),
    ("TISSUE_PARAFFIN_EMBEDDED", 950),
    ("URINE", 1000),
)
_TYPE = {
    "SERUM": "body_fluid",
    "PLASMA": "body_fluid",
    "WHOLE_BLOOD": "body_fluid",
    "URINE": "body_fluid",
    "DNA": "nucleic_acid",
    "TISSUE_FROZEN": "tissue",
    "TISSUE_PARAFFIN_EMBEDDED": "tissue",
}
_STORAGE = {"TISSUE_PARAFFIN_EMBEDDED": "RT", "DNA": "-18to-35"}
STYLES = {
    "en": {
        "sample_id": "sample_id",
        "donor_id": "donor_id",
        "collection": "collection",
        "sample_type": "sample_type",
        "material": "material",
        "diagnosis": "icd10",
        "sex": "sex",
        "age": "age_at_collection",
        "year": "collection_year",
        "storage": "storage",
        "consent": "duo_codes",
        "country": "country",
    },
    "de": {
        "sample_id": "ProbenID",
        "donor_id": "SpenderID",
        "collection": "Sammlung",
        "sample_type": "Probentyp",
        "material": "Material",
        "diagnosis": "Diagnose_ICD10",
        "sex": "Geschlecht",
        "age": "Alter",
        "year": "Entnahmedatum",
        "storage": "Lagerung",
        "consent": "Einwilligung_DUO",
        "country": "Land",
    },
    "cn": {
        "sample_id": "样本编号",
        "donor_id": "捐献者编号",
        "collection": "样本库",
        "sample_type": "样本类型",
        "material": "材料",
        "diagnosis": "诊断ICD10",
        "sex": "性别",
        "age": "采集年龄",
        "year": "采集年份",
        "storage": "储存温度",
        "consent": "知情同意DUO",
        "country": "国家",
    },
}
_SEX_CODES = {"en": ("female", "male"), "de": ("W", "M"), "cn": ("女", "男")}
_MATERIAL_CODES = {
    "de": {
        "SERUM": "Serum",
        "PLASMA": "Plasma",
        "WHOLE_BLOOD": "Vollblut",
        "DNA": "DNA",
        "TISSUE_FROZEN": "Gewebe kryo",
        "TISSUE_PARAFFIN_EMBEDDED": "FFPE",
        "URINE": "Urin",
    },
    "cn": {
        "SERUM": "血清",
        "PLASMA": "血浆",
        "WHOLE_BLOOD": "全血",
        "DNA": "DNA",
        "TISSUE_FROZEN": "冷冻组织",
        "TISSUE_PARAFFIN_EMBEDDED": "石蜡组织",
        "URINE": "尿液",
    },
}


def _band(draw: str, bands: tuple[tuple[str, int], ...], default: str) -> str:
    cases = " ".join(f"WHEN {draw} < {upper} THEN {sql_text(value)}" for value, upper in bands)
    return f"(CASE {cases} ELSE {default} END)"


def node_columns(style: str) -> dict[str, str]:
    """The ``columns:`` mapping of a node config reading a table of ``style``: the sample
    model's field -> the table's column.

    :param style: "en", "de" or "cn"; "de" writes the collection date (day.month.year)
        where the others write the year.
    """
    fields = {
        "age": "age_at_collection",
        "year": "collection_date" if style == "de" else "collection_year",
    }
    return {fields.get(key, key): column for key, column in STYLES[style].items()}


def write_synthetic_biobank(
    path: Path,
    *,
    rows: int,
    seed: int,
    style: str,
    country: str,
    prefix: str,
    collections: dict[str, str],
) -> Path:
    """Write a synthetic biobank table (CSV, or Parquet when ``path`` ends in .parquet).

    :param rows: how many samples.
    :param seed: fixes every draw, so the same call writes the same table.
    :param style: "en", "de" or "cn" column names and codes.
    :param country: ISO 3166-1 alpha-2 code written in the country column.
    :param prefix: prefix of sample and donor ids.
    :param collections: collection name -> consent codes ("DUO:0000042|DUO:0000043").
    """
    names = STYLES[style]
    out = {field: sql_name(column) for field, column in names.items()}  # quoted column names

    def u(slot: int) -> str:
        # Donor-level draws hash the donor number, so both samples of a donor agree.
        key = "i // 2" if slot in {1, 4, 5, 6} else "i"
        return f"(hash({key}, {seed}, {slot}) % 1000)"

    sex_f, sex_m = _SEX_CODES[style]
    diag_bands = tuple((code, upper) for code, upper, _ in _DIAGNOSES)
    diag = _band(u(1), diag_bands, "NULL")
    female_only = ", ".join(sql_text(c) for c, _, s in _DIAGNOSES if s == "female")
    male_only = ", ".join(sql_text(c) for c, _, s in _DIAGNOSES if s == "male")
    material = _band(u(2), _MATERIALS, "'URINE'")
    coll_names = list(collections)
    collection = (
        f"(list_value({', '.join(sql_text(c) for c in coll_names)}))"
        f"[1 + CAST({u(3)} % {len(coll_names)} AS INTEGER)]"
    )
    consent_cases = " ".join(
        f"WHEN {sql_text(c)} THEN {sql_text(codes)}" for c, codes in collections.items()
    )
    type_cases = " ".join(f"WHEN {sql_text(m)} THEN {sql_text(t)}" for m, t in _TYPE.items())
    storage_cases = " ".join(f"WHEN {sql_text(m)} THEN {sql_text(s)}" for m, s in _STORAGE.items())
    material_out, year_out, diag_out = _styled_outputs(style)
    sql = f"""
    WITH base AS (
        SELECT i, {diag} AS d0, {material} AS material, {collection} AS collection,
               CASE WHEN {u(4)} < 520 THEN 'female' ELSE 'male' END AS sex0,
               18 + CAST({u(5)} % 72 AS INTEGER) AS age,
               2000 + CAST({u(6)} % 25 AS INTEGER) AS year,
               {u(7)} AS d
        FROM range({rows}) t(i)
    ), fixed AS (
        SELECT *, CASE WHEN d0 IN ({female_only}) THEN 'female'
                       WHEN d0 IN ({male_only}) THEN 'male' ELSE sex0 END AS sex,
               d0 AS diagnosis
        FROM base
    )
    SELECT {sql_text(prefix)} || '-S' || lpad(CAST(i AS VARCHAR), 8, '0')
               AS {out["sample_id"]},
           {sql_text(prefix)} || '-D' || lpad(CAST(i // 2 AS VARCHAR), 8, '0')
               AS {out["donor_id"]},
           collection AS {out["collection"]},
           (CASE material {type_cases} END) AS {out["sample_type"]},
           {material_out} AS {out["material"]},
           {diag_out} AS {out["diagnosis"]},
           CASE sex WHEN 'female' THEN {sql_text(sex_f)} ELSE {sql_text(sex_m)} END AS {out["sex"]},
           age AS {out["age"]},
           {year_out} AS {out["year"]},
           coalesce((CASE material {storage_cases} END), '-60to-85') AS {out["storage"]},
           (CASE collection {consent_cases} END) AS {out["consent"]},
           {sql_text(country)} AS {out["country"]}
    FROM fixed ORDER BY i
    """
    return _copy_to(path, sql)


def _styled_outputs(style: str) -> tuple[str, str, str]:
    """How a style writes material, collection date and diagnosis (SQL over the drawn values)."""
    material_map = _MATERIAL_CODES.get(style, {})
    material_out = (
        "(CASE material "
        + " ".join(f"WHEN {sql_text(m)} THEN {sql_text(c)}" for m, c in material_map.items())
        + " END)"
        if material_map
        else "material"
    )
    year_out = (
        "strftime(make_date(year, 1 + CAST(d % 12 AS INTEGER), 1 + CAST(d % 28 AS INTEGER)),"
        " '%d.%m.%Y')"
        if style == "de"
        else "CAST(year AS VARCHAR)"
    )
    diag_out = "replace(diagnosis, '.', '')" if style == "cn" else "diagnosis"
    return material_out, year_out, diag_out


def _copy_to(path: Path, sql: str) -> Path:
    """Write the query's rows to ``path``: Parquet for .parquet, else CSV with a header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "(FORMAT parquet)" if path.suffix == ".parquet" else "(FORMAT csv, HEADER true)"
    con = duckdb.connect()
    try:
        con.execute(f"COPY ({sql}) TO {sql_text(str(path))} {fmt}")
    finally:
        con.close()
    return path
