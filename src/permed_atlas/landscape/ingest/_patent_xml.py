"""Shared parts of the EPO and USPTO XML readers: documents, entities, class symbols, the
Work of a document."""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import RecordError
from permed_atlas.landscape.ingest._common import convert_or_error, iter_xml_chunks
from permed_atlas.landscape.models import Contributor, Term, Work

_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_IPC = re.compile(r"^\s*\d?\s*([A-H]\d{2}[A-Z])\s*0*(\d+)\s*/\s*(\d+)")


def _replace_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES:
        return match.group(0)
    codepoint = html.entities.name2codepoint.get(name)
    return f"&#{codepoint};".encode() if codepoint else b" "


def parse_document(chunk: bytes) -> ET.Element:
    """Parse one document; named entities declared only in the DTD are resolved first.

    :param chunk: the document's bytes, from its root element's start tag to its end.
    """
    try:
        return ET.fromstring(chunk)
    except ET.ParseError as exc:
        if "undefined entity" not in str(exc):
            raise
    return ET.fromstring(_NAMED_ENTITY.sub(_replace_entity, chunk))


def iter_documents(
    path: Path | str,
    roots: tuple[str, ...],
    convert: Callable[[ET.Element], Work],
) -> Iterator[Work | RecordError]:
    """Yield a Work or a RecordError for each document rooted at one of ``roots``.

    Bulk files concatenate many XML documents, each with its own declaration;
    each is cut out and parsed on its own.

    :param path: the file, plain or gzipped.
    :param roots: root element names, e.g. ("us-patent-grant", "us-patent-application").
    :param convert: builds the Work from the parsed root element.
    """
    name = str(path)
    starts = tuple(s for root in roots for s in (f"<{root}>".encode(), f"<{root} ".encode()))
    ends = tuple(f"</{root}>".encode() for root in roots)
    for line, chunk in iter_xml_chunks(path, starts, ends):
        try:
            element = parse_document(chunk)
        except ET.ParseError as exc:
            reason = str(exc).split(": line ", 1)[0]
            yield RecordError(
                Message(
                    "broken XML in the document starting on line %(line)s: %(reason)s",
                    line=line,
                    reason=reason,
                ),
                path=name,
                line=line + exc.position[0] - 1,
            )
            continue
        yield convert_or_error(convert, element, what="patent document", path=name, line=line)


def class_symbol(text: str | None) -> str | None:
    """ "A23L   1/29   20060101AFI..." or "7C07K 14/47" or "A61B005/00" -> "A23L1/29"."""
    if not text:
        return None
    match = _IPC.match(text)
    if not match:
        return None
    return f"{match.group(1)}{match.group(2)}/{match.group(3)}"


def class_terms(symbols: list[tuple[str, str | None]]) -> tuple[Term, ...]:
    """Unique (scheme, symbol) pairs as Terms, in order."""
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    for scheme, symbol in symbols:
        if symbol and (scheme, symbol) not in seen:
            seen.add((scheme, symbol))
            terms.append(Term(scheme=scheme, term=symbol, id=symbol))
    return tuple(terms)


def element_text(element: ET.Element | None) -> str | None:
    """All text below ``element``, whitespace collapsed."""
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def patent_work(
    root: ET.Element,
    *,
    source: str,
    number: tuple[str, str, str, str],
    granted: bool,
    title: str | None,
    abstract: str | None,
    year: int | None,
    contributors: tuple[Contributor, ...],
    classes: list[tuple[str, str | None]],
) -> Work:
    """The Work of one EPO or USPTO document, from the parts each format finds its own way.

    The publication number is country, number without leading zeros and kind
    ("EP3782854A1"); the family is the application, which a document's A and B
    publications share, or the publication itself when the application is not given.

    :param root: the document's root element (its ``lang`` is the work's language).
    :param source: ``epo`` or ``uspto``.
    :param number: country, publication number, kind code and application number ("" if none).
    :param granted: a grant (else an application).
    :param title: the (English) title.
    :param abstract: the (English) abstract.
    :param year: the priority year.
    :param contributors: applicants and inventors.
    :param classes: (scheme, symbol) pairs, as :func:`class_terms` takes them.
    """
    country, serial, kind, application = number
    publication = f"{country}{serial.lstrip('0')}{kind}"
    return Work(
        kind="patent",
        source=source,
        title=title,
        abstract=abstract,
        year=year,
        type="granted_patent" if granted else "patent_application",
        venue=country,
        language=(root.get("lang") or "").lower() or None,
        publication_number=publication,
        family_id=f"app:{country}{application}" if application else f"pub:{publication}",
        contributors=contributors,
        terms=class_terms(classes),
    )
