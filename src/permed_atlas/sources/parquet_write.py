"""Writing OpenAlex works as Parquet in the snapshot's nested work schema.

Used for test buckets and benchmarks (fed by real records or the demo
generator), and as the definition of the layout :mod:`parquet_ingest` reads: the
nested objects of the JSON work (``ids``, ``primary_location``, ``authorships``
with their ``institutions``, ``topics``, ``concepts``, ``keywords``, ``mesh``) are
Parquet structs and lists of the same names. ``abstract_inverted_index``, whose
keys are the abstract's words, cannot be a struct: it is its JSON text. That and
the rest of this layout are our reading of OpenAlex's announcement, stated in
docs/openalex-snapshot.md, until the bucket's first Parquet release can be checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

_S = pa.string()
_NAMED = pa.struct([("id", _S), ("display_name", _S)])
_SOURCE = pa.struct([("id", _S), ("display_name", _S), ("issn_l", _S), ("type", _S)])
_LOCATION = pa.struct(
    [
        ("is_oa", pa.bool_()),
        ("landing_page_url", _S),
        ("pdf_url", _S),
        ("source", _SOURCE),
        ("license", _S),
        ("version", _S),
    ]
)
_INSTITUTION = pa.struct(
    [
        ("id", _S),
        ("display_name", _S),
        ("ror", _S),
        ("country_code", _S),
        ("type", _S),
    ]
)
_AUTHORSHIP = pa.struct(
    [
        ("author_position", _S),
        ("author", pa.struct([("id", _S), ("display_name", _S), ("orcid", _S)])),
        ("institutions", pa.list_(_INSTITUTION)),
        ("countries", pa.list_(_S)),
        ("is_corresponding", pa.bool_()),
        ("raw_author_name", _S),
        ("raw_affiliation_strings", pa.list_(_S)),
        ("raw_affiliation_string", _S),  # the 2021 schema's single string
    ]
)
_TOPIC = pa.struct(
    [
        ("id", _S),
        ("display_name", _S),
        ("score", pa.float64()),
        ("subfield", _NAMED),
        ("field", _NAMED),
        ("domain", _NAMED),
    ]
)
WORK_SCHEMA = pa.schema(
    [
        ("id", _S),
        ("doi", _S),
        ("title", _S),
        ("display_name", _S),
        ("publication_year", pa.int32()),
        ("publication_date", _S),
        (
            "ids",
            pa.struct([("openalex", _S), ("doi", _S), ("mag", _S), ("pmid", _S), ("pmcid", _S)]),
        ),
        ("language", _S),
        ("primary_location", _LOCATION),
        ("locations", pa.list_(_LOCATION)),
        ("host_venue", _NAMED),  # the 2021 schema's venue
        ("type", _S),
        ("authorships", pa.list_(_AUTHORSHIP)),
        ("cited_by_count", pa.int32()),
        ("is_retracted", pa.bool_()),
        ("primary_topic", _TOPIC),
        ("topics", pa.list_(_TOPIC)),
        (
            "keywords",
            pa.list_(pa.struct([("id", _S), ("display_name", _S), ("score", pa.float64())])),
        ),
        (
            "concepts",
            pa.list_(
                pa.struct(
                    [
                        ("id", _S),
                        ("wikidata", _S),
                        ("display_name", _S),
                        ("level", pa.int32()),
                        ("score", pa.float64()),
                    ]
                )
            ),
        ),
        (
            "mesh",
            pa.list_(
                pa.struct(
                    [
                        ("descriptor_ui", _S),
                        ("descriptor_name", _S),
                        ("qualifier_ui", _S),
                        ("qualifier_name", _S),
                        ("is_major_topic", pa.bool_()),
                    ]
                )
            ),
        ),
        ("abstract_inverted_index", _S),
        ("referenced_works", pa.list_(_S)),
        ("updated_date", _S),
        ("created_date", _S),
        ("permed_synthetic", pa.bool_()),
    ]
)
"""The work schema of the Parquet parts (see the module's note on the layout)."""


def _strings(value: Any) -> Any:
    """Ids the JSON sometimes gives as numbers (``ids.mag``) as strings."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    """One JSON work as a row of :data:`WORK_SCHEMA` (fields outside it are dropped).

    :param record: a decoded OpenAlex work.
    """
    row = {name: record.get(name) for name in WORK_SCHEMA.names}
    inverted = record.get("abstract_inverted_index")
    row["abstract_inverted_index"] = (
        orjson.dumps(inverted).decode() if isinstance(inverted, dict) and inverted else None
    )
    ids = record.get("ids")
    row["ids"] = {k: _strings(v) for k, v in ids.items()} if isinstance(ids, dict) else None
    keywords = record.get("keywords")
    if isinstance(keywords, list):  # some records list keywords as plain strings
        row["keywords"] = [{"display_name": k} if isinstance(k, str) else k for k in keywords]
    year = record.get("publication_year")
    row["publication_year"] = year if isinstance(year, int) else None
    row["permed_synthetic"] = True if record.get("permed_synthetic") is True else None
    return row


def works_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    """The records as an Arrow table of :data:`WORK_SCHEMA`.

    :param records: decoded OpenAlex works.
    """
    return pa.Table.from_pylist([parquet_row(r) for r in records], schema=WORK_SCHEMA)


def write_works_parquet(
    records: Iterable[dict[str, Any]],
    path: Path | str,
    *,
    row_group_size: int = 50_000,
    batch: int = 20_000,
    dictionary: bool | Sequence[str] = True,
) -> int:
    """Write the records to one Parquet part (zstd), in batches; returns how many.

    :param records: decoded OpenAlex works.
    :param path: the part to write.
    :param row_group_size: rows per row group.
    :param batch: records converted at once (bounds memory for big parts).
    :param dictionary: dictionary-encode the columns (Parquet's default), or only those
        leaf columns (paths as :func:`leaf_columns` names them), or none. Generated or
        repeated works share their titles and abstracts, which a dictionary stores once and
        DuckDB then reads (and filters) once; a benchmark leaves out the columns whose
        values a snapshot holds once per work.
    """
    written = 0
    encoded = dictionary if isinstance(dictionary, bool) else list(dictionary)
    with pq.ParquetWriter(
        str(path), WORK_SCHEMA, compression="zstd", use_dictionary=encoded
    ) as writer:
        chunk: list[dict[str, Any]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                writer.write_table(works_table(chunk), row_group_size=row_group_size)
                written += len(chunk)
                chunk = []
        if chunk or not written:
            writer.write_table(works_table(chunk), row_group_size=row_group_size)
            written += len(chunk)
    return written


def leaf_columns(schema: pa.Schema = WORK_SCHEMA) -> list[str]:
    """The Parquet leaf columns of ``schema`` by path (``authorships.list.element.author.id``),
    as a writer's per-column options name them."""
    sink = pa.BufferOutputStream()
    pq.write_table(schema.empty_table(), sink)
    parquet_schema = pq.ParquetFile(pa.BufferReader(sink.getvalue())).schema
    return [parquet_schema.column(i).path for i in range(len(parquet_schema))]
