"""Lens.org patent export: JSON Lines, the first line starting with a UTF-8 BOM.

A patent's year is its earliest priority year. Its family id is the simple
family as Lens lists it: ``family:<id>`` when the export carries an id, else
``lens-family:<smallest member lens_id>``, which every member of the family
shares, so two publications of one family become one work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import RecordError
from permed_atlas.landscape.ingest._common import (
    check_json_types,
    clean_text,
    convert_or_error,
    iter_lines,
    json_reason,
    optional_text,
    record_source,
    year_of,
)
from permed_atlas.landscape.models import Contributor, Term, Work

_GRANT_TYPES = {"GRANTED_PATENT", "GRANT"}
# The fields of a Lens record the reader walks into, with their JSON types (see openalex.py).
_FIELD_TYPES: dict[str, type] = {
    "biblio": dict,
    "families": dict,
    "abstract": list,
}


def _english(items: object) -> str | None:
    """The English text of a list of {"text", "lang"}, else the first one."""
    if isinstance(items, str):
        return clean_text(items)
    if not isinstance(items, list) or not items:
        return None
    chosen = next((i for i in items if isinstance(i, dict) and i.get("lang") == "en"), items[0])
    return clean_text(chosen.get("text")) if isinstance(chosen, dict) else None


def _name(party: dict[str, Any]) -> str | None:
    extracted = party.get("extracted_name")
    if isinstance(extracted, dict):
        return clean_text(extracted.get("value"))
    return clean_text(party.get("name"))


def _country(party: dict[str, Any]) -> tuple[str, ...]:
    for key in ("residence", "extracted_country", "country"):
        value = party.get(key)
        if isinstance(value, str) and len(value) == 2 and value.isalpha():
            return (value.upper(),)
    return ()


def _contributors(parties: dict[str, Any]) -> tuple[Contributor, ...]:
    contributors: list[Contributor] = []
    position = 0
    for role, key in (("applicant", "applicants"), ("inventor", "inventors")):
        for party in parties.get(key) or ():
            if not isinstance(party, dict):
                continue
            position += 1
            contributors.append(
                Contributor(
                    position=position,
                    name=_name(party),
                    role=role,
                    countries=_country(party),
                    raw_affiliation=clean_text(party.get("extracted_address")),
                )
            )
    return tuple(contributors)


def _classes(biblio: dict[str, Any]) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    for scheme, key in (("cpc", "classifications_cpc"), ("ipc", "classifications_ipcr")):
        block = biblio.get(key) or {}
        for item in block.get("classifications") or ():
            symbol = item.get("symbol") if isinstance(item, dict) else None
            if isinstance(symbol, str) and symbol and (scheme, symbol) not in seen:
                seen.add((scheme, symbol))
                terms.append(Term(scheme=scheme, term=symbol, id=symbol))
    return tuple(terms)


def _priority_year(record: dict[str, Any], biblio: dict[str, Any]) -> int | None:
    claims = biblio.get("priority_claims") or {}
    earliest = (claims.get("earliest_claim") or {}).get("date")
    dates = [earliest] + [c.get("date") for c in claims.get("claims") or () if isinstance(c, dict)]
    years = [year for date in dates if (year := year_of(date))]
    if years:
        return min(years)
    application = biblio.get("application_reference") or {}
    return year_of(application.get("date")) or year_of(record.get("date_published"))


def _family_id(record: dict[str, Any], lens_id: str) -> str:
    family = (record.get("families") or {}).get("simple_family") or {}
    if family.get("id") is not None:
        return f"family:{family['id']}"
    members = [m.get("lens_id") for m in family.get("members") or () if isinstance(m, dict)]
    return f"lens-family:{min([lens_id, *[m for m in members if isinstance(m, str)]])}"


def work_from_lens(record: dict[str, Any]) -> Work:
    """Build a :class:`Work` from one Lens patent record; ValueError when it has no lens_id.

    :param record: the decoded JSON object.
    """
    lens_id = record.get("lens_id")
    if not isinstance(lens_id, str) or not lens_id:
        raise ValueError("record has no lens_id")
    check_json_types(record, _FIELD_TYPES)
    biblio = record.get("biblio") or {}
    jurisdiction = optional_text(record, "jurisdiction")
    number = record.get("doc_number")
    kind = optional_text(record, "kind") or ""
    publication = None
    if jurisdiction and number:
        publication = f"{jurisdiction}{str(number).lstrip('0')}{kind}"
    grant = optional_text(record, "publication_type") in _GRANT_TYPES or kind.startswith("B")
    return Work(
        kind="patent",
        source=record_source(record, "lens"),
        title=_english(biblio.get("invention_title")),
        abstract=_english(record.get("abstract")),
        year=_priority_year(record, biblio),
        type="granted_patent" if grant else "patent_application",
        venue=jurisdiction or None,
        language=optional_text(record, "lang"),
        lens_id=lens_id,
        publication_number=publication,
        family_id=_family_id(record, lens_id),
        contributors=_contributors(biblio.get("parties") or {}),
        terms=_classes(biblio),
    )


def parse_lens(path: Path | str) -> Iterator[Work | RecordError]:
    """Yield a Work, or a RecordError naming the line, for each line of a Lens JSON Lines export.

    :param path: the .jsonl or .jsonl.gz export.
    """
    name = str(path)
    for number, line in iter_lines(path):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield RecordError(json_reason(exc), path=name, line=number)
            continue
        if not isinstance(record, dict):
            yield RecordError(Message("not a JSON object"), path=name, line=number)
            continue
        yield convert_or_error(work_from_lens, record, what="patent record", path=name, line=number)
