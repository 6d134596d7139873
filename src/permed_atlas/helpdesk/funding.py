"""Funding programmes and calls from the directory, for questions about funding.

The directory capability (``permed_atlas.directory``) owns funders,
programmes and calls; the helpdesk only reads them through its public names.
When the directory holds no rows or cannot be read, the answer says so
instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from permed_atlas.directory import list_entries, match_funding
from permed_atlas.helpdesk.models import EU, FundingItem, KnowledgeBase

FUNDING_KINDS = ("programme", "call", "funder")


def directory_regions(codes: Sequence[str], *, knowledge: KnowledgeBase) -> list[str]:
    """The directory region ids a question's countries fall in (the country, EU27, CN).

    :param codes: jurisdiction codes from the question.
    :param knowledge: for the EU member states.
    """
    regions: list[str] = []
    for code in codes:
        if code == EU:
            regions.append("EU27")
            continue
        regions.append(code)
        if code in knowledge.eu_members:
            regions.append("EU27")
    return list(dict.fromkeys(regions))


def find_funding(
    session: Session,
    *,
    question: str,
    countries: Sequence[str],
    knowledge: KnowledgeBase,
    limit: int = 8,
) -> tuple[list[FundingItem], str]:
    """Directory programmes and calls matching the question, and a note when there are none.

    :param session: a platform database session (read only).
    :param question: the question, used as the description to match.
    :param countries: jurisdiction codes named in the question.
    :param knowledge: for the EU member states.
    :param limit: at most this many items.
    """
    regions = directory_regions(countries, knowledge=knowledge)
    try:
        matches = list(match_funding(session, description=question, regions=regions, limit=limit))
    except SQLAlchemyError as exc:
        session.rollback()
        return [], f"The funding directory could not be read ({type(exc).__name__})."
    items = [
        FundingItem(
            id=m.entry.id, kind=m.entry.kind, name=m.entry.name, summary=m.entry.summary,
            url=m.entry.url, source=m.entry.source, date_checked=m.entry.date_checked,
            regions=tuple(m.entry.regions), score=float(m.score),
            matched_terms=tuple(m.matched_terms), summary_zh=m.entry.summary_zh,
        )
        for m in matches
        if m.entry.kind in FUNDING_KINDS
    ]  # fmt: skip
    if not items:
        return [], (
            "The funding directory holds no programme or call matching this question (if it is "
            "empty, load it with `permed directory load` or `permed demo`)."
        )
    return items, ""


def directory_entries(session: Session, *, ids: Sequence[str]) -> dict[str, Any]:
    """Directory entries by id (those that exist), for the funding entries' links.

    :param session: a platform database session (read only).
    :param ids: directory entry ids.
    """
    if not ids:
        return {}
    try:
        entries = list_entries(session)
    except SQLAlchemyError:
        session.rollback()
        return {}
    wanted = set(ids)
    return {e.id: e for e in entries if e.id in wanted}
