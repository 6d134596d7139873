"""Helpdesk pages (/helpdesk) and their JSON twins (/api/v1/helpdesk).

Asking stores nothing, so the question box is a GET form (shareable URLs, no
CSRF needed). Bad input (an empty question, unknown country or topic) gets 422
naming the field; an unknown entry id gets 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from permed_atlas.helpdesk.answer import answer_question
from permed_atlas.helpdesk.compare import check_country, check_topic, compare_topic, list_entries
from permed_atlas.helpdesk.errors import EntryNotFoundError, HelpdeskInputError
from permed_atlas.helpdesk.funding import directory_entries, find_funding
from permed_atlas.helpdesk.knowledge import display_name, load_knowledge
from permed_atlas.helpdesk.models import TOPICS, FundingItem, KnowledgeBase
from permed_atlas.helpdesk.present import (
    DISCLAIMER,
    answer_to_dict,
    comparison_to_dict,
    entry_to_dict,
)
from permed_atlas.settings import Settings
from permed_atlas.web.deps import SessionDep, SettingsDep, render

__all__ = ["api_router", "router"]

router = APIRouter(prefix="/helpdesk", tags=["helpdesk"], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/helpdesk", tags=["helpdesk"])

QuestionQuery = Annotated[str, Query(description="The question in plain words.", max_length=4000)]
CountryQuery = Annotated[
    list[str], Query(description="Jurisdiction codes (ISO alpha-2, EU, INT); repeat.")
]
EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)


def _knowledge(settings: Settings) -> KnowledgeBase:
    # A deployment corrects or adds entries by dropping files here; no code change.
    local = settings.helpdesk_knowledge_dir
    return load_knowledge([local] if local.is_dir() else [])


def _rule_dirs(settings: Settings) -> list[Path]:
    # The same extra transfer rules the assessor's own pages use.
    extra = settings.transfer_rules_dir
    return [extra] if extra.is_dir() else []


def _lookup(session: Session, knowledge: KnowledgeBase) -> Any:
    def lookup(question: str, codes: Sequence[str]) -> tuple[list[FundingItem], str]:
        return find_funding(session, question=question, countries=codes, knowledge=knowledge)

    return lookup


def _base_context(knowledge: KnowledgeBase) -> dict[str, Any]:
    codes = sorted({e.country for e in knowledge.entries})
    return {
        "disclaimer": DISCLAIMER, "topics": TOPICS, "example": EXAMPLE,
        "jurisdictions": [(c, display_name(knowledge, c)) for c in codes],
    }  # fmt: skip


@router.get("/")
def helpdesk_page(
    request: Request, settings: SettingsDep, session: SessionDep, q: str | None = None
) -> Response:
    """The question box and, for a question, the answer grouped by country."""
    knowledge = _knowledge(settings)
    context = _base_context(knowledge) | {"q": q or "", "answer": None, "error": None}
    if q is None:
        return render(request, "helpdesk/index.html", context)
    try:
        answer = answer_question(q, knowledge=knowledge, funding_lookup=_lookup(session, knowledge),
                                 transfer_rule_dirs=_rule_dirs(settings))  # fmt: skip
    except HelpdeskInputError as exc:
        return render(request, "helpdesk/index.html", context | {"error": exc}, status_code=422)
    return render(request, "helpdesk/index.html", context | {"answer": answer})


@router.get("/compare")
def compare_page(
    request: Request,
    settings: SettingsDep,
    topic: str | None = None,
    country: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The same topic across countries, side by side."""
    knowledge = _knowledge(settings)
    chosen = [c for c in (country or []) if c]
    context = _base_context(knowledge) | {
        "topic": topic or "", "countries": chosen, "comparison": None, "error": None,
    }  # fmt: skip
    if not topic and not chosen:
        return render(request, "helpdesk/compare.html", context)
    try:
        comparison = compare_topic(knowledge, topic=topic or "", countries=chosen)
    except HelpdeskInputError as exc:
        return render(request, "helpdesk/compare.html", context | {"error": exc}, status_code=422)
    return render(request, "helpdesk/compare.html", context | {"comparison": comparison})


@router.get("/entries")
def entries_page(
    request: Request, settings: SettingsDep, country: str | None = None, topic: str | None = None
) -> Response:
    """Every entry, filtered by country (with the EU-level ones) and topic."""
    knowledge = _knowledge(settings)
    entries = list_entries(knowledge, country=country, topic=topic)
    context = _base_context(knowledge) | {
        "entries": entries, "country": check_country(country) or "",
        "topic": check_topic(topic) or "",
    }  # fmt: skip
    return render(request, "helpdesk/entries.html", context)


@router.get("/entries/{entry_id}")
def entry_page(
    request: Request, entry_id: str, settings: SettingsDep, session: SessionDep
) -> Response:
    """One entry: procedure with references, timeline, documents, fees, source, date checked."""
    knowledge = _knowledge(settings)
    entry = knowledge.get(entry_id)
    if entry is None:
        raise EntryNotFoundError(entry_id)
    related = [e for e in (knowledge.get(r) for r in entry.related) if e is not None]
    directory = directory_entries(session, ids=entry.directory_ids)
    context = _base_context(knowledge) | {
        "entry": entry, "related": related, "directory": directory,
        "country_name": display_name(knowledge, entry.country),
    }  # fmt: skip
    return render(request, "helpdesk/entry.html", context)


@api_router.get("/ask")
def api_ask(q: QuestionQuery, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """Answer a question: entries per country with references, funding, transfer guidance.

    Guidance, not legal advice. An empty question: 422 naming ``question``.
    """
    knowledge = _knowledge(settings)
    answer = answer_question(q, knowledge=knowledge, funding_lookup=_lookup(session, knowledge),
                             transfer_rule_dirs=_rule_dirs(settings))  # fmt: skip
    return answer_to_dict(answer)


@api_router.get("/compare")
def api_compare(
    settings: SettingsDep,
    topic: Annotated[str, Query(description="Topic id, e.g. ethics_review.")],
    country: CountryQuery,
) -> dict[str, Any]:
    """One topic across two or more countries; unknown topic or country: 422 naming it."""
    comparison = compare_topic(_knowledge(settings), topic=topic, countries=country)
    return comparison_to_dict(comparison)


@api_router.get("/entries")
def api_entries(
    settings: SettingsDep, country: str | None = None, topic: str | None = None
) -> dict[str, Any]:
    """Entries of a country (with the EU-level ones that apply) and/or topic."""
    entries = list_entries(_knowledge(settings), country=country, topic=topic)
    return {"disclaimer": DISCLAIMER, "entries": [entry_to_dict(e) for e in entries]}


@api_router.get("/entries/{entry_id}")
def api_entry(entry_id: str, settings: SettingsDep) -> dict[str, Any]:
    """One entry with all its fields; 404 for an unknown id."""
    entry = _knowledge(settings).get(entry_id)
    if entry is None:
        raise EntryNotFoundError(entry_id)
    return entry_to_dict(entry)


@api_router.get("/topics")
def api_topics() -> dict[str, str]:
    """Topic ids and their labels."""
    return dict(TOPICS)
