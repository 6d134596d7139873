"""EPO publication-server XML (``ep-patent-document`` v1-0 to v1-5).

The bibliographic part (SDOBI) uses INID-style tags: B110/B130 number and
kind, B210/B220 application, B300 priorities, B510(EP) IPC classes, B540
titles per language, B711 applicants (B731 proprietors on grants), B721
inventors. The family id is the EP application (``app:EP18877305``), which
the A and B publications of one application share.
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

ROOTS = ("ep-patent-document",)


def _parties(sdobi: ET.Element) -> tuple[Contributor, ...]:
    contributors: list[Contributor] = []
    paths = (
        ("applicant", "B700/B710/B711"),
        ("applicant", "B700/B730/B731"),  # proprietors, on granted patents
        ("inventor", "B700/B720/B721"),
    )
    for role, path in paths:
        for party in sdobi.iterfind(path):
            country = (party.findtext("adr/ctry") or party.findtext("ctry") or "").strip().upper()
            address = " ".join(
                " ".join((party.findtext(f"adr/{tag}") or "").split()) for tag in ("str", "city")
            ).strip()
            contributors.append(
                Contributor(
                    position=len(contributors) + 1,
                    name=element_text(party.find("snm")),
                    role=role,
                    countries=(country,) if len(country) == 2 else (),
                    raw_affiliation=address or None,
                )
            )
    return tuple(contributors)


def _title(sdobi: ET.Element) -> str | None:
    block = sdobi.find("B500/B540")
    if block is None:
        return None
    titles: dict[str, str] = {}
    language = None
    for node in block:
        if node.tag == "B541":
            language = (node.text or "").strip().lower()
        elif node.tag == "B542" and (text := element_text(node)):
            titles.setdefault(language or "", text)
    return titles.get("en") or next(iter(titles.values()), None)


def _classes(sdobi: ET.Element) -> list[tuple[str, str | None]]:
    symbols: list[tuple[str, str | None]] = []
    for node in sdobi.iterfind("B500/B510EP/classification-ipcr/text"):
        symbols.append(("ipc", class_symbol(node.text)))
    for tag in ("B511", "B512"):
        for node in sdobi.iterfind(f"B500/B510/{tag}"):
            symbols.append(("ipc", class_symbol(node.text)))
    for node in sdobi.iterfind("B500/B520EP/classifications-cpc/classification-cpc/text"):
        symbols.append(("cpc", class_symbol(node.text)))
    return symbols


def work_from_epo(root: ET.Element) -> Work:
    """Build a :class:`Work` from one ``<ep-patent-document>``; ValueError without a number.

    :param root: the parsed document root.
    """
    sdobi = root.find("SDOBI")
    if sdobi is None:
        raise ValueError("document has no bibliographic data (SDOBI)")
    number = (sdobi.findtext("B100/B110") or root.get("doc-number") or "").strip()
    kind = (sdobi.findtext("B100/B130") or root.get("kind") or "").strip()
    country = (sdobi.findtext("B100/B190") or root.get("country") or "EP").strip()
    if not number:
        raise ValueError("document has no publication number (B110)")
    application = (sdobi.findtext("B200/B210") or "").strip().split(".", 1)[0]
    priority_years = [year_of(d.text) for d in sdobi.iterfind("B300/B320/date")]
    years = [y for y in priority_years if y]
    year = (
        min(years)
        if years
        else (
            year_of(sdobi.findtext("B200/B220/date")) or year_of(sdobi.findtext("B100/B140/date"))
        )
    )
    abstract = None
    for node in root.iterfind("abstract"):
        if node.get("lang") in (None, "en") or abstract is None:
            abstract = element_text(node)
    return patent_work(
        root,
        source="epo",
        number=(country, number, kind, application),
        granted=kind.startswith("B"),
        title=_title(sdobi),
        abstract=abstract,
        year=year,
        contributors=_parties(sdobi),
        classes=_classes(sdobi),
    )


def parse_epo(path: Path | str) -> Iterator[Work | RecordError]:
    """Yield a Work, or a RecordError naming the line, for each EPO document in a file.

    :param path: an ``ep-patent-document`` XML file (several may be concatenated), plain or gzipped.
    """
    return iter_documents(path, ROOTS, work_from_epo)
