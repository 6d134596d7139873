"""USPTO bulk XML: ``us-patent-grant`` and ``us-patent-application`` (v4.x).

Weekly bulk files concatenate thousands of documents, each with its own XML
declaration; each is read on its own. The year is the earliest of the priority
claims, provisional applications and the filing date; the family id is the US
application (``app:US12134151``), shared by its A1 and B publications.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from permed_atlas.landscape.errors import RecordError
from permed_atlas.landscape.ingest._common import year_of
from permed_atlas.landscape.ingest._patent_xml import (
    class_symbol,
    element_text,
    iter_documents,
    patent_work,
)
from permed_atlas.landscape.models import Contributor, Work

ROOTS = ("us-patent-grant", "us-patent-application")


def _name(book: ET.Element | None) -> str | None:
    if book is None:
        return None
    org = element_text(book.find("orgname"))
    if org:
        return org
    parts = [element_text(book.find(tag)) for tag in ("first-name", "last-name")]
    return " ".join(p for p in parts if p) or element_text(book.find("name"))


def _party(party: ET.Element, role: str, position: int) -> Contributor:
    book = party.find("addressbook")
    country = (
        (
            party.findtext("residence/country")
            or (book.findtext("address/country") if book is not None else None)
            or ""
        )
        .strip()
        .upper()
    )
    city = (book.findtext("address/city") if book is not None else None) or ""
    return Contributor(
        position=position,
        name=_name(book),
        role=role,
        countries=(country,) if len(country) == 2 and country.isalpha() else (),
        raw_affiliation=" ".join(p for p in (city.strip(), country) if p) or None,
    )


def _parties(biblio: ET.Element) -> tuple[Contributor, ...]:
    contributors: list[Contributor] = []
    names: set[str | None] = set()
    paths = (
        ("applicant", "us-parties/us-applicants/us-applicant"),
        ("applicant", "parties/applicants/applicant"),
        ("inventor", "us-parties/inventors/inventor"),
        ("inventor", "parties/inventors/inventor"),
        ("applicant", "assignees/assignee"),
    )
    for role, path in paths:
        for party in biblio.iterfind(path):
            contributor = _party(party, role, len(contributors) + 1)
            if role == "applicant" and path.startswith("assignees") and contributor.name in names:
                continue
            names.add(contributor.name)
            contributors.append(contributor)
    return tuple(contributors)


def _symbol_from_parts(node: ET.Element) -> str | None:
    parts = [
        (node.findtext(tag) or "").strip()
        for tag in ("section", "class", "subclass", "main-group", "subgroup")
    ]
    if not all(parts):
        return None
    return f"{parts[0]}{parts[1]}{parts[2]}{parts[3].lstrip('0') or '0'}/{parts[4]}"


def _classes(biblio: ET.Element) -> list[tuple[str, str | None]]:
    symbols: list[tuple[str, str | None]] = []
    for node in biblio.iterfind("classifications-cpc//classification-cpc"):
        symbols.append(("cpc", _symbol_from_parts(node)))
    for node in biblio.iterfind("classifications-ipcr/classification-ipcr"):
        symbols.append(("ipc", _symbol_from_parts(node)))
    for tag in ("main-classification", "further-classification"):
        for node in biblio.iterfind(f"classification-ipc/{tag}"):
            symbols.append(("ipc", class_symbol(node.text)))
    return symbols


def _year(biblio: ET.Element) -> int | None:
    dates = [d.text for d in biblio.iterfind("priority-claims/priority-claim/date")]
    dates += [
        d.text
        for d in biblio.iterfind("us-related-documents/us-provisional-application/document-id/date")
    ]
    years = [y for d in dates if (y := year_of(d))]
    if years:
        return min(years)
    return year_of(biblio.findtext("application-reference/document-id/date")) or year_of(
        biblio.findtext("publication-reference/document-id/date")
    )


def work_from_uspto(root: ET.Element) -> Work:
    """Build a :class:`Work` from one USPTO grant or application; ValueError without a number.

    :param root: the parsed ``us-patent-grant`` or ``us-patent-application`` element.
    """
    biblio = root.find("us-bibliographic-data-grant")
    if biblio is None:
        biblio = root.find("us-bibliographic-data-application")
    if biblio is None:
        raise ValueError("document has no us-bibliographic-data")
    publication = biblio.find("publication-reference/document-id")
    number = (publication.findtext("doc-number") if publication is not None else "") or ""
    if not number.strip():
        raise ValueError("document has no publication number")
    country = (publication.findtext("country") or "US").strip()  # type: ignore[union-attr]
    kind = (publication.findtext("kind") or "").strip()  # type: ignore[union-attr]
    application = (biblio.findtext("application-reference/document-id/doc-number") or "").strip()
    return patent_work(
        root,
        source="uspto",
        number=(country, number.strip(), kind, application),
        granted=root.tag == "us-patent-grant",
        title=element_text(biblio.find("invention-title")),
        abstract=element_text(root.find("abstract")),
        year=_year(biblio),
        contributors=_parties(biblio),
        classes=_classes(biblio),
    )


def parse_uspto(path: Path | str) -> Iterator[Work | RecordError]:
    """Yield a Work, or a RecordError naming the line, for each USPTO document in a file.

    :param path: a grant or application XML file, or a weekly bulk file, plain or gzipped.
    """
    return iter_documents(path, ROOTS, work_from_uspto)
