"""OpenAlex works: API result pages and snapshot JSON Lines, both schema generations.

The 2021 snapshot has ``host_venue``/``alternate_host_venues``/``concepts``;
newer records have ``primary_location``/``locations``/``topics``/
``primary_topic``/``keywords``. Both carry ``mesh`` where PubMed indexed the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from permed_atlas.i18n import Message
from permed_atlas.landscape.countries import countries_from_affiliation
from permed_atlas.landscape.errors import IngestError, RecordError, TruncatedFileError
from permed_atlas.landscape.ingest._common import (
    check_json_types,
    convert_or_error,
    digits,
    iter_lines,
    json_reason,
    normalise_doi,
    normalise_pmcid,
    open_binary,
    optional_text,
    read_head,
    read_some,
    record_source,
    whole_number,
)
from permed_atlas.landscape.models import Contributor, Institution, Term, Work

_NO_ID = "record has no OpenAlex id"

# The fields the reader walks into, with the JSON type OpenAlex gives each (or null), so
# a record of another shape is refused naming its field, not with a Python error.
# Within them, the readers skip what is not in OpenAlex's shape. (An abstract index that is
# not an object is no abstract, as in the Parquet path's SQL.)
_FIELD_TYPES: dict[str, type] = {
    "ids": dict,
    "authorships": list,
    "primary_location": dict,
    "locations": list,
    "host_venue": dict,
    "alternate_host_venues": list,
    "primary_topic": dict,
    "topics": list,
    "keywords": list,
    "concepts": list,
    "mesh": list,
}


_NOT_POSITIONS = "abstract_inverted_index: a word's positions must be whole numbers"
MAX_ABSTRACT_POSITION = 999_999
"""The largest word position an abstract index may hold (OpenAlex's longest are ~10,000)."""


def rebuild_abstract(inverted: Any) -> str | None:
    """The abstract text from OpenAlex's ``abstract_inverted_index`` ({word: [positions]}).

    :param inverted: the index, or None.
    """
    if not isinstance(inverted, dict) or not inverted:
        return None
    if isinstance(inverted.get("InvertedIndex"), dict):  # 2021 snapshot: MAG's wrapper
        inverted = inverted["InvertedIndex"]
    lists = [p for p in inverted.values() if p.__class__ is list and p]
    if not lists:
        return None
    try:
        last = max(map(max, lists))
    except TypeError:  # a position that is not a number (null, a string, a list)
        raise ValueError(_NOT_POSITIONS) from None
    if not isinstance(last, int):
        raise ValueError(_NOT_POSITIONS)
    # A list as long as the largest position is built: a bad record must not claim gigabytes.
    if last > MAX_ABSTRACT_POSITION:
        raise ValueError(
            f"abstract_inverted_index: position {last} is beyond any abstract "
            f"(at most {MAX_ABSTRACT_POSITION + 1:,} words)"
        )
    words = [""] * (1 + last)
    try:
        for word, positions in inverted.items():
            if positions.__class__ is list:
                for position in positions:
                    words[position] = word
    except TypeError:  # a float below the largest position
        raise ValueError(_NOT_POSITIONS) from None
    except IndexError:  # Python's negative indexes count from the end; before it, none
        first = min(map(min, lists))
        raise ValueError(
            f"abstract_inverted_index: position {first} is not in the abstract"
        ) from None
    return " ".join(filter(None, words)) or None


def _short(value: Any) -> str | None:
    """ "https://openalex.org/W1" -> "W1" (inlined rsplit: this runs ~30 times per work)."""
    if value.__class__ is not str or not value:
        return None
    return value.rpartition("/")[2] or None


# An institution as the affiliation rows store it: (id, name, ROR, country code).
InstitutionFields = tuple[str | None, str | None, str | None, str | None]


def _institution_fields(raw: Any) -> tuple[list[InstitutionFields], list[str]]:
    """The named institutions of an authorship, and the country codes of those with no name,
    id or ROR (kept as countries only)."""
    located: list[InstitutionFields] = []
    loose: list[str] = []
    for item in raw or ():
        if item.__class__ is not dict:
            continue
        name = optional_text(item, "display_name", inside="authorships.institutions.")
        code = item.get("country_code")
        code = code.upper() if code.__class__ is str and code else None
        ident = _short(item.get("id"))
        ror = optional_text(item, "ror", inside="authorships.institutions.")
        if name is None and ident is None and ror is None:
            if code:
                loose.append(code)
            continue
        located.append((ident, name, ror, code))
    return located, loose


def _raw_affiliation(authorship: dict[str, Any]) -> str | None:
    """The authorship's affiliation as written (its strings joined), or None."""
    strings = authorship.get("raw_affiliation_strings")
    if strings:
        return "; ".join([s for s in strings if s.__class__ is str]) or None
    return optional_text(authorship, "raw_affiliation_string", inside="authorships.")


class _Authorship(NamedTuple):
    position: int
    name: str | None
    author_id: str | None
    orcid: str | None
    raw: str | None  # the affiliation as written
    located: list[InstitutionFields]
    countries: tuple[str, ...]
    unresolved: bool  # an affiliation, but no country in it or its institutions


def _authorships(authorships: Any) -> Iterator[_Authorship]:
    """The authorships of a record as both paths store them, numbered from 1 (a malformed
    one keeps its number)."""
    position = 0
    for authorship in authorships or ():
        position += 1
        if authorship.__class__ is not dict:
            continue
        author = authorship.get("author") or _EMPTY
        located, loose = _institution_fields(authorship.get("institutions"))
        countries: tuple[str, ...] = tuple(loose)
        raw = _raw_affiliation(authorship)
        placed = bool(countries) or any(fields[3] for fields in located)
        if raw and not placed:
            # Institutions without a country (common in old records): read the text.
            countries = countries_from_affiliation(raw)
        orcid = author.get("orcid")
        yield _Authorship(
            position,
            optional_text(author, "display_name", inside="authorships.author.")
            or optional_text(authorship, "raw_author_name", inside="authorships."),
            _short(author.get("id")),
            _short(orcid) if orcid else None,
            raw,
            located,
            countries,
            bool(raw) and not placed and not countries,
        )


def _contributors(authorships: Any) -> tuple[Contributor, ...]:
    return tuple(
        Contributor(
            a.position,
            a.name,
            "author",
            a.author_id,
            a.orcid,
            tuple(Institution(name, code, ident, ror) for ident, name, ror, code in a.located),
            a.countries,
            a.raw,
        )
        for a in _authorships(authorships)
    )


_EMPTY: dict[str, Any] = {}
_NUMBER = (int, float)


TermRow = tuple[str, str, str | None, float | None]


def _scored_terms(scheme: str, items: Any, seen: set[tuple[str, str]]) -> Iterator[TermRow]:
    name: Any
    for item in items or ():
        if item.__class__ is str:  # some keyword lists are plain strings
            name, ident, score = item, None, None
        elif item.__class__ is dict:
            name = item.get("display_name") or item.get("keyword")
            ident = _short(item.get("id"))
            score = item.get("score")
        else:
            continue
        if not name or name.__class__ is not str:
            continue
        key = (scheme, ident or name.lower())
        if key in seen:
            continue
        seen.add(key)
        yield scheme, name, ident, score if score.__class__ in _NUMBER else None


def _term_rows(record: dict[str, Any]) -> Iterator[TermRow]:
    """(scheme, term, id, score) of a record's concepts, topics, keywords and MeSH, deduplicated.

    Shared by the Work parser and the workers' fast path, so both keep the same terms.
    """
    seen: set[tuple[str, str]] = set()
    yield from _scored_terms("concept", record.get("concepts"), seen)
    topics = record.get("topics")
    if not topics and record.get("primary_topic"):
        topics = [record["primary_topic"]]
    yield from _scored_terms("topic", topics, seen)
    yield from _scored_terms("keyword", record.get("keywords"), seen)
    for item in record.get("mesh") or ():
        if item.__class__ is not dict:
            continue
        name = item.get("descriptor_name")
        ident = optional_text(item, "descriptor_ui", inside="mesh.")
        if not name or name.__class__ is not str:
            continue
        key = ("mesh", ident or name.lower())
        if key not in seen:
            seen.add(key)
            yield "mesh", name, ident, None


def _terms(record: dict[str, Any]) -> tuple[Term, ...]:
    return tuple(Term(*row) for row in _term_rows(record))


def _venue(record: dict[str, Any]) -> str | None:
    location = record.get("primary_location")
    if isinstance(location, dict):
        source = location.get("source")
        if isinstance(source, dict) and source.get("display_name"):
            return str(source["display_name"])
    host = record.get("host_venue")
    if isinstance(host, dict) and host.get("display_name"):
        return str(host["display_name"])
    for location in record.get("locations") or ():
        source = location.get("source") if isinstance(location, dict) else None
        if isinstance(source, dict) and source.get("display_name"):
            return str(source["display_name"])
    return None


def _updated(record: dict[str, Any]) -> str | None:
    value = record.get("updated_date")
    return value if value.__class__ is str and value else None


def _work_id(record: dict[str, Any]) -> str:
    """The record's short OpenAlex id ("W2741809807"); ValueError unless it is a work's.

    The snapshot's authors, institutions, sources, ... parts are JSON Lines with an ``id``
    and a ``display_name`` too: read as works, an authors part was stored as publications
    titled with people's names.
    """
    openalex_id = _short(record.get("id"))
    if not openalex_id:
        raise ValueError(_NO_ID)
    if openalex_id[0] != "W" or not openalex_id[1:].isdecimal():
        raise ValueError(
            Message(
                "record is not an OpenAlex work: its id %(value)s is not W and digits "
                "(A is an author's, I an institution's, S a source's)",
                value=_shown_id(openalex_id),
            )
        )
    return openalex_id


def _shown_id(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def work_from_openalex(record: dict[str, Any]) -> Work:
    """Build a :class:`Work` from one OpenAlex work object; ValueError when it has no id.

    :param record: the decoded JSON object.
    """
    openalex_id = _work_id(record)
    check_json_types(record, _FIELD_TYPES)
    ids = record.get("ids") or {}
    title = record.get("title") or record.get("display_name")
    return Work(
        kind="publication",
        source=record_source(record, "openalex"),
        title=title if isinstance(title, str) and title else None,
        abstract=rebuild_abstract(record.get("abstract_inverted_index")),
        year=whole_number(record, "publication_year"),
        type=optional_text(record, "type"),
        venue=_venue(record),
        language=optional_text(record, "language"),
        cited_by_count=whole_number(record, "cited_by_count"),
        updated_date=_updated(record),
        openalex_id=openalex_id,
        doi=normalise_doi(record.get("doi") or ids.get("doi")),
        pmid=digits(ids.get("pmid")) if ids.get("pmid") else None,
        pmcid=normalise_pmcid(ids.get("pmcid")) if ids.get("pmcid") else None,
        contributors=_contributors(record.get("authorships")),
        terms=_terms(record),
    )


def parse_openalex_record(line: bytes, *, path: str, number: int) -> Work | RecordError:
    """Decode and convert one JSON line; a RecordError (not raised) when it is malformed.

    :param line: the raw JSON text of one work.
    :param path: the file, for the error message.
    :param number: the 1-based line, for the error message.
    """
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return RecordError(json_reason(exc), path=path, line=number)
    return convert_openalex_record(record, path=path, number=number)


def convert_openalex_record(record: object, *, path: str, number: int) -> Work | RecordError:
    """Convert one decoded OpenAlex object; a RecordError (not raised) when it is unusable.

    :param record: the decoded JSON value.
    :param path: the file, for the error message.
    :param number: the 1-based line or result index, for the error message.
    """
    if not isinstance(record, dict):
        return RecordError(Message("not a JSON object"), path=path, line=number)
    return convert_or_error(work_from_openalex, record, what="work", path=path, line=number)


def is_document_file(path: Path | str) -> bool:
    """Whether ``path`` holds one JSON document (an API page or an array), not JSON Lines.

    :param path: the file.
    """
    head = read_head(path, 4096).lstrip()
    if head.startswith(b"["):
        return True
    first_line = head.split(b"\n", 1)[0]
    if b'"results"' in first_line or b'"meta"' in first_line:
        return True
    name = Path(path).name.lower().removesuffix(".gz")
    return name.endswith(".json") and not first_line.rstrip().endswith(b"}")


def _document_results(path: str) -> list[Any]:
    blocks = []
    with open_binary(path) as stream:
        while block := read_some(stream, path, line=1):
            blocks.append(block)
    data = b"".join(blocks).removeprefix(b"\xef\xbb\xbf")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if exc.pos >= len(data.rstrip()):  # the text stops before the document closes
            raise TruncatedFileError(
                path, line=exc.lineno, detail="the JSON document ends before it closes"
            ) from exc
        raise IngestError(Message("%(path)s: broken JSON: %(exc)s", path=path, exc=exc)) from exc
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        return list(document["results"])
    if isinstance(document, dict) and "id" in document:
        return [document]
    raise IngestError(Message("%(path)s: not an OpenAlex API page: no 'results' list", path=path))


def parse_openalex(path: Path | str) -> Iterator[Work | RecordError]:
    """Yield a Work, or a RecordError, for each record of an OpenAlex file.

    API pages (``{"results": [...]}``) and JSON arrays are read whole (a page is
    at most 200 works) and errors name the result's index; JSON Lines are
    streamed and errors name the line.

    :param path: a .json page, or .jsonl / .jsonl.gz snapshot part.
    """
    name = str(path)
    if is_document_file(path):
        for index, record in enumerate(_document_results(name), start=1):
            yield convert_openalex_record(record, path=name, number=index)
        return
    for number, line in iter_lines(path):
        yield parse_openalex_record(line, path=name, number=number)


Row = tuple[Any, ...]


def openalex_rows(
    record: dict[str, Any],
    index: int,
    tables: tuple[list[Row], list[Row], list[Row], list[Row], list[Row]],
) -> tuple[frozenset[tuple[str, str]], int]:
    """Append one work's table rows straight from its OpenAlex object, skipping the Work.

    The rows, identifiers and unresolved count are exactly those of
    ``work_rows.row_batch([work_from_openalex(record)])`` (with ``index`` as the
    work id) and of ``pipeline.count_unresolved``. Raises whatever
    :func:`work_from_openalex` would raise (callers fall back to it then); nothing is
    appended unless the whole record converts.

    :param record: the decoded JSON object.
    :param index: the record's index in its batch (the rows' ``work_id``).
    :param tables: the row lists of works, contributors, affiliations, terms, work_ids.
    """
    openalex_id = _work_id(record)
    check_json_types(record, _FIELD_TYPES)
    ids = record.get("ids") or {}
    doi = normalise_doi(record.get("doi") or ids.get("doi"))
    pmid = digits(ids.get("pmid")) if ids.get("pmid") else None
    pmcid = normalise_pmcid(ids.get("pmcid")) if ids.get("pmcid") else None
    work = _work_row(record, index, openalex_id=openalex_id, doi=doi, pmid=pmid, pmcid=pmcid)
    people: list[Row] = []
    places: list[Row] = []
    unresolved = _authorship_rows(record.get("authorships"), index, people, places)
    term_rows: list[Row] = [(index, *row) for row in _term_rows(record)]
    # Only now, the whole record converted, is anything appended.
    works, contributors, affiliations, terms, keys = tables
    works.append(work)
    contributors.extend(people)
    affiliations.extend(places)
    terms.extend(term_rows)
    # Work.identifiers() sorted by id type: doi < openalex_id < pmid.
    identifiers: list[tuple[str, str]] = []
    if doi:
        identifiers.append(("doi", doi))
    identifiers.append(("openalex_id", openalex_id))
    if pmid:
        identifiers.append(("pmid", pmid))
    for id_type, id_value in identifiers:
        keys.append((id_type, id_value, index))
    return frozenset(identifiers), unresolved


def _work_row(
    record: dict[str, Any],
    index: int,
    *,
    openalex_id: str,
    doi: str | None,
    pmid: str | None,
    pmcid: str | None,
) -> Row:
    """The ``works`` row of a record, in the table's column order."""
    year = whole_number(record, "publication_year")
    cited = whole_number(record, "cited_by_count")
    title = record.get("title") or record.get("display_name")
    abstract = rebuild_abstract(record.get("abstract_inverted_index"))
    venue = _venue(record)
    work_type = optional_text(record, "type")
    language = optional_text(record, "language")
    return (
        index,
        "publication",
        [record_source(record, "openalex")],
        openalex_id,
        doi,
        pmid,
        pmcid,
        None,
        None,
        None,
        title if isinstance(title, str) and title else None,
        abstract,
        year,
        work_type,
        venue,
        language,
        cited,
        _updated(record),
    )


def _authorship_rows(authorships: Any, index: int, people: list[Row], places: list[Row]) -> int:
    """Append the ``contributors`` and ``affiliations`` rows of a record's authorships.

    Returns how many authorships have an affiliation but no country (``count_unresolved``).
    """
    unresolved = 0
    for a in _authorships(authorships):
        unresolved += a.unresolved
        people.append((index, a.position, "author", a.name, a.author_id, a.orcid, a.raw))
        places.extend((index, a.position, *fields) for fields in a.located)
        places.extend((index, a.position, None, None, None, country) for country in a.countries)
    return unresolved
